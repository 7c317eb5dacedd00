import { describe, expect, it } from 'vitest';
import { MARK } from '../../../src/pipeline/node-actuator-port.js';
import { LB_EXCLUDE_LABEL } from '../../../src/actions/node-marks.js';
import { world } from './world.js';

const marking = {
  kind: 'spot-interruption' as const,
  eventId: 'spot-itn-abc',
  deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
  noticedAtMs: Date.parse('2026-11-29T10:00:00Z'),
};

describe('KubeNodeActuator marks', () => {
  it('marks and cordons in one write and reads its markers back', async () => {
    const w = world({ excludeFromLoadBalancers: true });
    await w.actuator.cordon('n1', marking, 'noticed');
    expect(w.kube.count('patchNode')).toBe(1);
    const node = w.kube.nodes.get('n1')!;
    expect(node.taints).toEqual([
      { key: 'spot-handler/spot-interruption', value: 'spot-itn-abc', effect: 'NoSchedule' },
    ]);
    expect(node.labels[LB_EXCLUDE_LABEL]).toBe('spot-handler');
    expect(node.unschedulable).toBe(true);
    // the condition waits for the next phase so nothing delays the cordon
    expect(node.conditions.map((c) => [c.type, c.reason])).toEqual([['Ready', undefined]]);
    await w.actuator.setPhase('n1', 'noticed', 'noticed', ['start']);
    expect(w.kube.count('patchNodeStatus')).toBe(1);
    expect(w.kube.nodes.get('n1')!.conditions.map((c) => [c.type, c.reason])).toEqual([
      ['Ready', undefined],
      [MARK.conditionType, 'InterruptionNoticed'],
    ]);
    const state = await w.actuator.getNode('n1');
    expect(state).toMatchObject({
      phase: 'noticed',
      kind: 'spot-interruption',
      eventId: 'spot-itn-abc',
      deadlineMs: marking.deadlineMs,
      unschedulable: true,
      ready: true,
      reported: ['start'],
    });
  });

  it('a resumed action writes nothing: the node has every marker already', async () => {
    const w = world();
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.setPhase('n1', 'draining', 'draining');
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.setPhase('n1', 'draining', 'draining');
    expect(w.kube.count('patchNode') + w.kube.count('patchNodeStatus')).toBe(2);
  });

  it('the drained status write carries the state label and the webhooks delivered', async () => {
    const w = world();
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.setPhase('n1', 'drained', 'all pods gone', ['start']);
    expect(await w.actuator.getNode('n1')).toMatchObject({ phase: 'drained', reported: ['start'] });
    expect(w.kube.count('patchNode') + w.kube.count('patchNodeStatus')).toBe(2);
  });

  it('re-marks for a stronger event in one write: its taint replaces the weaker one, webhooks stay', async () => {
    const w = world();
    const rebalance = { ...marking, kind: 'rebalance-recommendation' as const, eventId: 'rb-1' };
    const n1 = w.kube.nodes.get('n1')!;
    w.kube.nodes.set('n1', { ...n1, taints: [{ key: 'other/taint', value: 'x', effect: 'NoSchedule' }] });
    await w.actuator.cordon('n1', rebalance, 'draining');
    await w.actuator.setPhase('n1', 'draining', 'draining', ['start']);
    const before = w.kube.count('patchNode');
    await w.actuator.remark('n1', marking);
    await w.actuator.remark('n1', marking); // nothing left to change: no write
    expect(w.kube.count('patchNode') - before).toBe(1);
    const node = w.kube.nodes.get('n1')!;
    expect(node.taints.map((t) => t.key)).toEqual(['other/taint', 'spot-handler/spot-interruption']);
    expect(await w.actuator.getNode('n1')).toMatchObject({
      kind: 'spot-interruption',
      eventId: 'spot-itn-abc',
      deadlineMs: marking.deadlineMs,
      phase: 'draining',
      reported: ['start'],
      unschedulable: true,
    });
  });

  it('is idempotent: marking twice adds one taint', async () => {
    const w = world();
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.cordon('n1', marking, 'draining');
    expect(w.kube.nodes.get('n1')!.taints).toHaveLength(1);
  });

  it('never loses a taint a concurrent writer added between our read and our write', async () => {
    const w = world();
    let raced = false;
    w.kube.beforeNodePatch = (name) => {
      if (raced) return;
      raced = true;
      w.kube.writeNode(name, (n) => ({
        ...n,
        taints: [...n.taints, { key: 'other/taint', effect: 'NoSchedule' }],
      }));
    };
    await w.actuator.cordon('n1', marking, 'draining');
    expect(
      w.kube.nodes
        .get('n1')!
        .taints.map((t) => t.key)
        .sort(),
    ).toEqual(['other/taint', 'spot-handler/spot-interruption']);
    expect(w.kube.count('patchNode')).toBe(2);
  });

  it('unmark removes exactly what we added and uncordons only our own cordon', async () => {
    const w = world({ excludeFromLoadBalancers: true });
    w.kube.writeNode('n1', (n) => ({
      ...n,
      labels: { ...n.labels, team: 'a' },
      taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }],
    }));
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.setPhase('n1', 'drained', 'all pods gone');
    await w.actuator.recordReported('n1', ['start']);
    await w.actuator.unmark('n1');
    const node = w.kube.nodes.get('n1')!;
    expect(node.taints).toEqual([{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    expect(node.labels).toEqual({ 'kubernetes.io/hostname': 'n1', team: 'a' });
    expect(node.annotations).toEqual({});
    expect(node.unschedulable).toBe(false);
    expect(node.conditions.map((c) => c.type)).toEqual(['Ready']);
  });

  it('does not uncordon a node someone else cordoned, nor remove an LB label it did not set', async () => {
    const w = world({ excludeFromLoadBalancers: true });
    w.kube.writeNode('n1', (n) => ({
      ...n,
      unschedulable: true,
      labels: { ...n.labels, [LB_EXCLUDE_LABEL]: 'ops' },
    }));
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.unmark('n1');
    const node = w.kube.nodes.get('n1')!;
    expect(node.unschedulable).toBe(true);
    expect(node.labels[LB_EXCLUDE_LABEL]).toBe('ops');
  });

  it('records webhook triggers once each', async () => {
    const w = world();
    await w.actuator.cordon('n1', marking, 'draining');
    await w.actuator.recordReported('n1', ['start']);
    await w.actuator.recordReported('n1', ['start']);
    await w.actuator.recordReported('n1', ['start', 'success']);
    expect((await w.actuator.getNode('n1'))!.reported).toEqual(['start', 'success']);
  });

  it('dry run changes nothing', async () => {
    const w = world({ dryRun: true });
    const before = w.kube.nodes.get('n1');
    await w.actuator.cordon('n1', marking, 'draining');
    expect(w.kube.nodes.get('n1')).toBe(before);
    expect(w.logs.some((l) => String(l.msg).startsWith('dry run: would cordon'))).toBe(true);
  });

  it('returns undefined for a missing node and uses NoExecute when told', async () => {
    const w = world({ taintEffect: 'NoExecute', taintNode: true });
    expect(await w.actuator.getNode('nope')).toBeUndefined();
    await w.actuator.cordon('n1', marking, 'draining');
    expect(w.kube.nodes.get('n1')!.taints[0]?.effect).toBe('NoExecute');
  });
});
