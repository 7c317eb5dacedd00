/**
 * Story: one spot interruption of an ASG instance produces four messages: the spot warning, the EC2
 * state change (shutting-down), the ASG terminate hook and a rebalance recommendation. They merge into
 * one node action: one drain, four deletes, one lifecycle completion, one start and one success webhook.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { stopAllDaemons } from '../helpers/daemon.js';
import {
  TEST_WEBHOOK_TEMPLATE,
  count,
  startQueueDaemon,
  triggers,
  waitMetric,
} from '../helpers/queue-daemon.js';
import { asgLifecycle, rebalance, spotWarning, stateChange } from '../helpers/queue-messages.js';
import { ASG_NAME, nodeAt, startQueueWorld, until, type QueueWorld } from '../helpers/queue-world.js';

let world: QueueWorld;
let hooks: WebhookReceiver;

beforeEach(async () => {
  world = await startQueueWorld({ shutdownMs: 800 });
  hooks = await startWebhookReceiver();
});

afterEach(async () => {
  await stopAllDaemons();
  await hooks.stop();
  await world.stop();
});

describe('queue mode: the four messages of one interruption', () => {
  it('merge into one drain with one hook completion and one start webhook', async () => {
    const daemon = await startQueueDaemon(world, {
      WEBHOOK_URL: `${hooks.url}/hook`,
      WEBHOOK_TEMPLATE: TEST_WEBHOOK_TEMPLATE,
    });
    const target = nodeAt(world, 0);
    world.aws.setHook({ groupName: ASG_NAME, hookName: 'node-drain', heartbeatTimeoutSeconds: 300 });
    const token = world.aws.startLifecycleAction(target.instanceId, 'node-drain');
    const now = Date.now();
    await world.send(rebalance(target.instanceId, now - 5_000));
    await world.send(spotWarning(target.instanceId, now));
    await world.send(
      asgLifecycle(target.instanceId, { groupName: ASG_NAME, hookName: 'node-drain', token }, 'terminate'),
    );
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
