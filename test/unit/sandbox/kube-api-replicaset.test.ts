import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { ObjectOps, core } from '../../../src/sandbox/kube-api/object-ops.js';
import { ReplicaSetController } from '../../../src/sandbox/kube-api/replicaset-controller.js';
import { leastPodsScheduler } from '../../../src/sandbox/kube-api/scheduler.js';
import { ObjectStore } from '../../../src/sandbox/kube-api/object-store.js';
import type { KubeObject } from '../../../src/sandbox/kube-api/types.js';

function world() {
  const store = new ObjectStore();
  const ops = new ObjectOps(store, new FakeClock(), { taintNewNodes: false });
  ops.create(core.namespaces, '', { metadata: { name: 'default' } });
  for (const name of ['n1', 'n2', 'n3']) ops.create(core.nodes, '', { metadata: { name } });
  const controller = new ReplicaSetController(ops, leastPodsScheduler);
  const rs = ops.create(core.replicasets, 'default', {
    metadata: { name: 'web' },
    spec: {
      replicas: 3,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    },
  });
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid ?? '' };
  for (const [i, node] of ['n1', 'n1', 'n2'].entries())
    ops.create(core.pods, 'default', {
      metadata: { name: `web-${i}`, ownerReferences: [{ ...owner, controller: true }] },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] },
    });
  const settle = () => new Promise((r) => setImmediate(r));
  const pods = () => store.list('pods', { namespace: 'default' });
  const terminate = (p: KubeObject) =>
    store.put('pods', { ...p, metadata: { ...p.metadata, deletionTimestamp: '2026-11-29T10:00:00Z' } });
  return { store, controller, pods, terminate, settle };
}

describe('ReplicaSetController', () => {
  it('keeps spec.replicas active pods through many terminations and deletions (counts kept per event)', async () => {
    const w = world();
    for (let round = 0; round < 5; round++) {
      const active = w.pods().filter((p) => p.metadata.deletionTimestamp === undefined);
      expect(active).toHaveLength(3);
      const victim = active[round % active.length]!;
      w.terminate(victim);
      await w.settle();
      if (round % 2 === 0) w.store.remove('pods', 'default', victim.metadata.name ?? '');
      await w.settle();
    }
    const active = w.pods().filter((p) => p.metadata.deletionTimestamp === undefined);
    expect(active).toHaveLength(3);
    expect(w.pods()).toHaveLength(3 + 2); // the two terminated but never removed pods stay
    w.controller.stop();
  });

  it('places replacements on the least loaded schedulable node', async () => {
    const w = world();
    w.terminate(w.pods().find((p) => p.metadata.name === 'web-0')!);
    await w.settle();
    const replacement = w
      .pods()
      .find((p) => p.metadata.name?.startsWith('web-') && p.metadata.name.length > 6);
    expect(w.pods()).toHaveLength(4);
    expect(replacement?.spec?.['nodeName']).toBe('n3');
    w.controller.stop();
  });
});
