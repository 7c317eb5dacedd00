/**
 * Story (issue #17): `spot-handler check` tells a user whether an install can work, without acting. Against
 * the simulators (fauxqs, the EC2/Auto Scaling Query API, the Kubernetes API with access reviews, IMDSv2):
 * all ✓ when the setup is right; a missing queue, a denied EC2 action, a missing RBAC verb and a hop limit
 * of 1 each give a ✗ naming the fix. The chart's helm-test pod spec (its env, resolved) runs the check.
 * On a real control plane (TEST_KUBECONFIG, `npm run test:real`): a ServiceAccount token bound to the
 * chart's own RBAC less one verb gives a ✗ naming that verb; the chart's RBAC in full gives every
 * Kubernetes item ✓ and exit 0; a token the server rejects (401) names the credentials.
 */
import { execFile } from 'node:child_process';
import * as k8s from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testBundle } from '../helpers/daemon.js';
import { onRealCluster } from '../helpers/kube-env.js';
import { startImdsServer, type ImdsServer } from '../../src/sandbox/imds-server.js';
import { renderChart, queueValues, type K8sObject } from '../unit/packaging/helm.js';
import { queueAwsEnv, startQueueWorld, type QueueWorld } from '../helpers/queue-world.js';
import { realServiceAccount, type RealServiceAccount } from '../helpers/real-service-account.js';
import { startAwsQueryServer } from '../../src/sandbox/aws-query-server.js';
import { startSqs } from '../../src/sandbox/fauxqs.js';

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

/** The ✓ items of a checklist that concern Kubernetes (the node read or list, and the access reviews). */
const kubeOk = (out: string): string[] =>
  out.split('\n').filter((l) => /^\s*✓ (may |read this node|list nodes)/.test(l));

// npm run test:real (vitest.real.config.ts): the real API server answers the access reviews and the node
// reads for a ServiceAccount token bound to the chart's own (Cluster)Role, one verb taken away
describe.skipIf(!REAL)(
  'spot-handler check on a real control plane (TEST_KUBECONFIG)',
  { timeout: 90_000 },
  () => {
    let imds: ImdsServer;
    let sa: RealServiceAccount | undefined;
    const nodes: string[] = [];
    const admin = new k8s.KubeConfig();

    beforeAll(async () => {
      admin.loadFromFile(REAL ?? '');
      imds = await startImdsServer();
    });
    afterEach(async () => {
      await sa?.stop();
      sa = undefined;
      const core = admin.makeApiClient(k8s.CoreV1Api);
      for (const name of nodes.splice(0)) await core.deleteNode({ name }).catch(() => undefined);
    });
    afterAll(async () => {
      await imds?.stop();
    });

    it('imds mode: a token missing one verb of the chart gives ✗ naming it; once granted, all ✓ and exit 0', async () => {
      sa = await realServiceAccount({
        realKubeconfig: REAL ?? '',
        values: {},
        missing: { group: '', resource: 'nodes/status', verb: 'patch' },
      });
      const node = `${sa.namespace}-node`;
      await admin.makeApiClient(k8s.CoreV1Api).createNode({ body: { metadata: { name: node } } });
      nodes.push(node);
      const env = {
        KUBECONFIG: sa.kubeconfigPath,
        NODE_NAME: node,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      };

      const before = await check(['imds'], env);
      expect(failures(before.out)).toEqual([
        '  ✗ may patch nodes/status (set the node condition): not allowed',
      ]);
      expect(before.out).toContain(
        'fix: grant verb "patch" on resource "nodes/status" in the core API group',
      );
      expect(before.out).toContain(`✓ read this node: ${node}`);
      expect(before.out).toContain('✓ may create pods/eviction (evict pods)');
      expect(before.code).toBe(1);

      await sa.grant();
      const after = await check(['imds'], env);
      expect(failures(after.out)).toEqual([]);
      expect(after.out).toContain('✓ may patch nodes/status (set the node condition)');
      expect(kubeOk(after.out)).toHaveLength(kubeOk(before.out).length + 1);
      expect(after.code).toBe(0);
    });

    it('queue mode: a token missing "update leases" gives ✗ naming the Lease; the full chart RBAC gives all ✓', async () => {
      const values = queueValues();
      sa = await realServiceAccount({
        realKubeconfig: REAL ?? '',
        values,
        missing: { group: 'coordination.k8s.io', resource: 'leases', verb: 'update' },
      });
      const sqs = await startSqs({});
      const aws = await startAwsQueryServer();
      try {
        const env = {
          ...queueAwsEnv(sqs, aws),
          KUBECONFIG: sa.kubeconfigPath,
          POD_NAMESPACE: sa.namespace,
          LEASE_NAMESPACE: sa.namespace,
          LEASE_NAME: sa.leaseName ?? '',
        };
        const before = await check(['queue'], env);
        expect(failures(before.out)).toEqual([
          `  ✗ may update coordination.k8s.io/leases in ${sa.namespace}/${sa.leaseName} (renew the leader Lease): not allowed`,
        ]);
        expect(before.out).toContain(
          'fix: grant verb "update" on resource "leases" in API group "coordination.k8s.io"',
        );
        expect(before.out).toMatch(/✓ list nodes: \d+ node\(s\)/);
        expect(before.code).toBe(1);

        await sa.grant();
        const after = await check(['queue'], env);
        expect(failures(after.out)).toEqual([]);
        expect(kubeOk(after.out)).toHaveLength(kubeOk(before.out).length + 1);
        expect(after.out).toContain('✓ may watch nodes (keep the node index current)');
        expect(after.code).toBe(0);
      } finally {
        await sqs.stop();
        await aws.stop();
      }
    });

    it('a token the server does not accept: ✗ on the first Kubernetes call naming the credentials', async () => {
      sa = await realServiceAccount({ realKubeconfig: REAL ?? '', values: {} });
      const { code, out } = await check(['imds'], {
        KUBECONFIG: sa.badTokenKubeconfig(),
        NODE_NAME: `${sa.namespace}-node`,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      });
      expect(failures(out)[0]).toMatch(/✗ read this node: .*HTTP 401/);
      expect(out).toContain('fix: the API server rejects the credentials');
      expect(code).toBe(1);
    });
  },
);
