/**
 * Which proxy a webhook request goes through: WEBHOOK_PROXY when set, else the usual environment
 * proxies (HTTPS_PROXY for https targets, HTTP_PROXY for http ones) unless NO_PROXY matches the host.
 * The environment values are passed in by the config loader (only src/config/ reads process.env).
 */

/** Proxy settings as read from config and the environment. */
export interface ProxySettings {
  /** WEBHOOK_PROXY: used for every webhook request when set (NO_PROXY does not apply, as in NTH). */
  readonly webhookProxy?: string;
  readonly httpsProxy?: string;
  readonly httpProxy?: string;
  readonly noProxy?: string;
}

/** True when NO_PROXY says to connect to this host directly (`*`, exact host, domain suffix, host:port). */
export function bypassesProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[,\s]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry);
    if (!m) continue;
    const entryHost = (m[1] ?? '').replace(/^\[|\]$/g, '').replace(/^\*?\./, '.');
    if (m[2] !== undefined && m[2] !== port) continue;
    if (
      entryHost.startsWith('.') ? host.endsWith(entryHost) || host === entryHost.slice(1) : host === entryHost
    ) {
      return true;
    }
    if (!entryHost.startsWith('.') && host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/** The proxy URL to use for this target, or undefined for a direct connection. */
export function selectProxy(target: URL, settings: ProxySettings): string | undefined {
  if (settings.webhookProxy) return settings.webhookProxy;
  const env = target.protocol === 'https:' ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy;
  if (!env) return undefined;
  return bypassesProxy(target, settings.noProxy) ? undefined : env;
}
