/**
 * Story: one spot interruption of an ASG instance produces four messages: the spot warning, the EC2
 * state change (shutting-down), the ASG terminate hook and a rebalance recommendation. They merge into
 * one node action: one drain, four deletes, one lifecycle completion, one start and one success webhook.
 */
import { expect } from 'vitest';
import { count, startQueueDaemon, triggers, waitMetric } from '../helpers/queue-daemon.js';
import { rebalance, spotWarning, stateChange } from '../helpers/queue-messages.js';
import { startTerminateHook, queueScenario, webhookEnv } from '../helpers/queue-scenario.js';
import { until } from '../helpers/queue-world.js';

queueScenario('queue mode: the four messages of one interruption', { shutdownMs: 800 }, (it) => {
  it('merge into one drain with one hook completion and one start webhook', async ({
    world,
    hooks,
    target,
  }) => {
    const daemon = await startQueueDaemon(world, webhookEnv(hooks));
    const { token, message } = startTerminateHook(world, target.instanceId, 300);
    const now = Date.now();
    await world.send(rebalance(target.instanceId, now - 5_000));
    await world.send(spotWarning(target.instanceId, now));
    await world.send(message);
    await world.send(stateChange(target.instanceId, 'shutting-down'));

    expect(
      await waitMetric(daemon, 'spot_handler_sqs_messages_deleted_total', {}, (v) => v >= 4, 20_000),
    ).toBe(4);
    expect(await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'done' })).toBe(4);
    await until(() => triggers(hooks.received).includes('success'), 5_000, 'success webhook');
    expect(count(daemon, 'node drained')).toBe(1);
    expect(await daemon.metric('spot_handler_actions_total', { action: 'drain', result: 'success' })).toBe(1);
    expect(world.aws.completed).toHaveLength(1);
    expect(world.aws.completed[0]).toMatchObject({ token, result: 'CONTINUE' });
    expect(triggers(hooks.received, target.name).filter((t) => t === 'start')).toHaveLength(1);
    expect(triggers(hooks.received, target.name).filter((t) => t === 'success')).toHaveLength(1);
    expect(world.appPodsOn(target.name)).toHaveLength(0);
    const ours = ((world.node(target.name)?.spec?.['taints'] ?? []) as { key: string }[]).filter((t) =>
      t.key.startsWith('spot-handler/'),
    );
    expect(ours.length).toBeGreaterThanOrEqual(1);
  });
});
