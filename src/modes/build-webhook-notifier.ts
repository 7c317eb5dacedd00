/** Builds the webhook notifier (the executor's Notifier port) from the webhook config section. */
import type { Notifier } from '../pipeline/executor-ports.js';
import { bypassesProxy } from '../report/webhook-proxy.js';
import { HttpWebhookTransport } from '../report/webhook-transport.js';
import { WebhookNotifier } from '../report/webhook.js';
import type { ModeContext } from './mode-context.js';

/** The configured webhook notifier; a no-op notifier when no URL is set. */
export async function buildNotifier(ctx: ModeContext): Promise<Notifier & { close(): void }> {
  const { config, logger, clock, metrics } = ctx;
  const webhook = config.webhook;
  if (!webhook.url) return { sendWebhook: async () => false, close: () => undefined };
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
  return {
    sendWebhook: (trigger, report) => notifier.sendWebhook(trigger, report),
    close: () => transport.close(),
  };
}
