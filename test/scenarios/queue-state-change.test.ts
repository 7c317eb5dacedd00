/**
 * Story: an EC2 state-change notification (stopping) drains the node; a `running` state change for
 * another instance needs no action and is deleted as ignored.
 */
import { describe, expect, it } from 'vitest';
import { startQueueDaemon, taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { stateChange } from '../helpers/queue-messages.js';
import { nodeAt, queueWorldPerTest, until, type QueueWorld } from '../helpers/queue-world.js';

let world: QueueWorld;
queueWorldPerTest({}, (w) => (world = w));

describe('queue mode: EC2 instance state change', () => {
  it('drains on stopping; ignores running', async () => {
    const daemon = await startQueueDaemon(world);
    const target = nodeAt(world, 2);
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
