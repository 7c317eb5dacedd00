/**
 * Story: messages that are not plain EventBridge events for a node of this cluster. An SNS-wrapped
 * spot warning is unwrapped and handled; the ASG test notification is deleted as ignored; a warning for
 * an instance that is not a node here is deleted and counted as foreign; garbage is deleted as invalid.
 */
import { expect } from 'vitest';
import { deleted, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { asgTestNotification, snsWrap, spotWarning } from '../helpers/queue-messages.js';
import { ASG_NAME } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: SNS envelopes, test notifications, foreign instances, garbage', {}, (it) => {
  it('handles the wrapped warning and deletes every other message with its reason', async ({
    world,
    daemon,
    target,
  }) => {
    await world.send(asgTestNotification(ASG_NAME));
    await world.send(spotWarning('i-0000000000000dead'));
    await world.send('not json at all');
    await world.send(snsWrap(spotWarning(target.instanceId)));

    await waitDrained(daemon, target.name);
    const total = await waitDeleted(daemon, undefined, 4);
    expect(total).toBe(4);
    expect(await deleted(daemon, 'done')).toBe(1);
    expect(await deleted(daemon, 'ignored')).toBe(1);
    expect(await deleted(daemon, 'foreign')).toBe(1);
    expect(await deleted(daemon, 'invalid')).toBe(1);
    expect(await daemon.metric('spot_handler_foreign_instances_total', { outcome: 'deleted' })).toBe(1);
    expect(await daemon.metric('spot_handler_inputs_ignored_total', { reason: 'test-notification' })).toBe(1);
    expect(await daemon.metric('spot_handler_inputs_invalid_total', { reason: 'malformed-json' })).toBe(1);
    // the foreign instance was looked up in EC2 (not in the index) and no node was touched for it
    expect(world.aws.callsOf('DescribeInstances').length).toBeGreaterThanOrEqual(1);
    for (const other of world.nodes.slice(1))
      expect(world.node(other.name)?.spec?.['unschedulable']).toBeFalsy();
    const counts = await world.sqs.counts();
    expect(counts.visible + counts.inFlight).toBe(0);
  });
});
