/**
 * Story: an Auto Scaling group takes an instance away with a terminate lifecycle hook (EventBridge).
 * The node is drained first, then the lifecycle action is completed with CONTINUE, then the message goes.
 */
import { expect } from 'vitest';
import { taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';

import { ASG_NAME, until } from '../helpers/queue-world.js';
import { startTerminateHook, queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: ASG terminate lifecycle hook', {}, (it) => {
  it('drains, then completes the lifecycle action CONTINUE, then deletes the message', async ({
    world,
    daemon,
    target,
  }) => {
    const { token, message } = startTerminateHook(world, target.instanceId, 300);
    await world.send(message);

    await waitDrained(daemon, target.name);
    const drainedAt = Date.now();
    await until(() => world.aws.completed.length === 1, 10_000, 'CompleteLifecycleAction');
    expect(world.aws.completed[0]).toMatchObject({
      instanceId: target.instanceId,
      hookName: 'node-drain',
      groupName: ASG_NAME,
      token,
      result: 'CONTINUE',
    });
    // completed after the drain: the pods were gone before the instance was let go
    const call = world.aws.callsOf('CompleteLifecycleAction')[0];
    expect(call?.atMs ?? 0).toBeGreaterThanOrEqual(drainedAt - 50);
    expect(world.appPodsOn(target.name)).toHaveLength(0);
    expect(taintKeys(world.node(target.name))).toContain('spot-handler/asg-termination');
    const done = await waitDeleted(daemon, 'done', 1);
    expect(done).toBe(1);
    expect(world.aws.callsOf('CompleteLifecycleAction')).toHaveLength(1);
  });
});
