/**
 * `helm test` (issue #17): the chart's test hook renders in both modes, and its pod runs `spot-handler
 * check` as the workload would run the daemon: the release's ServiceAccount, the same image, environment,
 * volumes and security context, and in IMDS mode the same network path and kind of node. NOTES.txt tells
 * the user to run it. (test/scenarios/check-command.test.ts runs the pod's command with its env.)
 */
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHART, helm, KUBE_VERSION, only, parseManifests, queueValues, renderChart } from './helm.js';
import type { K8sObject } from './helm.js';

function hookPods(objects: readonly K8sObject[]): K8sObject[] {
  return objects.filter(
    (o) => (o.metadata['annotations'] as Record<string, string> | undefined)?.['helm.sh/hook'] === 'test',
  );
}

const webhook = { webhook: { url: 'https://hooks.example.com/x', headers: { Authorization: 'Bearer t' } } };

describe.concurrent.each([
  ['imds', {}, 'DaemonSet'],
  ['imds', { ...webhook, daemonset: { spotOnly: true, hostNetwork: false } }, 'DaemonSet'],
  ['queue', queueValues(), 'Deployment'],
  [
    'queue',
    queueValues({ ...webhook, serviceAccount: { roleArn: 'arn:aws:iam::111122223333:role/spot-handler' } }),
    'Deployment',
  ],
])('%s mode: the helm test pod (%j)', (mode, values, kind) => {
  it('is the one test hook: a Pod that runs `check <mode>` once, deleted before the next test', async () => {
    const objects = await renderChart(values);
    const hooks = hookPods(objects);
    expect(hooks.map((o) => o.kind)).toEqual(['Pod']);
    const pod = hooks[0]!;
    expect(pod.metadata.annotations).toMatchObject({ 'helm.sh/hook-delete-policy': 'before-hook-creation' });
    expect(pod.metadata.namespace).toBe('kube-system');
    expect(pod.spec.restartPolicy).toBe('Never');
    expect(pod.spec.containers).toHaveLength(1);
    expect(pod.spec.containers[0].args).toEqual(['check', mode]);
    // no selector labels: the Service, the PodMonitor and the PDB do not pick it up
    const selector = only(objects, kind).spec.selector.matchLabels as Record<string, string>;
    const labels = pod.metadata.labels ?? {};
    expect(Object.entries(selector).every(([k, v]) => labels[k] === v)).toBe(false);
  });

  it("runs with the release's ServiceAccount and the workload's image, env, volumes and security", async () => {
    const objects = await renderChart(values);
    const pod = hookPods(objects)[0]!.spec;
    const workload = only(objects, kind).spec.template.spec;
    const sa = only(objects, 'ServiceAccount').metadata.name;
    expect(pod.serviceAccountName).toBe(sa);
    expect(workload.serviceAccountName).toBe(sa);
    expect(pod.automountServiceAccountToken).toBe(true);
    const [check, daemon] = [pod.containers[0], workload.containers[0]];
    expect(check.image).toBe(daemon.image);
    expect(check.env).toEqual(daemon.env);
    expect(check.volumeMounts).toEqual(daemon.volumeMounts);
    expect(pod.volumes).toEqual(workload.volumes);
    expect(check.securityContext).toEqual(daemon.securityContext);
    expect(pod.securityContext).toEqual(workload.securityContext);
    expect(pod.nodeSelector).toEqual(workload.nodeSelector);
    expect(pod.tolerations).toEqual(workload.tolerations);
    if (mode === 'imds') {
      // the check reads the IMDS of the node it runs on: the DaemonSet's network path and nodes
      expect(pod.hostNetwork).toBe(workload.hostNetwork);
      expect(pod.dnsPolicy).toBe(workload.dnsPolicy);
      expect(pod.affinity).toEqual(workload.affinity);
    }
  });
});

describe('plain manifests', () => {
  it('deploy/ (rendered without hooks) holds no test pod', async () => {
    for (const file of ['deploy/imds/spot-handler.yaml', 'deploy/queue/spot-handler.yaml']) {
      const objects = parseManifests(await readFile(join(CHART, '../..', file), 'utf8'));
      expect(hookPods(objects)).toEqual([]);
      expect(objects.some((o) => o.kind === 'Pod')).toBe(false);
    }
  });
});

/**
 * NOTES.txt as helm renders it for these values. `helm template` leaves NOTES out, so a copy of the chart
 * gets a template that includes the NOTES text (unchanged, through the same helpers and values).
 */
async function renderNotes(values: object): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'spot-handler-notes-'));
  try {
    const chart = join(dir, 'spot-handler');
    await cp(CHART, chart, { recursive: true });
    const notes = await readFile(join(chart, 'templates/NOTES.txt'), 'utf8');
    await writeFile(
      join(chart, 'templates/_notes-test.tpl'),
      `{{- define "notes-test" -}}\n${notes}{{- end }}\n`,
    );
    await writeFile(
      join(chart, 'templates/notes-test.yaml'),
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ include "notes-test" . | toJson }}\n',
    );
    const out = await helm(
      [
        'template',
        'sh',
        chart,
        '--namespace',
        'kube-system',
        '--kube-version',
        KUBE_VERSION,
        '--show-only',
        'templates/notes-test.yaml',
      ],
      values,
    );
    if (!out.ok) throw new Error(out.stderr);
    return only(parseManifests(out.stdout), 'ConfigMap').data.notes as string;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe.concurrent('NOTES.txt', () => {
  it.each([
    ['imds', {}],
    ['queue', queueValues()],
  ])('%s mode: tells the user to run helm test for this release', async (_mode, values) => {
    const notes = await renderNotes(values);
    expect(notes).toContain('helm test sh -n kube-system --logs');
    expect(notes).toMatch(
      /Check that this install can work \(IAM, RBAC, the queue, IMDS; it changes nothing\)/,
    );
  });
});
