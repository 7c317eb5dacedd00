/**
 * Fencing at the wire (src/actions/fenced-apis.ts): once this replica stops leading, no write leaves,
 * not even from a retry loop that began while it led (a 409 re-read, an eviction back-off).
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ACTUATOR_OPTIONS } from '../../../src/actions/actuator-options.js';
import { fenceNodeApi, fencePodApi } from '../../../src/actions/fenced-apis.js';
import { KubeNodeActuator } from '../../../src/actions/kube-node-actuator.js';
import { updateNode } from '../../../src/actions/node-writer.js';
import { FakeClock } from '../../../src/clock.js';
import { NotLeader } from '../../../src/errors.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { FakeKube } from './fake-kube.js';
import { node, pod } from './pod-builders.js';
import { drainRequestFor, settle } from './world.js';

function fencedWorld() {
  const clock = new FakeClock();
  const kube = new FakeKube(clock);
  kube.addNode(node());
  const lease = { leading: true };
  const canAct = (): boolean => lease.leading;
  const metrics = createMetrics(new Registry(), { version: 'test', mode: 'test' }, { defaultMetrics: false });
  const actuator = new KubeNodeActuator({
    nodes: fenceNodeApi(kube, canAct),
    pods: fencePodApi(kube, canAct),
    clock,
    logger: pino({ level: 'silent' }),
    metrics,
    options: DEFAULT_ACTUATOR_OPTIONS,
    random: () => 1,
  });
  return { clock, kube, lease, canAct, actuator };
}

describe('fenced APIs', () => {
  it('a 409 retry after the lease is lost sends no second patch', async () => {
    const w = fencedWorld();
    // a concurrent writer wins the first patch; meanwhile this replica's lease runs out
    w.kube.beforeNodePatch = () => {
      w.kube.beforeNodePatch = undefined;
      w.kube.writeNode('n1', (n) => ({ ...n, labels: { ...n.labels, other: 'writer' } }));
      w.lease.leading = false;
    };
    const nodes = fenceNodeApi(w.kube, w.canAct);
    const write = updateNode(nodes, 'n1', (n) => ({
      metadata: { resourceVersion: n.resourceVersion },
      spec: { unschedulable: true },
    }));
    await expect(write).rejects.toBeInstanceOf(NotLeader);
    expect(w.kube.count('patchNode')).toBe(1);
    expect(w.kube.nodes.get('n1')?.unschedulable).toBeFalsy();
  });

  it('reads still work when not leading; writes are refused before they are sent', async () => {
    const w = fencedWorld();
    w.lease.leading = false;
    const nodes = fenceNodeApi(w.kube, w.canAct);
    expect((await nodes.getNode('n1'))?.name).toBe('n1');
    await expect(nodes.patchNodeStatus('n1', { status: {} } as never)).rejects.toBeInstanceOf(NotLeader);
    expect(w.kube.count('patchNodeStatus')).toBe(0);
  });

  it('a drain blocked by a PDB stops evicting once the lease is lost, and never deletes', async () => {
    const w = fencedWorld();
    const blocked = w.kube.addPod(pod());
    w.kube.pdbBlocked.set(blocked.uid, 'web-pdb');
    const drain = w.actuator.drain(drainRequestFor(w));
    await settle(w.clock, new Promise((r) => setTimeout(r, 0)), 50, 5_000);
    const evictionsWhileLeading = w.kube.count('evictPod');
    expect(evictionsWhileLeading).toBeGreaterThan(0);
    w.lease.leading = false;
    const result = await settle(w.clock, drain);
    // at most the attempt already in flight when the lease went; no force delete near the deadline
    expect(w.kube.count('evictPod')).toBeLessThanOrEqual(evictionsWhileLeading + 1);
    expect(w.kube.count('deletePod')).toBe(0);
    expect(w.kube.pods.has(blocked.uid)).toBe(true);
    expect(result.result).not.toBe('succeeded');
  });
});
