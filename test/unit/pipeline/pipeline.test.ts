import { beforeEach, describe, expect, it } from 'vitest';
import type { LifecycleHookRef } from '../../../src/events/interruption-event.js';
import { type ExecutorOptions } from '../../../src/pipeline/executor.js';
import { executorWorld, sqsEvent, T0, NODE, INSTANCE } from './executor-world.js';

function hook(token: string): LifecycleHookRef {
  return { hookName: 'term', groupName: 'ng-1', token, instanceId: INSTANCE };
}

function setup(over: Partial<ExecutorOptions> = {}) {
  return executorWorld({ options: over });
}

describe('pipeline', () => {
  let t: ReturnType<typeof setup>;
  beforeEach(() => {
    t = setup();
  });

  it('writes a drained node at most four times: mark+cordon, draining, drained, webhooks delivered', async () => {
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-w' }));
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    const writes = t.actuator.calls.filter((c) =>
      ['cordon', 'setPhase', 'recordReported'].includes(c.method),
    );
    expect(writes.map((c) => c.method)).toEqual(['cordon', 'setPhase', 'setPhase', 'recordReported']);
    expect(t.actuator.nodes.get(NODE)).toMatchObject({ phase: 'drained', reported: ['start', 'success'] });
  });

  it('drains a node once for a spot interruption and reports start and success', async () => {
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('cordon')).toBe(1);
    expect(t.actuator.count('drain')).toBe(1);
    expect(t.notified.map((n) => n.trigger)).toEqual(['start', 'success']);
    expect(t.actuator.nodes.get(NODE)?.phase).toBe('drained');
    expect(t.recorded).toEqual(['notice', 'tainted', 'cordoned', 'drain-started', 'drained']);
  });

  it('merges the four messages of one interruption into one drain, one webhook pair, each hook completed', async () => {
    const outcomes = [
      t.pipeline.submit(
        sqsEvent({ id: 'rebalance', kind: 'rebalance-recommendation', deadlineMs: T0 + 600_000 }),
      ),
      t.pipeline.submit(sqsEvent({ id: 'spot' })),
      t.pipeline.submit(
        sqsEvent({
          id: 'hook',
          kind: 'asg-termination',
          deadlineMs: T0 + 3_600_000,
          origin: { type: 'sqs', message: { messageId: 'h', receiptHandle: 'rh' }, lifecycle: hook('tok-1') },
        }),
      ),
      t.pipeline.submit(sqsEvent({ id: 'state', kind: 'state-change', deadlineMs: T0 + 90_000 })),
    ];
    await t.clock.advance(5000);
    const results = await Promise.all(outcomes);
    expect(results.map((r) => r.status)).toEqual(['done', 'done', 'done', 'done']);
    expect(t.actuator.count('drain')).toBe(1);
    const drain = t.actuator.calls.find((c) => c.method === 'drain')?.detail as {
      deadlineMs: number;
      urgent: boolean;
    };
    expect(drain.deadlineMs).toBe(T0 + 90_000);
    expect(drain.urgent).toBe(true);
    expect(t.notified.map((n) => n.trigger)).toEqual(['start', 'success']);
    expect(t.completed.map((h) => h.token)).toEqual(['tok-1']);
    expect(t.heartbeats.map((h) => h.token)).toEqual(['tok-1']);
  });

  it('answers a repeated poll of a finished event from memory without acting again', async () => {
    const first = t.pipeline.submit(sqsEvent({ id: 'spot-1', source: 'imds' }));
    await t.clock.advance(2000);
    await first;
    const calls = t.actuator.calls.length;
    await expect(t.pipeline.submit(sqsEvent({ id: 'spot-1', source: 'imds' }))).resolves.toMatchObject({
      status: 'done',
    });
    expect(t.actuator.calls.length).toBe(calls);
  });

  it('restarts a cordon-only rebalance action as a drain when a spot interruption arrives', async () => {
    const rebalance = t.pipeline.submit(
      sqsEvent({ id: 'rb', kind: 'rebalance-recommendation', source: 'imds', deadlineMs: T0 + 60_000 }),
    );
    await t.clock.advance(10);
    expect(t.actuator.count('cordon')).toBe(1);
    expect(t.actuator.count('drain')).toBe(0);
    const spot = t.pipeline.submit(sqsEvent({ id: 'spot', source: 'imds' }));
    await t.clock.advance(2000);
    await expect(spot).resolves.toMatchObject({ status: 'done' });
    await expect(rebalance).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(1);
    expect(t.actuator.count('unmark')).toBe(0);
    expect(t.notified.filter((n) => n.trigger === 'start')).toHaveLength(1);
  });

  it('uncordons after the rebalance TTL in IMDS mode when nothing else came', async () => {
    t = setup({ mode: 'imds' });
    const rebalance = t.pipeline.submit(
      sqsEvent({ id: 'rb', kind: 'rebalance-recommendation', source: 'imds' }),
    );
    await t.clock.advance(30_000);
    expect(t.actuator.nodes.get(NODE)?.unschedulable).toBe(true);
    await t.clock.advance(31_000);
    await expect(rebalance).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.nodes.get(NODE)?.unschedulable).toBe(false);
    expect(t.actuator.nodes.get(NODE)?.taints).toEqual([]);
  });

  it('ignores a rebalance notice older than the TTL (a restart after the uncordon)', async () => {
    t = setup({ mode: 'imds' });
    await t.clock.advance(61_000);
    const outcome = t.pipeline.submit(
      sqsEvent({ id: 'rb', kind: 'rebalance-recommendation', source: 'imds' }),
    );
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'ignored', detail: 'expired' });
    expect(t.actuator.count('cordon')).toBe(0);
  });

  it('resumes after a restart without a second drain or webhook when the node says drained', async () => {
    const n = t.actuator.nodes.get(NODE)!;
    Object.assign(n, {
      eventId: 'spot-1',
      phase: 'drained',
      unschedulable: true,
      reported: ['start', 'success'],
    });
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(0);
    expect(t.notified).toEqual([]);
  });

  it('does not send the start webhook twice when a restarted handler resumes a drain', async () => {
    const n = t.actuator.nodes.get(NODE)!;
    Object.assign(n, { eventId: 'spot-1', phase: 'draining', unschedulable: true, reported: ['start'] });
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(1);
    expect(t.notified.map((x) => x.trigger)).toEqual(['success']);
  });

  it('reports instances that are not nodes of this cluster as foreign', async () => {
    const outcome = t.pipeline.submit(sqsEvent({ id: 'x', instanceId: 'i-0fffffffffffffff0' }));
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'foreign' });
    expect(t.actuator.count('cordon')).toBe(0);
  });

  it('reports a failed drain, sends the failure webhook, and retries only after the backoff', async () => {
    t.actuator.nextDrainResult = 'blocked';
    const first = t.pipeline.submit(
      sqsEvent({ id: 'm', kind: 'scheduled-maintenance', deadlineMs: T0 + 3_600_000 }),
    );
    await t.clock.advance(2000);
    await expect(first).resolves.toMatchObject({ status: 'failed', detail: 'drain blocked' });
    expect(t.notified.map((n) => n.trigger)).toEqual(['start', 'failure']);
    expect(t.actuator.nodes.get(NODE)?.phase).toBe('drain-failed');
    await expect(
      t.pipeline.submit(sqsEvent({ id: 'm', kind: 'scheduled-maintenance' })),
    ).resolves.toMatchObject({
      status: 'failed',
    });
    expect(t.actuator.count('drain')).toBe(1);
    await t.clock.advance(20_000);
    t.actuator.nextDrainResult = 'succeeded';
    const retry = t.pipeline.submit(
      sqsEvent({ id: 'm', kind: 'scheduled-maintenance', deadlineMs: T0 + 3_600_000 }),
    );
    await t.clock.advance(2000);
    await expect(retry).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(2);
  });

  it('waits until the start time of scheduled maintenance, and a cancellation restores the node', async () => {
    const maintenance = sqsEvent({
      id: 'maint-1',
      kind: 'scheduled-maintenance',
      nodeName: NODE,
      source: 'imds',
      startAtMs: T0 + 60_000,
      deadlineMs: T0 + 360_000,
    });
    const outcome = t.pipeline.submit(maintenance);
    await t.clock.advance(30_000);
    expect(t.actuator.count('cordon')).toBe(0);
    await t.clock.advance(31_000);
    expect(t.actuator.count('cordon')).toBe(1);
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    const restored = await t.pipeline.cancel(
      { eventId: 'maint-1', instanceId: INSTANCE, kind: 'scheduled-maintenance', reason: 'canceled' },
      NODE,
    );
    expect(restored).toBe(true);
    expect(t.actuator.nodes.get(NODE)).toMatchObject({ unschedulable: false, taints: [], phase: undefined });
  });

  it('a cancellation before the start time means nothing is done to the node', async () => {
    const outcome = t.pipeline.submit(
      sqsEvent({ id: 'maint-2', kind: 'scheduled-maintenance', nodeName: NODE, startAtMs: T0 + 60_000 }),
    );
    await t.clock.advance(1000);
    const cancel = t.pipeline.cancel(
      { eventId: 'maint-2', instanceId: INSTANCE, kind: 'scheduled-maintenance', reason: 'canceled' },
      NODE,
    );
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'ignored', detail: 'canceled' });
    await expect(cancel).resolves.toBe(false);
    expect(t.actuator.count('cordon')).toBe(0);
  });

  it('stops acting when leadership is lost, leaving the message for the next leader', async () => {
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(10);
    t.setLeader(false);
    t.pipeline.abortActive('lost leadership');
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'aborted' });
  });

  it('in dry-run mode changes nothing on the node but still drains in dry-run and reports', async () => {
    t = setup({ dryRun: true });
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('cordon')).toBe(0);
    expect(t.actuator.count('mark')).toBe(0);
    expect(t.actuator.nodes.get(NODE)?.unschedulable).toBe(false);
  });

  it('cordon-only mode never drains', async () => {
    t = setup({ cordonOnly: true });
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('cordon')).toBe(1);
    expect(t.actuator.count('drain')).toBe(0);
  });

  it('completes an ASG launch hook once the node is ready, without cordoning', async () => {
    const outcome = t.pipeline.submit(
      sqsEvent({
        id: 'launch',
        kind: 'asg-launch',
        origin: { type: 'sqs', message: { messageId: 'l', receiptHandle: 'rh' }, lifecycle: hook('tok-l') },
      }),
    );
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.completed.map((h) => h.token)).toEqual(['tok-l']);
    expect(t.actuator.count('cordon')).toBe(0);
  });

  it('completes an ASG launch hook for an instance that has no node yet (not foreign)', async () => {
    t.known.clear();
    const outcome = t.pipeline.submit(
      sqsEvent({
        id: 'launch-new',
        kind: 'asg-launch',
        origin: { type: 'sqs', message: { messageId: 'l', receiptHandle: 'rh' }, lifecycle: hook('tok-n') },
      }),
    );
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.completed.map((h) => h.token)).toEqual(['tok-n']);
    expect(t.recorded).not.toContain('lifecycle-completed');
  });

  it('on shutdown lets in-flight work finish within the grace period', async () => {
    const outcome = t.pipeline.submit(sqsEvent({ id: 'spot-1' }));
    await t.clock.advance(10);
    const done = t.pipeline.shutdown(60_000);
    await t.clock.advance(2000);
    await done;
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    await expect(t.pipeline.submit(sqsEvent({ id: 'spot-2' }))).resolves.toMatchObject({ status: 'aborted' });
  });
});
