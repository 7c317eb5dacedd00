/**
 * Story: a spot interruption drains a node through the real adapters (client-node, keep-alive, rate
 * limiter) against the API simulator or a real API server; the kubelet simulator finishes pod deletions 100 ms
 * after SIGTERM. Markers, cordon, taint and condition land on the node and are removed by unmark.
 */
import { describe, expect, it } from 'vitest';
import { buildDrainWorld, drainScenario, N1, N2 } from './drain-support.js';

const drain = drainScenario();

describe('drain against the API simulator', () => {
  it('marks, cordons and drains 30 pods; conditions and taints land on the node', async () => {
    const core = drain.env.core;
    await buildDrainWorld(drain.env, {
      nodes: [N1, N2],
      apps: [{ name: 'web', replicas: 30, nodes: [N1], shutdownMs: 100 }],
    });
    const { actuator: act } = drain.makeActuator();
    const deadlineMs = Date.now() + 120_000;
    const marking = {
      kind: 'spot-interruption' as const,
      eventId: 'e-1',
      deadlineMs,
      noticedAtMs: Date.now(),
    };
    await act.cordon(N1, marking, 'draining');
    await act.setPhase(N1, 'draining', 'evicting');
    const started = Date.now();
    const result = await act.drain({
      nodeName: N1,
      kind: 'spot-interruption',
      eventId: 'e-1',
      deadlineMs,
      urgent: true,
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 30, podsRemaining: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
    const left = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${N1}` });
    expect(left.items).toHaveLength(0);
    const node = await core.readNode({ name: N1 });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints?.map((t) => t.key)).toContain('spot-handler/spot-interruption');
    expect(node.status?.conditions?.find((c) => c.type === 'SpotHandlerDrain')?.reason).toBe('Draining');
    const state = await act.getNode(N1);
    expect(state?.phase).toBe('draining');
    await act.unmark(N1);
    const after = await core.readNode({ name: N1 });
    expect(after.spec?.unschedulable ?? false).toBe(false);
    expect((after.spec?.taints ?? []).some((t) => t.key.startsWith('spot-handler/'))).toBe(false);
  });

  it('keeps a taint another client writes concurrently (409 on the stale resourceVersion, re-read)', async () => {
    const core = drain.env.core;
    await buildDrainWorld(drain.env, { nodes: [N1] });
    const { actuator: act } = drain.makeActuator();
    const marks = Array.from({ length: 5 }, (_, i) =>
      act.cordon(N1, {
        kind: i % 2 === 0 ? 'spot-interruption' : 'rebalance-recommendation',
        eventId: `e-${i}`,
        deadlineMs: Date.now() + 60_000,
        noticedAtMs: Date.now(),
      }),
    );
    await Promise.all(marks);
    const keys = ((await core.readNode({ name: N1 })).spec?.taints ?? []).map((t) => t.key).sort();
    expect(keys).toEqual(
      expect.arrayContaining(['spot-handler/rebalance-recommendation', 'spot-handler/spot-interruption']),
    );
  });
});
