/**
 * Story: an Auto Scaling group launches an instance with a launch lifecycle hook. The message arrives
 * before the node registers; the daemon waits until the node is Ready, then completes the action
 * CONTINUE and deletes the message. Nothing is cordoned.
 */
import { expect } from 'vitest';
import { fakeNodeName } from '../helpers/kube-env.js';
import { waitDeleted } from '../helpers/queue-daemon.js';
import { asgLifecycle } from '../helpers/queue-messages.js';
import { ASG_NAME, until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

const NEW_ID = 'i-0feedfacecafe0001';
const NEW_NODE = fakeNodeName('ip-10-0-9-9.ec2.internal');

queueScenario('queue mode: ASG launch lifecycle hook', {}, (it) => {
  it('completes the launch action once the new node is Ready', async ({ world, daemon }) => {
    world.aws.addInstance({ instanceId: NEW_ID, privateDnsName: NEW_NODE, autoScalingGroupName: ASG_NAME });
    world.aws.setHook({
      groupName: ASG_NAME,
      hookName: 'node-launch',
      transition: 'autoscaling:EC2_INSTANCE_LAUNCHING',
    });
    const token = world.aws.startLifecycleAction(NEW_ID, 'node-launch');
    await world.send(asgLifecycle(NEW_ID, { groupName: ASG_NAME, hookName: 'node-launch', token }, 'launch'));
    await daemon.waitForLog((l) => l.msg === 'interruption event received', 10_000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(world.aws.completed).toHaveLength(0); // no node yet

    const registeredAt = Date.now();
    await world.addNode(NEW_NODE, NEW_ID);
    await until(() => world.aws.completed.length === 1, 10_000, 'CompleteLifecycleAction');
    expect(world.aws.completed[0]).toMatchObject({ instanceId: NEW_ID, token, result: 'CONTINUE' });
    const readyCondition = (
      (world.node(NEW_NODE)?.status?.['conditions'] ?? []) as { type: string; status: string }[]
    ).find((c) => c.type === 'Ready');
    expect(readyCondition?.status).toBe('True');
    expect(Date.now() - registeredAt).toBeLessThan(10_000);
    expect(world.node(NEW_NODE)?.spec?.['unschedulable']).toBeFalsy();
    const done = await waitDeleted(daemon, 'done', 1);
    expect(done).toBe(1);
  });
});
