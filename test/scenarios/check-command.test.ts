/**
 * Story (issue #17): `spot-handler check` tells a user whether an install can work, without acting. Against
 * the simulators (fauxqs, the EC2/Auto Scaling Query API, the Kubernetes API with access reviews, IMDSv2):
 * all ✓ when the setup is right; a missing queue, a denied EC2 action, a missing RBAC verb and a hop limit
 * of 1 each give a ✗ naming the fix. The chart's helm-test pod spec (its env, resolved) runs the check.
 * On a real control plane (TEST_KUBECONFIG): a ServiceAccount token whose ClusterRole lacks one verb of
 * the chart's gives a ✗ naming that verb.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBundle } from '../helpers/daemon.js';
import { onRealCluster } from '../helpers/kube-env.js';
import { startImdsServer, type ImdsServer } from '../../src/sandbox/imds-server.js';
import { renderChart, queueValues, type K8sObject } from '../unit/packaging/helm.js';
import { startQueueWorld, type QueueWorld } from '../helpers/queue-world.js';

/** Runs `spot-handler check` as a process (the test bundle of src/), with only this environment. */
async function check(
  argv: readonly string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string }> {
  const bundle = await testBundle();
  const base = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bundle, 'check', ...argv],
      { env: { ...base, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

const failures = (out: string): string[] => out.split('\n').filter((l) => l.trimStart().startsWith('✗'));

/** The helm-test Pod of a rendered chart. */
function testPod(objects: readonly K8sObject[]): K8sObject {
  const pod = objects.find(
    (o) =>
      o.kind === 'Pod' &&
      (o.metadata.annotations as Record<string, string> | undefined)?.['helm.sh/hook'] === 'test',
  );
  if (!pod) throw new Error('no helm test pod');
  return pod;
}

/** The pod's container env as the kubelet would resolve it (downward API). */
function resolvedEnv(pod: K8sObject, fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of pod.spec.containers[0].env as {
    name: string;
    value?: string;
    valueFrom?: { fieldRef?: { fieldPath: string } };
  }[]) {
    if (e.value !== undefined) out[e.name] = e.value;
    else if (e.valueFrom?.fieldRef) out[e.name] = fields[e.valueFrom.fieldRef.fieldPath] ?? '';
  }
  return out;
}

// each check is a fresh process loading the AWS SDK: seconds, more on a loaded machine
describe.skipIf(onRealCluster())('spot-handler check against the simulators', { timeout: 90_000 }, () => {
  let world: QueueWorld;
  let imds: ImdsServer;
  beforeEach(async () => {
    world = await startQueueWorld();
    imds = await startImdsServer();
  });
  afterEach(async () => {
    await imds.stop();
    await world.stop();
  });

  it('queue mode, right setup: every item ✓ (or – where AWS has no DryRun), exit 0', async () => {
    const started = Date.now();
    const { code, out } = await check(['queue'], world.daemonEnv());
    expect(failures(out)).toEqual([]);
    expect(code).toBe(0);
    expect(out).toContain('✓ sqs:GetQueueAttributes on the queue');
    expect(out).toContain('✓ ec2:DescribeInstances: allowed (DryRun)');
    expect(out).toContain('✓ list nodes: 3 node(s)');
    expect(out).toContain('✓ may update coordination.k8s.io/leases in ');
    expect(out).toContain('✓ autoscaling:DescribeLifecycleHooks: allowed');
    expect(out).toMatch(/– autoscaling:CompleteLifecycleAction.*not checked: Auto Scaling has no DryRun/);
    // nothing was acted on: no node marked, no pod evicted or deleted, no Lease, no Event, no message taken
    const acting = world.kube.requests
      .entries()
      .filter((r) => r.at >= started && r.method !== 'GET')
      .filter((r) => /\/nodes\/[^/]+$|eviction|\/pods\/[^/]+$|leases|events/.test(r.path));
    expect(acting).toEqual([]);
    expect((await world.sqs.counts()).inFlight).toBe(0);
  });

  it('queue mode: a missing queue, a denied EC2 action and a missing RBAC verb are ✗ with their fixes', async () => {
    world.kube.access.deny('', 'nodes/status', 'patch');
    world.aws.fail('DescribeInstances', { code: 'UnauthorizedOperation', status: 403 });
    world.aws.fail('DescribeLifecycleHooks', { code: 'AccessDenied', status: 403 });
    const missing = world.sqs.queueUrl.replace(/[^/]+$/, 'nope');
    const { code, out } = await check(['queue'], world.daemonEnv({ QUEUE_URL: missing }));
    expect(code).toBe(1);
    expect(failures(out)).toEqual([
      expect.stringMatching(/✗ sqs:GetQueueAttributes on the queue: .*QueueDoesNotExist|NonExistentQueue/),
      expect.stringMatching(/✗ ec2:DescribeInstances \(DryRun\): .*UnauthorizedOperation/),
      expect.stringMatching(/✗ autoscaling:DescribeLifecycleHooks: .*AccessDenied/),
      '  ✗ may patch nodes/status (set the node condition): not allowed',
    ]);
    expect(out).toContain('fix: set queue.url (QUEUE_URL) to an existing queue');
    expect(out).toContain('fix: allow ec2:DescribeInstances for the IAM role the pod uses');
    expect(out).toContain('fix: allow autoscaling:DescribeLifecycleHooks for the IAM role the pod uses');
    expect(out).toContain('fix: grant verb "patch" on resource "nodes/status"');
  });

  it('imds mode: reads the identity and this node; a hop limit of 1 is named', async () => {
    const node = world.nodes[0]?.name ?? '';
    const env = {
      ...world.daemonEnv(),
      NODE_NAME: node,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      IMDS_TIMEOUT_MS: '300',
    };
    const good = await check(['imds'], env);
    expect(failures(good.out)).toEqual([]);
    expect(good.out).toContain(`✓ read the instance identity (IMDSv2): ${imds.identity.instanceId}`);
    expect(good.out).toContain(`✓ read this node: ${node}`);
    expect(good.code).toBe(0);

    imds.setNetworkFault('hang-token');
    const hung = await check(['imds'], env);
    expect(hung.code).toBe(1);
    expect(hung.out).toMatch(/✗ read the instance identity \(IMDSv2\): PUT \/latest\/api\/token timed out/);
    expect(hung.out).toMatch(/fix: the IMDSv2 token PUT got no answer: the instance hop limit is 1/);
  });

  it("the chart's helm-test pod runs the check with the daemon's configuration", async () => {
    const pod = testPod(await renderChart(queueValues()));
    expect(pod.spec.containers[0].args).toEqual(['check', 'queue']);
    const env = {
      ...resolvedEnv(pod, {
        'spec.nodeName': 'n1',
        'metadata.name': 'check',
        'metadata.namespace': 'kube-system',
      }),
      // the chart's queue and cluster are stand-ins: point them at the simulators
      ...world.daemonEnv(),
    };
    const { code, out } = await check(pod.spec.containers[0].args.slice(1), env);
    expect(failures(out)).toEqual([]);
    expect(code).toBe(0);
  });
});

const REAL = process.env['TEST_KUBECONFIG'];

describe.skipIf(!REAL)('spot-handler check on a real control plane (TEST_KUBECONFIG)', () => {
  const ns = `spot-handler-check-${Math.random().toString(36).slice(2, 7)}`;
  const dir = mkdtempSync(join(tmpdir(), 'check-real-'));
  const admin = new k8s.KubeConfig();
  let imds: ImdsServer;
  let tokenKubeconfig = '';

  beforeAll(async () => {
    admin.loadFromFile(REAL ?? '');
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedServiceAccount({
      namespace: ns,
      body: { metadata: { name: 'spot-handler' } },
    });
    await core.createNode({ body: { metadata: { name: `${ns}-node` } } });
    // the chart's ClusterRole for IMDS mode, with one verb taken away: patch on nodes/status
    const role = (await renderChart({})).find((o) => o.kind === 'ClusterRole') as K8sObject;
    const rules = (role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]).filter(
      (r) => !(r.resources.length === 1 && r.resources[0] === 'nodes/status'),
    );
    await rbac.createClusterRole({ body: { metadata: { name: ns }, rules } });
    await rbac.createClusterRoleBinding({
      body: {
        metadata: { name: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ns },
        subjects: [{ kind: 'ServiceAccount', name: 'spot-handler', namespace: ns }],
      },
    });
    // a token from the TokenRequest API, as the kubelet mounts one in the pod
    const token = execFileSync(
      'kubectl',
      ['--kubeconfig', REAL ?? '', '-n', ns, 'create', 'token', 'spot-handler'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const cluster = admin.getCurrentCluster();
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...cluster, name: 'real' }],
      users: [{ name: 'sa', token }],
      contexts: [{ name: 'sa', cluster: 'real', user: 'sa' }],
      currentContext: 'sa',
    });
    tokenKubeconfig = join(dir, 'kubeconfig');
    writeFileSync(tokenKubeconfig, kc.exportConfig(), { mode: 0o600 });
    imds = await startImdsServer();
  });

  afterAll(async () => {
    await imds?.stop();
    const core = admin.makeApiClient(k8s.CoreV1Api);
    const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
    await rbac.deleteClusterRoleBinding({ name: ns }).catch(() => undefined);
    await rbac.deleteClusterRole({ name: ns }).catch(() => undefined);
    await core.deleteNode({ name: `${ns}-node` }).catch(() => undefined);
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a ServiceAccount token missing one verb of the chart: ✗ naming it, the rest ✓', async () => {
    const { code, out } = await check(['imds'], {
      KUBECONFIG: tokenKubeconfig,
      NODE_NAME: `${ns}-node`,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
    });
    expect(failures(out)).toEqual(['  ✗ may patch nodes/status (set the node condition): not allowed']);
    expect(out).toContain('fix: grant verb "patch" on resource "nodes/status"');
    expect(out).toContain(`✓ read this node: ${ns}-node`);
    expect(out).toContain('✓ may create pods/eviction (evict pods)');
    expect(code).toBe(1);
  });
});
