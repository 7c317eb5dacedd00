/**
 * Story: the real daemon in queue mode (leader of one) receives an EventBridge spot interruption warning
 * from SQS, finds the node by its providerID, taints, cordons and drains it, and deletes the message.
 */
import { expect } from 'vitest';
import { deleted, taintKeys, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: spot interruption warning', {}, (it) => {
  it('drains the node of the instance and deletes the message; other nodes untouched', async ({
    world,
    daemon,
    target,
  }) => {
    expect(world.appPodsOn(target.name).length).toBeGreaterThan(0);
    const sentAt = Date.now();
    await world.send(spotWarning(target.instanceId));

    await daemon.waitForLog((l) => l.msg === 'node drained', 15_000);
    expect(Date.now() - sentAt).toBeLessThan(10_000);
    await until(() => world.appPodsOn(target.name).length === 0, 5_000, 'pods gone');
    // the view is an informer cache: on a real server the last node patch may reach it a moment later
    const state = (): unknown => world.node(target.name)?.metadata.labels?.['spot-handler/state'];
    await until(() => state() === 'drained', 5_000, 'the drained state label');
    const n = world.node(target.name);
    expect(n?.spec?.['unschedulable']).toBe(true);
    expect(taintKeys(n)).toContain('spot-handler/spot-interruption');
    expect(n?.metadata.labels?.['spot-handler/state']).toBe('drained');
    for (const other of world.nodes.slice(1)) {
      expect(world.node(other.name)?.spec?.['unschedulable']).toBeFalsy();
      expect(world.appPodsOn(other.name).length).toBeGreaterThan(0);
    }
    expect(await waitDeleted(daemon, 'done', 1)).toBe(1);
    expect(await deleted(daemon)).toBe(1);
    const counts = await world.sqs.counts();
    expect(counts.visible + counts.inFlight).toBe(0);
    // the node was found in the index: no EC2 call
    expect(world.aws.callsOf('DescribeInstances')).toHaveLength(0);
  });
});
