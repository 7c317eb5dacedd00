/**
 * Webhook notifications (NTH #534, #260): a templated JSON POST on start, success and failure of a
 * node action, retried with exponential backoff and jitter on 5xx, 429 and network errors.
 *
 * The URL and headers are secrets (they often embed a token): they are never logged, never put in
 * metrics, and never attached to errors. Logs say "webhook" plus the trigger, attempt and status code.
 * Sending once per node action (not per merged message) is the executor's job: `notify` returns
 * whether the body was delivered so it can record that.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { ActionReport } from '../pipeline/executor-ports.js';
import type { Metrics } from './metrics.js';
import {
  DEFAULT_TEMPLATE,
  compileTemplate,
  renderTemplate,
  type CompiledTemplate,
  type TemplateData,
  type WebhookTrigger,
} from './template.js';
import { WebhookRequestError, type PostResult, type WebhookTransport } from './webhook-transport.js';

/** Every trigger, in order of a node action. */
export const WEBHOOK_TRIGGERS: readonly WebhookTrigger[] = ['start', 'success', 'failure'];

/** Options, from the `webhook` config section. */
export interface WebhookOptions {
  /** Empty or undefined disables webhooks. */
  readonly url?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Template source; the Slack-compatible default when undefined. */
  readonly template?: string;
  readonly timeoutMs?: number;
  /** Retries after the first attempt (WEBHOOK_RETRIES, default 3). */
  readonly retries?: number;
  /** Which triggers fire (WEBHOOK_EVENTS, default all). */
  readonly triggers?: readonly WebhookTrigger[];
  /** First backoff (default 1 s), doubled per attempt up to backoffMaxMs (default 30 s). */
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
  /** Shown as `clusterName` in templates. */
  readonly clusterName?: string;
}

/** What the notifier needs. */
export interface WebhookDeps {
  readonly transport: WebhookTransport;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly metrics: Metrics;
  /** Random in [0, 1) for jitter; injectable for tests. */
  readonly random?: () => number;
}

type Attempt =
  { readonly ok: true } | { readonly ok: false; readonly retry: boolean; readonly waitMs?: number };

/** Sends webhook notifications; never throws. */
export class WebhookNotifier {
  private readonly url: URL | undefined;
  private readonly template: CompiledTemplate;
  private readonly triggers: ReadonlySet<WebhookTrigger>;
  private readonly log: Logger;
  private readonly random: () => number;

  /** Throws TemplateError when the template does not parse (validate it at start-up first). */
  constructor(
    private readonly options: WebhookOptions,
    private readonly deps: WebhookDeps,
  ) {
    this.url = options.url ? new URL(options.url) : undefined;
    this.template = compileTemplate(options.template ?? DEFAULT_TEMPLATE);
    this.triggers = new Set(options.triggers ?? WEBHOOK_TRIGGERS);
    this.log = deps.logger.child({ component: 'webhook' });
    this.random = deps.random ?? Math.random;
    // zero the known series so a failure-rate alert sees 0, not absent
    for (const trigger of this.url ? this.triggers : []) {
      for (const result of ['sent', 'failed']) deps.metrics.webhooks.inc({ trigger, result }, 0);
    }
  }

  /** True when a URL is configured and this trigger is enabled. */
  enabled(trigger: WebhookTrigger): boolean {
    return this.url !== undefined && this.triggers.has(trigger);
  }

  /** The executor's Notifier port (src/pipeline/executor-ports.ts): sends one node action report. */
  sendWebhook(trigger: WebhookTrigger, report: ActionReport): Promise<boolean> {
    return this.send(trigger, templateData(report, this.options.clusterName));
  }

  /** Renders and POSTs; true when delivered (2xx), false when disabled, unrenderable or failed after retries. */
  async send(
    trigger: WebhookTrigger,
    data: Omit<TemplateData, 'trigger'>,
    signal?: AbortSignal,
  ): Promise<boolean> {
    if (!this.url || !this.triggers.has(trigger)) return false;
    let body: string;
    try {
      body = renderTemplate(this.template, { ...data, trigger }, this.deps.clock.now());
    } catch (err) {
      this.fail(trigger, { reason: 'template', error: (err as Error).message }, 0);
      return false;
    }
    const attempts = 1 + Math.max(0, this.options.retries ?? 3);
    for (let attempt = 1; attempt <= attempts; attempt++) {
      const outcome = await this.attempt(this.url, body, trigger, attempt);
      if (outcome.ok) {
        this.deps.metrics.webhooks.inc({ trigger, result: 'sent' });
        this.log.info({ trigger, attempt, kind: data.kind }, 'webhook sent');
        return true;
      }
      if (!outcome.retry || attempt === attempts || signal?.aborted) break;
      try {
        await this.deps.clock.sleep(this.backoffMs(attempt, outcome.waitMs), signal);
      } catch {
        break;
      }
    }
    this.fail(trigger, { reason: 'gave-up' }, attempts);
    return false;
  }

  private async attempt(url: URL, body: string, trigger: WebhookTrigger, attempt: number): Promise<Attempt> {
    let res: PostResult;
    try {
      res = await this.deps.transport.post(
        url,
        this.options.headers ?? {},
        body,
        this.options.timeoutMs ?? 5000,
      );
    } catch (err) {
      const code = err instanceof WebhookRequestError ? err.code : 'error';
      this.log.warn({ trigger, attempt, code }, 'webhook request failed');
      return { ok: false, retry: true };
    }
    if (res.status >= 200 && res.status < 300) return { ok: true };
    const retry = res.status === 429 || res.status >= 500;
    this.log.warn({ trigger, attempt, status: res.status, retry }, 'webhook rejected');
    return { ok: false, retry, ...(res.retryAfterMs === undefined ? {} : { waitMs: res.retryAfterMs }) };
  }

  /** Exponential backoff with equal jitter; a Retry-After wins when longer (capped at the max). */
  private backoffMs(attempt: number, retryAfterMs: number | undefined): number {
    const base = this.options.backoffBaseMs ?? 1000;
    const max = this.options.backoffMaxMs ?? 30_000;
    const exp = Math.min(max, base * 2 ** (attempt - 1));
    const jittered = exp / 2 + (this.random() * exp) / 2;
    return Math.min(max, Math.max(jittered, retryAfterMs ?? 0));
  }

  private fail(trigger: WebhookTrigger, detail: Record<string, unknown>, attempts: number): void {
    this.deps.metrics.webhooks.inc({ trigger, result: 'failed' });
    this.log.error({ trigger, attempts, ...detail }, 'webhook not delivered');
  }
}

/** Maps the executor's report to template fields. */
export function templateData(report: ActionReport, clusterName?: string): Omit<TemplateData, 'trigger'> {
  const d = report.drain;
  const description = report.error ? `${report.description} (error: ${report.error})` : report.description;
  return {
    kind: report.kind,
    eventId: report.eventId,
    instanceId: report.instanceId,
    node: report.nodeName,
    region: report.region,
    availabilityZone: report.availabilityZone,
    instanceType: report.instanceType,
    deadlineMs: report.deadlineMs,
    noticedAtMs: report.noticedAtMs,
    result: report.result,
    podsEvicted: d?.podsEvicted,
    podsForceDeleted: d?.podsForceDeleted,
    blockedBy: d?.blockedBy,
    surges: d?.surges,
    durationSeconds: d ? d.durationMs / 1000 : undefined,
    description,
    clusterName,
    source: report.source,
    autoScalingGroupName: report.autoScalingGroupName,
    providerId: report.providerId,
    nodeLabels: report.nodeLabels,
    pods: d?.pods,
    // spot-handler acts only on nodes of this cluster (NTH: the managed tag was found)
    isManaged: true,
    state: report.kind === 'scheduled-maintenance' ? 'active' : undefined,
    endTimeMs: report.endAtMs,
    accountId: report.instance?.accountId,
    instanceLifeCycle: report.instance?.instanceLifeCycle,
    localHostname: report.instance?.localHostname,
    localIp: report.instance?.localIp,
    publicHostname: report.instance?.publicHostname,
    publicIp: report.instance?.publicIp,
  };
}
