import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';

let sim: KubeApiSimulator;
let core: k8s.CoreV1Api;
beforeEach(async () => {
  sim = await startKubeApiSimulator();
  core = kubeConfigForUrl(sim.url).makeApiClient(k8s.CoreV1Api);
});
afterEach(async () => {
  await sim.stop();
});

const pod = (name: string, nodeName: string): k8s.V1Pod => ({
  metadata: { name },
  spec: { nodeName, containers: [{ name: 'c', image: 'x' }] },
});

async function watchLines(
  query: string,
  count: number,
): Promise<
  { type: string; object: Record<string, never> & { metadata: { name: string }; message: string } }[]
> {
  const res = await fetch(`${sim.url}/api/v1/pods?watch=true&${query}`);
  const reader = res.body!.getReader();
  let text = '';
  const lines = () => text.split('\n').filter((l) => l !== '');
  while (lines().length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    text += new TextDecoder().decode(value);
  }
  await reader.cancel();
  return lines().map((l) => JSON.parse(l));
}

describe('watch', () => {
  it('replays from a resourceVersion with selector transitions', async () => {
    const created = await core.createNamespacedPod({ namespace: 'default', body: pod('a', 'n1') });
    const rv = created.metadata!.resourceVersion!;
    await core.createNamespacedPod({ namespace: 'default', body: pod('b', 'n2') });
    await core.deleteNamespacedPod({ name: 'a', namespace: 'default', gracePeriodSeconds: 0 });
    const events = await watchLines(`resourceVersion=${rv}&fieldSelector=spec.nodeName%3Dn1`, 2);
    expect(events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['MODIFIED a', 'DELETED a']);
  });

  it('sends ADDED for existing objects without a resourceVersion', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('a', 'n1') });
    const events = await watchLines('', 1);
    expect(events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'a' } } });
  });

  it('answers a compacted resourceVersion with an in-stream 410 Expired', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: pod('a', 'n1') });
    sim.compact();
    const events = await watchLines('resourceVersion=1', 1);
    expect(events[0]!.type).toBe('ERROR');
    expect(events[0]!.object).toMatchObject({
      kind: 'Status',
      status: 'Failure',
      reason: 'Expired',
      code: 410,
    });
    expect(events[0]!.object.message).toMatch(/^too old resource version: 1 \(\d+\)$/);
  });
});

describe('patch types and faults', () => {
  it('applies strategic merge to conditions by type and JSON patch with ~1 escapes', async () => {
    await core.createNode({ body: { metadata: { name: 'n1', labels: { 'a/b': 'x' } } } });
    const smp = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
    const cond = (type: string, status: string) => ({ type, status });
    await core.patchNodeStatus(
      { name: 'n1', body: { status: { conditions: [cond('Ready', 'True'), cond('X', 'False')] } } },
      smp,
    );
    await core.patchNodeStatus({ name: 'n1', body: { status: { conditions: [cond('X', 'True')] } } }, smp);
    const node = await core.readNode({ name: 'n1' });
    expect(node.status?.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['Ready=True', 'X=True']);
    await core.patchNode({ name: 'n1', body: [{ op: 'remove', path: '/metadata/labels/a~1b' }] });
    expect((await core.readNode({ name: 'n1' })).metadata?.labels).toEqual({});
    const res = await fetch(`${sim.url}/api/v1/nodes/n1`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
      body: '{}',
    });
    expect(res.status).toBe(415);
  });

  it('injects a status a given number of times, with Retry-After', async () => {
    const id = sim.faults.add({
      path: /^\/api\/v1\/nodes/,
      method: 'GET',
      status: 429,
      retryAfterSeconds: 2,
      count: 1,
    });
    const first = await fetch(`${sim.url}/api/v1/nodes`);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('2');
    expect((await fetch(`${sim.url}/api/v1/nodes`)).status).toBe(200);
    expect(sim.faults.hits(id)).toBe(1);
    expect(sim.requests.count({ path: '/api/v1/nodes', status: 429 })).toBe(1);
  });
});
