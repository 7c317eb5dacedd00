/**
 * A message is deleted only when its work is done (DESIGN §5). When leadership is lost mid-drain the
 * running actions are aborted; if this replica leads again by the time the aborted run unwinds (one
 * replica under heavy load: a late lease renewal, then the lease taken back), the action must end
 * "aborted" (message kept, drained later), never "ignored" as if it had been canceled (message deleted
 * with the node not drained).
 */
import { describe, expect, it } from 'vitest';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import { executorWorld, INSTANCE, T0 } from './executor-world.js';

function spot(id: string): InterruptionEvent {
  return {
    id,
    kind: 'spot-interruption',
    instanceId: INSTANCE,
    noticedAtMs: T0,
    deadlineMs: T0 + 120_000,
    source: 'sqs',
    origin: { type: 'sqs', message: { messageId: id, receiptHandle: `rh-${id}` } },
    description: 'test',
  };
}

describe('leadership lost and regained while a drain unwinds', () => {
  it('ends the action aborted (the message stays), not ignored', async () => {
    const t = executorWorld();
    t.actuator.drainMs = 5_000;
    const outcome = t.pipeline.submit(spot('s1'));
    await t.clock.advance(1_000);
    expect(t.actuator.count('drain')).toBe(1);
    // the elector saw the lease lost and aborted the actions; by the time they unwind it leads again
    t.pipeline.abortActive('leadership lost');
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'aborted' });
  });

  it('a real cancellation still ends the action ignored', async () => {
    const t = executorWorld();
    t.actuator.drainMs = 5_000;
    const outcome = t.pipeline.submit(spot('s2'));
    await t.clock.advance(1_000);
    const canceled = t.pipeline.cancel(
      { eventId: 's2', instanceId: INSTANCE, kind: 'spot-interruption', reason: 'test' },
      undefined,
    );
    await t.clock.advance(10);
    await expect(outcome).resolves.toMatchObject({ status: 'ignored', detail: 'canceled' });
    await canceled;
  });
});
