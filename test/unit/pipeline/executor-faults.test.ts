/**
 * Executor behaviour the fault suite found missing: a retryable step failure is retried in place, and a
 * replica that lost the lease while a drain ran does not write the node afterwards.
 */
import { describe, expect, it } from 'vitest';
import { PermanentError, ThrottledError, TransientError } from '../../../src/errors.js';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import { stepRetryDelayMs } from '../../../src/pipeline/step-retry.js';
import { executorWorld, T0, NODE, INSTANCE } from './executor-world.js';

function setup() {
  const { clock, actuator, pipeline, setLeader } = executorWorld({ options: { mode: 'imds' } });
  const event: InterruptionEvent = {
    kind: 'spot-interruption',
    id: 'spot-1',
    instanceId: INSTANCE,
    nodeName: NODE,
    noticedAtMs: T0,
    deadlineMs: T0 + 120_000,
    source: 'imds',
    origin: { type: 'imds' },
    description: 'test',
  } as InterruptionEvent;
  return { clock, actuator, pipeline, event, setLeader };
}

describe('executor: retryable step failures', () => {
  it('retries a 5xx on cordon within a second instead of failing the action', async () => {
    const t = setup();
    t.actuator.failNext = { method: 'cordon', error: new TransientError('HTTP 500') };
    const outcome = t.pipeline.submit(t.event);
    await t.clock.advance(3000);
    await expect(outcome).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(1);
    expect(t.actuator.count('cordon')).toBe(2);
  });

  it('does not retry a permanent error', async () => {
    const t = setup();
    t.actuator.failNext = { method: 'cordon', error: new PermanentError('HTTP 403') };
    const outcome = t.pipeline.submit(t.event);
    await t.clock.advance(3000);
    await expect(outcome).resolves.toMatchObject({ status: 'failed' });
    expect(t.actuator.count('cordon')).toBe(1);
  });

  it.each([
    [new TransientError('x'), 1, 250],
    [new TransientError('x'), 3, 1000],
    [new TransientError('x'), 8, 4000],
    [new ThrottledError('x', { retryAfterMs: 2000 }), 1, 2000],
  ])('delay for %s attempt %i is %i ms', (err, attempt, ms) => {
    expect(stepRetryDelayMs(err, attempt)).toBe(ms);
  });
});

describe('executor: fencing after a drain', () => {
  it('does not mark the node drained when the lease was lost while the drain ran (paused leader)', async () => {
    const t = setup();
    const outcome = t.pipeline.submit(t.event);
    await t.clock.advance(500);
    expect(t.actuator.count('drain')).toBe(1);
    t.setLeader(false);
    await t.clock.advance(2000);
    await expect(outcome).resolves.toMatchObject({ status: 'aborted' });
    const phases = t.actuator.calls.filter((c) => c.method === 'setPhase').map((c) => c.detail);
    expect(phases).toEqual(['draining']);
  });
});
