/**
 * Story: in queue mode a rebalance recommendation drains the node (the replacement is already coming),
 * tainted with the rebalance kind, and the message is deleted.
 */
import { expect } from 'vitest';
import { taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { rebalance } from '../helpers/queue-messages.js';
import { until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: rebalance recommendation', { targetNode: 1 }, (it) => {
  it('taints with the rebalance kind and drains the node', async ({ world, daemon, target }) => {
    await world.send(rebalance(target.instanceId));
    await waitDrained(daemon, target.name);
    await until(() => world.appPodsOn(target.name).length === 0, 5_000, 'pods gone');
    const n = world.node(target.name);
    expect(taintKeys(n)).toContain('spot-handler/rebalance-recommendation');
    expect(n?.metadata.labels?.['spot-handler/kind']).toBe('rebalance-recommendation');
    expect(n?.spec?.['unschedulable']).toBe(true);
    const done = await waitDeleted(daemon, 'done', 1);
    expect(done).toBe(1);
    expect(
      await daemon.metric('spot_handler_events_received_total', { kind: 'rebalance-recommendation' }),
    ).toBe(1);
  });
});
