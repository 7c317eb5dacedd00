/**
 * A stronger event merged into a running drain upgrades it in place (issue #14 item 5): one cordon
 * write, one drain, one start webhook; the node's marks move to the stronger kind; the drain's live
 * terms get the shorter deadline and turn urgent.
 */
import { describe, expect, it } from 'vitest';
import type { NotifyTrigger } from '../../../src/pipeline/executor-ports.js';

import { executorWorld, NODE, sqsEvent, T0 } from './executor-world.js';

const rebalance = sqsEvent({ id: 'rb', kind: 'rebalance-recommendation', deadlineMs: T0 + 3_600_000 });
const scaleIn = sqsEvent({ id: 'asg', kind: 'asg-termination', deadlineMs: T0 + 3_600_000 });

/** `failureWebhookMs`: the failure webhook takes this long to deliver (clock time). */
function setup(failureWebhookMs = 0) {
  const notified: NotifyTrigger[] = [];
  const world = executorWorld({
    options: { rebalanceDrain: true, rebalanceCordonTtlMs: 0 },
    deps: (clock) => ({
      notifier: {
        sendWebhook: async (trigger) => {
          if (trigger === 'failure') await clock.sleep(failureWebhookMs);
          notified.push(trigger);
          return true;
        },
      },
    }),
  });
  world.actuator.drainMs = 5_000;
  return { clock: world.clock, actuator: world.actuator, notified, pipeline: world.pipeline };
}

describe('a stronger event upgrades the running drain in place', () => {
  it.each([
    ['a rebalance recommendation', rebalance],
    ['an ASG scale-in', scaleIn],
  ])(
    '%s drain, then a spot warning 100 ms later: one cordon, one drain, one start webhook',
    async (_n, first) => {
      const t = setup();
      const weak = t.pipeline.submit(first);
      await t.clock.advance(100);
      expect(t.actuator.count('drain')).toBe(1);
      const terms = t.actuator.drainTerms[0];
      expect(terms?.current).toMatchObject({ kind: first.kind, urgent: false, deadlineMs: T0 + 3_600_000 });
      const spot = t.pipeline.submit(sqsEvent({ id: 'spot' }));
      await t.clock.advance(1);
      // the running drain has the spot warning's terms: no abort, no second drain
      expect(terms?.current).toEqual({
        kind: 'spot-interruption',
        eventId: 'spot',
        deadlineMs: T0 + 120_000,
        urgent: true,
      });
      await t.clock.advance(6_000);
      await expect(spot).resolves.toMatchObject({ status: 'done' });
      await expect(weak).resolves.toMatchObject({ status: 'done' });
      expect(t.actuator.count('cordon')).toBe(1);
      expect(t.actuator.count('drain')).toBe(1);
      expect(t.actuator.count('remark')).toBe(1);
      expect(t.notified).toEqual(['start', 'success']);
      const node = t.actuator.nodes.get(NODE);
      expect(node).toMatchObject({
        kind: 'spot-interruption',
        eventId: 'spot',
        deadlineMs: T0 + 120_000,
        phase: 'drained',
        taints: ['spot-handler/spot-interruption'],
        reported: ['start', 'success'],
      });
      // the draining condition is renamed for the spot warning, then the drained one follows
      const phases = t.actuator.calls.filter((c) => c.method === 'setPhase').map((c) => c.detail);
      expect(phases).toEqual(['draining', 'draining', 'drained']);
    },
  );

  it('a spot warning merged before the cordon write marks the node once, for the spot warning', async () => {
    const t = setup();
    const weak = t.pipeline.submit(rebalance);
    const spot = t.pipeline.submit(sqsEvent({ id: 'spot' }));
    await t.clock.advance(6_000);
    await Promise.all([weak, spot]);
    expect(t.actuator.count('cordon')).toBe(1);
    expect(t.actuator.count('remark')).toBe(0);
    expect(t.actuator.count('drain')).toBe(1);
    expect(t.actuator.drainTerms[0]?.current).toMatchObject({ kind: 'spot-interruption', urgent: true });
    expect(t.notified).toEqual(['start', 'success']);
  });

  it('a drain that gave up under non-urgent terms drains again when the spot warning comes', async () => {
    const t = setup(1_000);
    t.actuator.nextDrainResult = 'blocked';
    const weak = t.pipeline.submit(rebalance);
    await t.clock.advance(5_000); // the drain returns blocked; the failure webhook is on its way
    expect(t.actuator.nodes.get(NODE)?.phase).toBe('drain-failed');
    t.actuator.nextDrainResult = 'succeeded';
    const spot = t.pipeline.submit(sqsEvent({ id: 'spot' }));
    await t.clock.advance(6_000);
    await expect(spot).resolves.toMatchObject({ status: 'done' });
    await expect(weak).resolves.toMatchObject({ status: 'done' });
    expect(t.actuator.count('drain')).toBe(2);
    expect(t.actuator.drainTerms[1]?.current).toMatchObject({ kind: 'spot-interruption', urgent: true });
  });
});
