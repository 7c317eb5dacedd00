/** The chart lints and renders valid Kubernetes objects for both modes and a matrix of values. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CHART, CRD_KINDS, helm, queueValues, renderChart, ROOT, validateObject } from './helm.js';
import type { K8sObject } from './helm.js';

const run = promisify(execFile);

const webhookOn = { webhook: { url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer t' } } };
const monitorsOn = {
  metrics: {
    serviceMonitor: { enabled: true },
    podMonitor: { enabled: true },
    prometheusRule: { enabled: true },
  },
};

const MATRIX: [string, Record<string, unknown>][] = [
  ['imds defaults', {}],
  ['imds, webhook from values, monitors on', { ...webhookOn, ...monitorsOn }],
  [
    'imds, spot only, host network, no forced deletion',
    { daemonset: { spotOnly: true, hostNetwork: true }, drain: { forceAtDeadline: false } },
  ],
  [
    'imds, existing webhook secret and template ConfigMap',
    { webhook: { existingSecret: 'hook', templateConfigMap: 'tpl' } },
  ],
  ['queue defaults', queueValues()],
  [
    'queue, 1 replica, webhook, monitors',
    queueValues({ deployment: { replicas: 1 }, ...webhookOn, ...monitorsOn }),
  ],
  [
    'queue, 3 replicas, no leader election',
    queueValues({ deployment: { replicas: 3 }, leaderElection: { enabled: false } }),
  ],
  [
    'queue, forced deletion off, events off, no spread',
    queueValues({
      drain: { forceAtDeadline: false },
      node: { emitKubernetesEvents: false },
      deployment: { spread: false, preferOnDemand: false },
    }),
  ],
  [
    'queue, no RBAC, existing ServiceAccount',
    queueValues({ rbac: { create: false }, serviceAccount: { create: false, name: 'mine' } }),
  ],
];

function checkCrdShape(obj: K8sObject): void {
  expect(obj.apiVersion).toBe('monitoring.coreos.com/v1');
  if (obj.kind === 'PrometheusRule') {
    expect(Array.isArray(obj.spec.groups) && obj.spec.groups.length).toBeGreaterThan(0);
    for (const group of obj.spec.groups) {
      expect(typeof group.name).toBe('string');
      for (const rule of group.rules) expect(typeof (rule.alert ?? rule.record)).toBe('string');
    }
  } else {
    const endpoints = obj.kind === 'ServiceMonitor' ? obj.spec.endpoints : obj.spec.podMetricsEndpoints;
    expect(endpoints).toEqual([expect.objectContaining({ port: 'http', path: '/metrics' })]);
    expect(obj.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'spot-handler',
      'app.kubernetes.io/instance': 'sh',
    });
  }
}

describe.concurrent('helm chart rendering', () => {
  it.each(['imds', 'queue'])('passes helm lint --strict in %s mode', async (mode) => {
    const values = mode === 'queue' ? queueValues() : {};
    const result = await helm(['lint', '--strict', CHART], values);
    expect(result.stderr + result.stdout).toContain('0 chart(s) failed');
    expect(result.ok).toBe(true);
  });

  it.each(MATRIX)('%s: every object is valid and labelled', async (_name, values) => {
    const objects = await renderChart(values);
    expect(objects.length).toBeGreaterThanOrEqual(2);
    for (const obj of objects) {
      const hook = (obj.metadata['annotations'] as Record<string, string> | undefined)?.['helm.sh/hook'];
      // the helm-test pod carries no selector labels, so no Service, PodMonitor or PDB picks it up
      const selectable = hook === undefined;
      expect(obj.metadata.labels?.['app.kubernetes.io/name'], `${obj.kind} labels`).toBe(
        selectable ? 'spot-handler' : undefined,
      );
      expect(obj.metadata.labels?.['app.kubernetes.io/instance']).toBe(selectable ? 'sh' : undefined);
      expect(obj.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('Helm');
      if (CRD_KINDS.has(obj.kind)) checkCrdShape(obj);
      else await validateObject(obj);
    }
    const workloads = objects.filter((o) => o.kind === 'DaemonSet' || o.kind === 'Deployment');
    expect(workloads).toHaveLength(1);
  });

  it('the schema validator catches a broken object (the check can fail)', async () => {
    const objects = await renderChart();
    const ds = objects.find((o) => o.kind === 'DaemonSet')!;
    ds.spec.template.spec.containers[0].ports[0].containerPort = 'eighty';
    await expect(validateObject(ds)).rejects.toThrow(/containerPort/);
  });

  it('renders yamllint-clean YAML for both modes', async () => {
    for (const values of [{ ...webhookOn, ...monitorsOn }, queueValues({ ...webhookOn, ...monitorsOn })]) {
      const result = await helm(['template', 'sh', CHART, '--kube-version', '1.29.0'], values);
      expect(result.ok).toBe(true);
      const lint = run('yamllint', ['-c', '.yamllint', '-f', 'parsable', '-'], { cwd: ROOT });
      lint.child.stdin?.end(result.stdout);
      const { stdout } = await lint.catch((err: { stdout: string }) => ({ stdout: err.stdout }));
      expect(stdout.split('\n').filter((l) => l.includes('[error]'))).toEqual([]);
    }
  });
});
