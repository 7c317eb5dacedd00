import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { failureStatus } from './failure-status.js';

let sim: KubeApiSimulator;
let core: k8s.CoreV1Api;
let coord: k8s.CoordinationV1Api;

beforeEach(async () => {
  sim = await startKubeApiSimulator();
  const kc = kubeConfigForUrl(sim.url);
  core = kc.makeApiClient(k8s.CoreV1Api);
  coord = kc.makeApiClient(k8s.CoordinationV1Api);
});
afterEach(async () => {
  await sim.stop();
});

function pod(name: string, nodeName?: string, labels: Record<string, string> = {}): k8s.V1Pod {
  return {
    metadata: { name, labels },
    spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
  };
}

async function apiError(p: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    const e = err as k8s.ApiException<string>;
    return { code: e.code, body: JSON.parse(e.body) };
  }
  throw new Error('expected an ApiException');
}

describe('create and get', () => {
  it('fills uid, creationTimestamp, resourceVersion and pod defaults', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('web-1', 'n1') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.creationTimestamp).toBeInstanceOf(Date);
    expect(Number(created.metadata?.resourceVersion)).toBeGreaterThan(0);
    expect(created.spec?.terminationGracePeriodSeconds).toBe(30);
    expect(created.status?.phase).toBe('Pending');
    const read = await core.readNamespacedPod({ name: 'web-1', namespace: 'default' });
    expect(read.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('answers 409 AlreadyExists with the real Status body', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('dup') });
    const err = await apiError(core.createNamespacedPod({ namespace: 'default', body: pod('dup') }));
    expect(err.code).toBe(409);
    expect(err.body).toEqual(
      failureStatus({
        message: 'pods "dup" already exists',
        reason: 'AlreadyExists',
        details: { name: 'dup', kind: 'pods' },
        code: 409,
      }),
    );
  });

  it('generates names from generateName', async () => {
    const created = await core.createNamespacedPod({
      namespace: 'default',
      body: { ...pod(''), metadata: { generateName: 'web-' } },
    });
    expect(created.metadata?.name).toMatch(/^web-[a-z0-9]{5}$/);
  });

  it('gives 404 for a missing namespace and a missing object', async () => {
    const ns = await apiError(core.createNamespacedPod({ namespace: 'nope', body: pod('x') }));
    expect(ns.code).toBe(404);
    expect(ns.body['message']).toBe('namespaces "nope" not found');
    const missing = await apiError(core.readNode({ name: 'ghost' }));
    expect(missing.code).toBe(404);
    expect(missing.body['message']).toBe('nodes "ghost" not found');
  });

  it('taints new nodes not-ready like TaintNodesByCondition', async () => {
    const node = await core.createNode({ body: { metadata: { name: 'n1' } } });
    expect(node.spec?.taints).toEqual([{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  });
});

describe('update', () => {
  it('rejects a stale resourceVersion with 409 Conflict and the real message', async () => {
    const spec = { holderIdentity: 'a', leaseDurationSeconds: 15 };
    const lease = await coord.createNamespacedLease({
      namespace: 'kube-system',
      body: { metadata: { name: 'l' }, spec },
    });
    const rv = lease.metadata?.resourceVersion;
    await coord.replaceNamespacedLease({
      name: 'l',
      namespace: 'kube-system',
      body: { metadata: { name: 'l', resourceVersion: rv }, spec: { ...spec, holderIdentity: 'b' } },
    });
    const err = await apiError(
      coord.replaceNamespacedLease({
        name: 'l',
        namespace: 'kube-system',
        body: { metadata: { name: 'l', resourceVersion: rv }, spec: { ...spec, holderIdentity: 'c' } },
      }),
    );
    expect(err.code).toBe(409);
    expect(err.body['reason']).toBe('Conflict');
    expect(err.body['message']).toBe(
      'Operation cannot be fulfilled on leases.coordination.k8s.io "l": the object has been modified; please apply your changes to the latest version and try again',
    );
  });

  it('does not bump the resourceVersion for a no-op patch', async () => {
    await core.createNode({ body: { metadata: { name: 'n1', labels: { a: '1' } } } });
    const before = await core.readNode({ name: 'n1' });
    const after = await core.patchNode(
      { name: 'n1', body: { metadata: { labels: { a: '1' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    expect(after.metadata?.resourceVersion).toBe(before.metadata?.resourceVersion);
  });

  it('keeps status on main-resource writes and spec on status writes', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('p', 'n1') });
    await core.patchNamespacedPodStatus(
      {
        name: 'p',
        namespace: 'default',
        body: { status: { phase: 'Running' }, spec: { nodeName: 'other' } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const p1 = await core.readNamespacedPod({ name: 'p', namespace: 'default' });
    expect(p1.status?.phase).toBe('Running');
    expect(p1.spec?.nodeName).toBe('n1');
    await core.patchNamespacedPod(
      {
        name: 'p',
        namespace: 'default',
        body: { status: { phase: 'Failed' }, metadata: { labels: { x: 'y' } } },
      },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    const p2 = await core.readNamespacedPod({ name: 'p', namespace: 'default' });
    expect(p2.status?.phase).toBe('Running');
    expect(p2.metadata?.labels).toEqual({ x: 'y' });
  });
});

describe('list', () => {
  it('selects by spec.nodeName, labels and pages with limit/continue', async () => {
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedPod({
        namespace: 'default',
        body: pod(`a-${i}`, 'n1', { app: i % 2 ? 'odd' : 'even' }),
      });
    }
    await core.createNamespacedPod({ namespace: 'default', body: pod('b-0', 'n2', { app: 'even' }) });
    const onN1 = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1' });
    expect(onN1.items.map((p) => p.metadata?.name)).toEqual(['a-0', 'a-1', 'a-2', 'a-3', 'a-4']);
    const even = await core.listNamespacedPod({
      namespace: 'default',
      labelSelector: 'app in (even),app!=odd',
    });
    expect(even.items.map((p) => p.metadata?.name)).toEqual(['a-0', 'a-2', 'a-4', 'b-0']);
    const page1 = await core.listNamespacedPod({ namespace: 'default', limit: 4 });
    expect(page1.items).toHaveLength(4);
    expect(page1.metadata?.remainingItemCount).toBe(2);
    const page2 = await core.listNamespacedPod({
      namespace: 'default',
      limit: 4,
      _continue: page1.metadata!._continue!,
    });
    expect(page2.items.map((p) => p.metadata?.name)).toEqual(['a-4', 'b-0']);
    expect(page2.metadata?._continue).toBeUndefined();
  });

  it('answers 400 for an unsupported field selector', async () => {
    const err = await apiError(core.listPodForAllNamespaces({ fieldSelector: 'metadata.labels.app=x' }));
    expect(err.code).toBe(400);
    expect(err.body['message']).toBe('field label not supported: metadata.labels.app');
  });
});
