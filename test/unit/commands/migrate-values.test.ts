import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { runCli } from '../../../src/cli.js';
import { migrateValues } from '../../../src/commands/migrate-values.js';
import { NTH_VALUE_RULES } from '../../../src/commands/migrate-values-map.js';
import { containerEnv, only, renderChart, type K8sObject } from '../packaging/helm.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, FIXTURES), 'utf8');

/** Runs the real CLI on a values text; returns the printed file and the exit code. */
async function cli(text: string): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(
    ['migrate-values', 'values.yaml'],
    {},
    {
      stdout: (t) => void (out += t),
      stderr: (t) => void (err += t),
      readFile: () => text,
    },
  );
  return { code, out, err };
}

/** The comment lines of the output's table, keyed by NTH key. */
function table(out: string): Map<string, string> {
  const rows = out.split('\n').filter((l) => /^# {3}\S/.test(l));
  return new Map(rows.map((l) => l.slice(4).split(/\s{2,}/) as [string, string]));
}

/** Renders our chart (helm template applies values.schema.json) with the printed values file. */
async function render(out: string): Promise<K8sObject[]> {
  return renderChart(parse(out) as object);
}

describe('migrate-values', () => {
  it('knows every NTH chart key', () => {
    const keys = read('nth-names/chart-keys.txt').split('\n').filter(Boolean);
    expect(keys.filter((k) => NTH_VALUE_RULES[k] === undefined)).toEqual([]);
  });

  it("converts NTH's default values file to values our chart renders", async () => {
    const { code, out } = await cli(read('nth-values/default-values.yaml'));
    expect(code).toBe(0);
    const values = parse(out);
    expect(values.mode).toBe('imds');
    expect(values.daemonset.tolerations).toEqual([{ operator: 'Exists' }]);
    const rows = table(out);
    expect(rows.get('image.repository')).toMatch(/own image/);
    expect(rows.get('rbac.pspEnabled')).toMatch(/PodSecurityPolicy/);
    expect(rows.get('workers')).toMatch(/queue-mode/);
    expect(rows.has('taintNode')).toBe(false);
    const ds = only(await render(out), 'DaemonSet');
    expect(containerEnv(ds).get('TAINT_NODE')).toBe('false');
  });

  it('queue mode with an IRSA role and a webhook Secret', async () => {
    const input = [
      'enableSqsTerminationDraining: true',
      'queueURL: https://sqs.us-east-1.amazonaws.com/123456789012/nth',
      'serviceAccount:',
      '  name: nth',
      '  annotations:',
      '    eks.amazonaws.com/role-arn: arn:aws:iam::123456789012:role/nth',
      '    team: platform',
      'webhookURLSecretName: nth-webhook',
      'enableSpotInterruptionDraining: true',
      'replicas: 3',
      'awsAccessKeyID: AKIA',
      'dnsConfig: {nameservers: [1.1.1.1]}',
      'bogusKey: 1',
    ].join('\n');
    const { code, out } = await cli(input);
    expect(code).toBe(0);
    const values = parse(out);
    expect(values).toMatchObject({
      mode: 'queue',
      queue: { url: 'https://sqs.us-east-1.amazonaws.com/123456789012/nth' },
      serviceAccount: {
        name: 'nth',
        roleArn: 'arn:aws:iam::123456789012:role/nth',
        annotations: { team: 'platform' },
      },
      webhook: { existingSecret: 'nth-webhook' },
      deployment: { replicas: 3 },
    });
    const rows = table(out);
    expect(rows.get('enableSpotInterruptionDraining')).toMatch(/IMDS-mode/);
    expect(rows.get('awsAccessKeyID')).toMatch(/IRSA/);
    expect(rows.get('dnsConfig')).toMatch(/not supported/);
    expect(rows.get('bogusKey')).toMatch(/not an aws-node-termination-handler/);
    expect(rows.get('webhookURLSecretName')).toMatch(/key `url`/);
    const objects = await render(out);
    const sa = only(objects, 'ServiceAccount');
    expect(sa.metadata.annotations).toMatchObject({
      'eks.amazonaws.com/role-arn': 'arn:aws:iam::123456789012:role/nth',
    });
    const deployment = only(objects, 'Deployment');
    expect(deployment.spec.replicas).toBe(3);
    expect(JSON.stringify(deployment.spec.template.spec.volumes)).toContain('nth-webhook');
  });

  it('IMDS mode with Windows enabled and custom tolerations', async () => {
    const input = [
      'targetNodeOs: "linux windows"',
      'windowsTolerations: [{key: os, value: windows, effect: NoSchedule}]',
      'windowsNodeSelector: {kubernetes.io/os: windows}',
      'tolerations: [{key: dedicated, operator: Equal, value: infra, effect: NoSchedule}]',
      'linuxNodeSelector: {pool: general}',
      'enableRebalanceMonitoring: true',
      'taintNode: true',
      'enablePrometheusServer: true',
      'prometheusServerPort: 9092',
    ].join('\n');
    const { code, out } = await cli(input);
    expect(code).toBe(0);
    const values = parse(out);
    expect(values.mode).toBe('imds');
    expect(values.daemonset.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'general' });
    expect(values.metrics.prometheusServerPort).toBe(9092);
    const rows = table(out);
    expect(rows.get('targetNodeOs')).toMatch(/Linux nodes only/);
    expect(rows.get('windowsTolerations')).toMatch(/Linux nodes only/);
    expect(rows.get('windowsNodeSelector')).toMatch(/Linux nodes only/);
    expect(rows.has('tolerations')).toBe(false);
    const ds = only(await render(out), 'DaemonSet');
    expect(ds.spec.template.spec.tolerations).toEqual([
      { key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' },
    ]);
    expect(ds.spec.template.spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux', pool: 'general' });
  });

  it('carries webhook headers given as a JSON string, reports a bad one', () => {
    expect(migrateValues({ webhookHeaders: '{"Authorization":"Bearer x"}' }).values.webhook).toEqual({
      headers: { Authorization: 'Bearer x' },
    });
    expect(migrateValues({ webhookHeaders: 'nope' }).unmapped).toEqual([
      { key: 'webhookHeaders', reason: 'not a JSON object of headers' },
    ]);
  });

  it('refuses a missing file argument and a non-mapping file with exit 2', async () => {
    expect(await runCli(['migrate-values'], {}, { stdout: () => {}, stderr: () => {} })).toBe(2);
    expect((await cli('- a\n- b\n')).code).toBe(2);
  });
});
