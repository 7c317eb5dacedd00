/**
 * Story: two replicas share one Lease. Only the leader receives from SQS and acts; the standby stays
 * ready (its node index warm) and never receives a message.
 */
import { CoordinationV1Api } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { count, startQueueDaemon, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { nodeAt } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: two replicas', {}, (it) => {
  it('only the leader consumes', async ({ world }) => {
    const leader = await startQueueDaemon(world, { POD_NAME: 'spot-handler-a' });
    const standby = await startQueueDaemon(world, { POD_NAME: 'spot-handler-b' }, { waitLeader: false });
    const lease = await world.env.kubeConfig
      .makeApiClient(CoordinationV1Api)
      .readNamespacedLease({ name: 'spot-handler-leader', namespace: world.namespace });
    expect(lease.spec?.holderIdentity).toBe('spot-handler-a');

    for (const i of [0, 1, 2]) await world.send(spotWarning(nodeAt(world, i).instanceId));
    for (const i of [0, 1, 2]) await waitDrained(leader, nodeAt(world, i).name);
    expect(await waitDeleted(leader, undefined, 3)).toBe(3);

    expect(count(standby, 'became leader')).toBe(0);
    expect(count(standby, 'interruption event received')).toBe(0);
    expect(await standby.metric('spot_handler_leader')).toBe(0);
    expect(await leader.metric('spot_handler_leader')).toBe(1);
    expect(await standby.metric('spot_handler_sqs_messages_deleted_total')).toBe(0);
    expect(await standby.metric('spot_handler_sqs_message_age_seconds_count')).toBe(0);
    expect((await standby.get('/readyz')).status).toBe(200);
  });
});
