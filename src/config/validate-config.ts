/** Cross-option checks and derived fields, run after each option is converted on its own. */
import type { Config, Mode } from './config-types.js';
import { convertValue } from './parse-value.js';
import { regionFromQueueUrl } from './region-from-queue-url.js';
import { allOptions } from './schema.js';
import { validateTemplate } from '../report/template-validate.js';

type Env = Readonly<Record<string, string | undefined>>;
type Values = Record<string, Record<string, unknown>>;

/** What the loader hands over after converting every option. */
export interface DeriveInput {
  readonly mode: Mode;
  readonly values: Values;
  /** Ids (`section.key`) of options given by a flag or env var. */
  readonly explicit: ReadonlySet<string>;
  readonly env: Env;
  readonly readFile: (path: string) => string;
  readonly problems: string[];
  readonly warnings: string[];
}

function envOf(env: Env, ...names: string[]): string | undefined {
  for (const name of names) {
    const v = env[name];
    if (v !== undefined && v.trim() !== '') return v.trim();
  }
  return undefined;
}

function section(values: Values, name: string): Record<string, unknown> {
  return (values[name] ??= {});
}

function checkRequired(input: DeriveInput): void {
  for (const entry of allOptions()) {
    if (entry.requiredIn !== input.mode || section(input.values, entry.section)[entry.key] !== undefined)
      continue;
    const label = entry.flag ? `${entry.flag} / ${entry.env}` : entry.env;
    input.problems.push(`${label}: required in ${input.mode} mode`);
  }
}

function readInto(
  input: DeriveInput,
  key: 'url' | 'template',
  fileKey: 'urlFile' | 'templateFile',
  label: string,
): void {
  const webhook = section(input.values, 'webhook');
  const path = webhook[fileKey];
  if (typeof path !== 'string') return;
  let text: string;
  try {
    text = input.readFile(path).trim();
  } catch (err) {
    input.problems.push(`${label}: cannot read file ${JSON.stringify(path)} (${(err as Error).message})`);
    return;
  }
  if (key === 'url') {
    const converted = convertValue(
      { type: 'url', flag: undefined, env: '', default: undefined, modes: 'both', description: '' },
      text,
    );
    if (!converted.ok) {
      input.problems.push(
        `${label}: the file ${JSON.stringify(path)} ${converted.problem} (it must hold one http(s) URL)`,
      );
      return;
    }
  }
  webhook[key] = text;
}

function deriveWebhook(input: DeriveInput): void {
  const webhook = section(input.values, 'webhook');
  if (input.explicit.has('webhook.url') && input.explicit.has('webhook.urlFile')) {
    input.problems.push(
      '--webhook-url / WEBHOOK_URL and --webhook-url-file / WEBHOOK_URL_FILE: give only one of them',
    );
  } else readInto(input, 'url', 'urlFile', '--webhook-url-file / WEBHOOK_URL_FILE');
  readInto(input, 'template', 'templateFile', '--webhook-template-file / WEBHOOK_TEMPLATE_FILE');
  if (typeof webhook.template === 'string') {
    const checked = validateTemplate(webhook.template);
    for (const e of checked.errors) input.problems.push(`--webhook-template / WEBHOOK_TEMPLATE: ${e}`);
    for (const w of checked.warnings) input.warnings.push(`--webhook-template / WEBHOOK_TEMPLATE: ${w}`);
  }
  if (webhook.proxyUrl === undefined) {
    const proxy = envOf(input.env, 'HTTPS_PROXY', 'https_proxy');
    if (proxy !== undefined) {
      try {
        new URL(proxy);
        webhook.proxyUrl = proxy;
      } catch {
        input.warnings.push('HTTPS_PROXY is not a valid URL; webhooks are sent without a proxy');
      }
    }
  }
  const noProxy = envOf(input.env, 'NO_PROXY', 'no_proxy') ?? '';
  webhook.noProxy = noProxy
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
/** A Kubernetes node name: a DNS-1123 subdomain (lowercase alphanumerics, '-', '.'; at most 253). */
const NODE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function checkNodeName(input: DeriveInput): void {
  const name = section(input.values, 'general').nodeName;
  if (typeof name === 'string' && (name.length > 253 || !NODE_NAME.test(name))) {
    input.problems.push(
      `--node-name / NODE_NAME: ${JSON.stringify(name.slice(0, 80))} is not a Kubernetes node name (DNS-1123 subdomain)`,
    );
  }
}

function deriveQueue(input: DeriveInput): void {
  const queue = section(input.values, 'queue');
  const aws = section(input.values, 'aws');
  const general = section(input.values, 'general');
  if (!input.explicit.has('queue.leaseNamespace') && typeof general.podNamespace === 'string') {
    queue.leaseNamespace = general.podNamespace;
  }
  if (input.mode !== 'queue') return;
  if (typeof aws.region === 'string' && !REGION.test(aws.region)) {
    input.problems.push(
      `--aws-region / AWS_REGION: ${JSON.stringify(aws.region)} is not an AWS region name (like us-east-1)`,
    );
  }
  if (aws.region === undefined && typeof queue.queueUrl === 'string')
    aws.region = regionFromQueueUrl(queue.queueUrl);
  if (aws.region === undefined && queue.queueUrl !== undefined) {
    input.problems.push(
      '--aws-region / AWS_REGION: required in queue mode when the queue URL host names no region (sqs.<region>.amazonaws.com)',
    );
  }
  const interval = queue.heartbeatIntervalSeconds as number;
  const until = queue.heartbeatUntilSeconds as number;
  if (interval >= 0 && until >= 0 && until < interval) {
    input.problems.push(
      '--heartbeat-until / HEARTBEAT_UNTIL: must be at least --heartbeat-interval / HEARTBEAT_INTERVAL',
    );
  }
  const [duration, renew, retry] = [
    queue.leaseDurationSeconds,
    queue.leaseRenewSeconds,
    queue.leaseRetrySeconds,
  ] as number[];
  if (queue.leaderElect === true && !((duration ?? 0) > (renew ?? 0) && (renew ?? 0) > (retry ?? 0))) {
    input.problems.push(
      `--lease-duration-seconds (${duration}) > --lease-renew-seconds (${renew}) > --lease-retry-seconds (${retry}) must hold`,
    );
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Fills derived fields, records cross-option problems, and returns the frozen config. */
export function deriveAndCheck(input: DeriveInput): Config {
  const kube = section(input.values, 'kube');
  kube.inCluster =
    envOf(input.env, 'KUBERNETES_SERVICE_HOST') !== undefined &&
    envOf(input.env, 'KUBERNETES_SERVICE_PORT') !== undefined;
  if ((kube.burst as number) < (kube.qps as number)) {
    input.problems.push('--kube-api-burst / KUBE_API_BURST: must be at least --kube-api-qps / KUBE_API_QPS');
  }
  checkRequired(input);
  checkNodeName(input);
  deriveWebhook(input);
  deriveQueue(input);
  return deepFreeze({ mode: input.mode, ...input.values } as unknown as Config);
}
