/** Client settings for talking to the simulator: a client-node KubeConfig and a kubeconfig file body. */
import * as http from 'node:http';
import * as https from 'node:https';
import * as k8s from '@kubernetes/client-node';

/** A KubeConfig for a plain-HTTP server URL with a bearer token (any token works on the simulator). */
export function kubeConfigForUrl(url: string, token = 'sandbox-token'): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: url, skipTLSVerify: true }],
    users: [{ name: 'sandbox', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox', namespace: 'default' }],
    currentContext: 'sandbox',
  });
  return kc;
}

/** kubeconfig YAML (JSON is valid YAML) that kubectl and the daemon can read. */
export function kubeconfigFileText(url: string, token = 'sandbox-token'): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sandbox', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'sandbox', user: { token } }],
      contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace: 'default' } }],
      'current-context': 'sandbox',
    },
    null,
    2,
  );
}

/**
 * A copy of `kc` whose API calls share one keep-alive agent: client-node 1.x makes a new agent (and so a
 * new TCP connection) per request, which costs a handshake per call against a real server.
 */
export function withKeepAlive(kc: k8s.KubeConfig, userAgent?: string): k8s.KubeConfig {
  const copy = new KeepAliveKubeConfig(userAgent);
  copy.loadFromString(kc.exportConfig());
  return copy;
}

class KeepAliveKubeConfig extends k8s.KubeConfig {
  private shared: http.Agent | undefined;

  constructor(private readonly userAgent?: string) {
    super();
  }

  override async applySecurityAuthentication(context: k8s.RequestContext): Promise<void> {
    await super.applySecurityAuthentication(context);
    if (this.userAgent) context.setHeaderParam('User-Agent', this.userAgent);
    if (!this.shared) {
      const created: unknown = context.getAgent();
      if (!(created instanceof http.Agent) || this.getCurrentCluster()?.proxyUrl) return;
      const own = Reflect.get(created, 'options') as https.AgentOptions | undefined;
      const options: https.AgentOptions = { ...(own ?? {}), keepAlive: true, maxSockets: 64 };
      this.shared = created instanceof https.Agent ? new https.Agent(options) : new http.Agent(options);
    }
    context.setAgent(this.shared);
  }

  /** Closes pooled connections. */
  destroy(): void {
    this.shared?.destroy();
  }
}

/** Closes the pooled connections of a KubeConfig made by `withKeepAlive` (no-op for others). */
export function closeKeepAlive(kc: k8s.KubeConfig): void {
  if (kc instanceof KeepAliveKubeConfig) kc.destroy();
}
