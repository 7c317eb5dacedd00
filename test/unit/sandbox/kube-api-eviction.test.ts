import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { failureStatus } from './failure-status.js';

let sim: KubeApiSimulator;
let core: k8s.CoreV1Api;
let policy: k8s.PolicyV1Api;
let apps: k8s.AppsV1Api;
const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);

beforeEach(async () => {
  sim = await startKubeApiSimulator({ scheduler: 'none' });
  const kc = kubeConfigForUrl(sim.url);
  core = kc.makeApiClient(k8s.CoreV1Api);
  policy = kc.makeApiClient(k8s.PolicyV1Api);
  apps = kc.makeApiClient(k8s.AppsV1Api);
});
afterEach(async () => {
  await sim.stop();
});

async function makePod(
  name: string,
  opts: { ready?: boolean; owner?: k8s.V1ReplicaSet; labels?: Record<string, string> } = {},
) {
  const owner = opts.owner;
  await core.createNamespacedPod({
    namespace: 'default',
    body: {
      metadata: {
        name,
        labels: opts.labels ?? { app: 'web' },
        ...(owner
          ? {
              ownerReferences: [
                {
                  apiVersion: 'apps/v1',
                  kind: 'ReplicaSet',
                  name: owner.metadata!.name!,
                  uid: owner.metadata!.uid!,
                  controller: true,
                },
              ],
            }
          : {}),
      },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
    },
  });
  if (opts.ready ?? true) await markReady(name);
}

async function markReady(name: string): Promise<void> {
  await core.patchNamespacedPodStatus(
    {
      name,
      namespace: 'default',
      body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } },
    },
    merge,
  );
}

async function pdb(name: string, spec: k8s.V1PodDisruptionBudgetSpec): Promise<void> {
  await policy.createNamespacedPodDisruptionBudget({
    namespace: 'default',
    body: { metadata: { name }, spec },
  });
}

async function readPdb(name: string): Promise<k8s.V1PodDisruptionBudgetStatus> {
  await new Promise((r) => setImmediate(r));
  return (await policy.readNamespacedPodDisruptionBudget({ name, namespace: 'default' })).status!;
}

async function evict(
  name: string,
  extra: Record<string, unknown> = {},
  query = '',
): Promise<{ status: number; body: { [k: string]: unknown; message?: string; reason?: string } }> {
  const res = await fetch(`${sim.url}/api/v1/namespaces/default/pods/${name}/eviction${query}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name, namespace: 'default' },
      ...extra,
    }),
  });
  return {
    status: res.status,
    body: (await res.json()) as { [k: string]: unknown; message?: string; reason?: string },
  };
}

const selector = { matchLabels: { app: 'web' } };

describe('eviction', () => {
  it('refuses with 429 and the real body when the budget is exhausted', async () => {
    await makePod('web-1');
    await makePod('web-2');
    await pdb('web-pdb', { minAvailable: 2, selector });
    const res = await evict('web-1');
    expect(res.status).toBe(429);
    expect(res.body).toEqual(
      failureStatus({
        message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests',
        details: {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
            },
          ],
        },
        code: 429,
      }),
    );
    const err = await core
      .createNamespacedPodEviction({
        name: 'web-1',
        namespace: 'default',
        body: { metadata: { name: 'web-1' } },
      })
      .catch((e: unknown) => e);
    expect((err as k8s.ApiException<string>).code).toBe(429);
  });

  it('evicts when allowed: 201, deletionTimestamp, disruptedPods, budget drops at once', async () => {
    await makePod('web-1');
    await makePod('web-2');
    await pdb('web-pdb', { minAvailable: 1, selector });
    expect((await readPdb('web-pdb')).disruptionsAllowed).toBe(1);
    const res = await evict('web-1', { deleteOptions: { gracePeriodSeconds: 7 } });
    expect(res).toEqual({
      status: 201,
      body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 },
    });
    const pod = await core.readNamespacedPod({ name: 'web-1', namespace: 'default' });
    expect(pod.metadata?.deletionGracePeriodSeconds).toBe(7);
    expect(pod.metadata?.deletionTimestamp).toBeInstanceOf(Date);
    const status = sim.store.get('policy/poddisruptionbudgets', 'default', 'web-pdb')!.status!;
    expect(status['disruptionsAllowed']).toBe(0);
    expect((await evict('web-2')).status).toBe(429);
    // the evicted pod still terminates; evicting it again skips the PDB
    expect((await evict('web-1')).status).toBe(201);
  });

  it('lets Pending pods go regardless of the budget, but not Running unready ones', async () => {
    await makePod('web-1');
    await makePod('web-2', { ready: false });
    await makePod('web-3', { ready: false });
    await core.patchNamespacedPodStatus(
      { name: 'web-3', namespace: 'default', body: { status: { phase: 'Running' } } },
      merge,
    );
    await pdb('web-pdb', { minAvailable: 1, selector });
    expect((await readPdb('web-pdb')).disruptionsAllowed).toBe(0);
    expect((await evict('web-2')).status).toBe(201);
    expect((await evict('web-1')).status).toBe(429);
  });

  it('answers 500 for a pod matched by two PDBs and 404 for a missing pod', async () => {
    await makePod('web-1');
    await pdb('a', { minAvailable: 0, selector });
    await pdb('b', { maxUnavailable: 1, selector });
    const res = await evict('web-1');
    expect(res.status).toBe(500);
    // as a real 1.24 server answers: no reason, no details
    expect(res.body.reason).toBeUndefined();
    expect(res.body.message).toBe(
      'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    );
    const missing = await evict('ghost');
    expect(missing.status).toBe(404);
    expect(missing.body.message).toBe('pods "ghost" not found');
  });

  it('honours dryRun=All and a UID precondition', async () => {
    await makePod('web-1');
    await makePod('web-2');
    await pdb('web-pdb', { minAvailable: 1, selector });
    expect((await evict('web-1', {}, '?dryRun=All')).status).toBe(201);
    const pod = await core.readNamespacedPod({ name: 'web-1', namespace: 'default' });
    expect(pod.metadata?.deletionTimestamp).toBeUndefined();
    expect((await readPdb('web-pdb')).disruptionsAllowed).toBe(1);
    const res = await evict('web-1', { deleteOptions: { preconditions: { uid: 'other' } } });
    expect(res.status).toBe(409);
    expect(res.body.message).toBe(
      `Operation cannot be fulfilled on Pod "web-1": the UID in the precondition (other) does not match the UID in record (${pod.metadata!.uid}). The object might have been deleted and then recreated`,
    );
  });

  it('accepts policy/v1beta1 Eviction bodies', async () => {
    await makePod('web-1');
    const res = await evict('web-1', { apiVersion: 'policy/v1beta1' });
    expect(res.status).toBe(201);
  });
});

describe('PDB status', () => {
  async function replicaSet(replicas: number): Promise<k8s.V1ReplicaSet> {
    return apps.createNamespacedReplicaSet({
      namespace: 'default',
      body: {
        metadata: { name: 'web-rs' },
        spec: {
          replicas,
          selector,
          template: {
            metadata: { labels: { app: 'web' } },
            spec: { containers: [{ name: 'c', image: 'x' }] },
          },
        },
      },
    });
  }

  it.each([
    [{ minAvailable: 2 }, 4, 3, 2, 1],
    [{ minAvailable: '50%' }, 4, 3, 2, 1],
    [{ minAvailable: '30%' }, 4, 3, 2, 1],
    [{ maxUnavailable: 1 }, 4, 3, 3, 0],
    [{ maxUnavailable: '25%' }, 4, 4, 3, 1],
    [{ maxUnavailable: '10%' }, 4, 4, 3, 1],
  ])('%j with %i pods, %i ready → desired %i, allowed %i', async (spec, pods, ready, desired, allowed) => {
    const rs = await replicaSet(pods);
    for (let i = 0; i < pods; i++) await makePod(`web-${i}`, { ready: i < ready, owner: rs });
    await pdb('p', { ...spec, selector });
    const status = await readPdb('p');
    expect(status.expectedPods).toBe(pods);
    expect(status.currentHealthy).toBe(ready);
    expect(status.desiredHealthy).toBe(desired);
    expect(status.disruptionsAllowed).toBe(allowed);
    expect(status.observedGeneration).toBe(1);
  });

  it('recovers the budget when the ReplicaSet replacement becomes Ready', async () => {
    const sim2 = sim;
    const rs = await replicaSet(2);
    await makePod('web-0', { owner: rs });
    await makePod('web-1', { owner: rs });
    await pdb('p', { minAvailable: 1, selector });
    expect((await evict('web-0')).status).toBe(201);
    await new Promise((r) => setImmediate(r));
    const pods = sim2.store.list('pods', { namespace: 'default' }).map((p) => p.metadata.name!);
    const replacement = pods.find((n) => n.startsWith('web-rs-'));
    expect(replacement).toBeDefined();
    expect((await evict('web-1')).status).toBe(429);
    await markReady(replacement!);
    expect((await readPdb('p')).disruptionsAllowed).toBe(1);
    expect((await evict('web-1')).status).toBe(201);
  });
});
