/**
 * Builds the webhook notifier (the executor's Notifier port) from the webhook config section. When the
 * template shows the instance's account, life cycle, hostnames or IPs (NTH's NodeMetadata fields),
 * each report is completed with them from `facts` (IMDS in IMDS mode, EC2 in queue mode) first. The
 * transport (node:https, tls, the proxy agent: ~1 MiB RSS) is imported only when a URL is set, so an
 * IMDS DaemonSet without a webhook never loads it (ADR 0007).
 */
import type { InstanceInfo } from '../aws/ec2-instances.js';
import type { InstanceFacts, Notifier } from '../pipeline/executor-ports.js';
import type { ModeContext } from './mode-context.js';

/** Where the instance facts come from. */
export interface InstanceFactsSource {
  factsFor(instanceId: string): Promise<InstanceFacts | undefined>;
}

/** Template fields that need instance facts (NTH and our spellings alike). */
const FACT_FIELDS = /accountid|instancelifecycle|(public|local)(hostname|ip)/i;

/** How long a webhook waits for the facts before it goes without them. */
const FACTS_TIMEOUT_MS = 3_000;

/** NTH's NodeMetadata from EC2 DescribeInstances: no life cycle in EC2's answer means on-demand. */
export function ec2InstanceFacts(info: InstanceInfo | undefined): InstanceFacts | undefined {
  if (!info) return undefined;
  const facts: Record<string, string | undefined> = {
    accountId: info.ownerId,
    instanceLifeCycle: info.instanceLifecycle ?? 'on-demand',
    localHostname: info.privateDnsName || undefined,
    localIp: info.privateIpAddress,
    publicHostname: info.publicDnsName,
    publicIp: info.publicIpAddress,
  };
  return Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== undefined));
}

/** True when the template reads instance facts (the default template does not). */
export function templateNeedsFacts(template: string | undefined): boolean {
  return template !== undefined && FACT_FIELDS.test(template.replace(/[^A-Za-z]/g, ''));
}

/** The configured webhook notifier; a no-op notifier when no URL is set. */
export async function buildNotifier(
  ctx: ModeContext,
  facts?: InstanceFactsSource,
): Promise<Notifier & { close(): void }> {
  const { config, logger, clock, metrics } = ctx;
  const webhook = config.webhook;
  if (!webhook.url) return { sendWebhook: async () => false, close: () => undefined };
  const [{ bypassesProxy }, { HttpWebhookTransport }, { WebhookNotifier }] = await Promise.all([
    import('../report/webhook-proxy.js'),
    import('../report/webhook-transport.js'),
    import('../report/webhook.js'),
  ]);
  const noProxy = webhook.noProxy.join(',');
  const proxyFor = (url: URL): string | undefined =>
    webhook.proxyUrl && !bypassesProxy(url, noProxy) ? webhook.proxyUrl : undefined;
  const transport = new HttpWebhookTransport(clock, proxyFor);
  const notifier = new WebhookNotifier(
    {
      url: webhook.url,
      headers: webhook.headers,
      template: webhook.template,
      timeoutMs: webhook.timeoutMs,
      retries: webhook.retries,
      triggers: webhook.events,
    },
    { transport, logger, clock, metrics },
  );
  const source = facts && templateNeedsFacts(webhook.template) ? facts : undefined;
  const lookup = async (instanceId: string): Promise<InstanceFacts | undefined> => {
    if (!source) return undefined;
    const stop = new AbortController();
    const timer = clock.sleep(FACTS_TIMEOUT_MS, stop.signal).then(
      () => undefined,
      () => undefined,
    );
    try {
      return await Promise.race([source.factsFor(instanceId), timer]);
    } catch (err) {
      logger.warn({ err, instanceId }, 'instance facts for the webhook not readable: sent without them');
      return undefined;
    } finally {
      stop.abort();
    }
  };
  return {
    sendWebhook: async (trigger, report) => {
      const instance = report.instance ?? (await lookup(report.instanceId));
      return notifier.sendWebhook(trigger, instance ? { ...report, instance } : report);
    },
    close: () => transport.close(),
  };
}
