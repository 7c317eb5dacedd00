/**
 * Story: one AWS Health scheduledChange names two instances of the cluster; both nodes are drained
 * (scheduled-maintenance kind) and the one message is deleted once both actions are done.
 */
import { expect } from 'vitest';
import { deleted, taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { healthScheduledChange } from '../helpers/queue-messages.js';
import { nodeAt, until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: AWS Health scheduled change', {}, (it) => {
  it('drains both affected nodes and deletes the message once', async ({ world, daemon }) => {
    const [a, b] = [nodeAt(world, 0), nodeAt(world, 1)];
    await world.send(healthScheduledChange([a.instanceId, b.instanceId], Date.now() + 3600_000));
    await waitDrained(daemon, a.name);
    await waitDrained(daemon, b.name);
    for (const n of [a, b]) {
      // the view is an informer cache: on a real server the last node patch may reach it a moment later
      const state = (): unknown => world.node(n.name)?.metadata.labels?.['spot-handler/state'];
      await until(() => state() === 'drained', 5_000, 'the drained state label');
      expect(taintKeys(world.node(n.name))).toContain('spot-handler/scheduled-maintenance');
    }
    expect(world.node(nodeAt(world, 2).name)?.spec?.['unschedulable']).toBeFalsy();
    const done = await waitDeleted(daemon, 'done', 1);
    expect(done).toBe(1);
    expect(await deleted(daemon)).toBe(1);
    expect(await daemon.metric('spot_handler_events_received_total', { kind: 'scheduled-maintenance' })).toBe(
      2,
    );
  });
});
