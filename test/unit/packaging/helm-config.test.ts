/** The env the chart sets is accepted by the daemon's config loader in each mode, without warnings. */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { containerEnv, only, queueValues, QUEUE_URL, renderChart } from './helm.js';
import type { Loose } from './helm.js';

const FIELD_VALUES: Record<string, string> = {
  'spec.nodeName': 'ip-10-0-0-1.eu-west-1.compute.internal',
  'metadata.name': 'spot-handler-abcde',
  'metadata.namespace': 'kube-system',
};
const HEADERS = '{"Authorization":"Bearer t"}';
const FILES: Record<string, string> = {
  '/etc/spot-handler/webhook/url': 'https://hooks.example.com/x',
  '/etc/spot-handler/webhook-template/template': '{"text":"{{ .InstanceID }}"}',
};

/** The container env as the kubelet would resolve it (downward API, Secret keys). */
function resolvedEnv(env: Map<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of env) {
    if (typeof value === 'string') out[name] = value;
    else if ((value as Loose).fieldRef) out[name] = FIELD_VALUES[(value as Loose).fieldRef.fieldPath]!;
    else if ((value as Loose).secretKeyRef?.key === 'headers') out[name] = HEADERS;
    else throw new Error(`cannot resolve ${name}`);
  }
  return out;
}

const readFile = (path: string): string => {
  const text = FILES[path];
  if (text === undefined) throw new Error(`ENOENT: ${path}`);
  return text;
};

const webhook = {
  webhook: { url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer t' }, template: 'x' },
};

describe.concurrent.each([
  ['imds', 'DaemonSet', {}],
  [
    'imds',
    'DaemonSet',
    { ...webhook, drain: { forceAtDeadline: false }, imds: { metadataUrl: 'http://127.0.0.1:1338' } },
  ],
  ['queue', 'Deployment', queueValues()],
  [
    'queue',
    'Deployment',
    queueValues({ ...webhook, queue: { region: 'eu-west-1' }, leaderElection: { enabled: false } }),
  ],
] as const)('%s mode (%s)', (mode, kind, values) => {
  it(`loads with ${JSON.stringify(values).slice(0, 60)}`, async () => {
    const workload = only(await renderChart(values), kind);
    const args = workload.spec.template.spec.containers[0].args as string[];
    expect(args).toEqual([mode]);
    const loaded = loadConfig(mode, args.slice(1), resolvedEnv(containerEnv(workload)), { readFile });
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.mode).toBe(mode);
    if (mode === 'queue') expect(JSON.stringify(loaded.config)).toContain(QUEUE_URL);
  });
});
