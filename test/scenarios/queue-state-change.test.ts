/**
 * Story: an EC2 state-change notification (stopping) drains the node; a `running` state change for
 * another instance needs no action and is deleted as ignored.
 */
import { expect } from 'vitest';
import { taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { stateChange } from '../helpers/queue-messages.js';
import { nodeAt, until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: EC2 instance state change', { targetNode: 2 }, (it) => {
  it('drains on stopping; ignores running', async ({ world, daemon, target }) => {
    const other = nodeAt(world, 0);
    await world.send(stateChange(other.instanceId, 'running'));
    await world.send(stateChange(target.instanceId, 'stopping'));
    await waitDrained(daemon, target.name);
    await until(() => world.appPodsOn(target.name).length === 0, 5_000, 'pods gone');
    expect(taintKeys(world.node(target.name))).toContain('spot-handler/state-change');
    expect(world.node(other.name)?.spec?.['unschedulable']).toBeFalsy();
    const ignored = await waitDeleted(daemon, 'ignored', 1);
    expect(ignored).toBe(1);
    const done = await waitDeleted(daemon, 'done', 1);
    expect(done).toBe(1);
  });
});
