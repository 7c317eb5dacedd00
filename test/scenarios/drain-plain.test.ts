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
    // ~0.5 s on an idle core; a sanity bound only (bench/drain-110* measure speed), loose for loaded CI
    expect(Date.now() - started).toBeLessThan(30_000);
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
    // another client adds its taints the way kubectl taint does: read, then replace with the read resourceVersion
    const foreign = ['example.com/maintenance', 'example.com/gpu-check', 'example.com/audit'];
    const addForeign = async (key: string): Promise<void> => {
      for (;;) {
        const node = await core.readNode({ name: N1 });
        const taints = [...(node.spec?.taints ?? []), { key, effect: 'NoSchedule' }];
        try {
          await core.replaceNode({ name: N1, body: { ...node, spec: { ...node.spec, taints } } });
          return;
        } catch (err) {
          if ((err as { code?: number }).code !== 409) throw err;
        }
      }
    };
    const marking = { kind: 'spot-interruption' as const, eventId: 'e-1', deadlineMs: Date.now() + 60_000 };
    await Promise.all([
      ...foreign.map(addForeign),
      act.cordon(N1, { ...marking, noticedAtMs: Date.now() }),
      act.cordon(N1, { ...marking, noticedAtMs: Date.now() }),
    ]);
    const keys = ((await core.readNode({ name: N1 })).spec?.taints ?? []).map((t) => t.key).sort();
    expect(keys).toEqual(expect.arrayContaining([...foreign, 'spot-handler/spot-interruption']));
    expect(keys.filter((k) => k === 'spot-handler/spot-interruption')).toHaveLength(1);
  });
});
