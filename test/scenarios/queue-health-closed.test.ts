/**
 * Story: AWS Health schedules a change for an instance (statusCode upcoming); the node is drained. Then
 * AWS closes the Health event (statusCode closed, same eventArn): what it scheduled is canceled, the
 * node is uncordoned and our marks removed. The upcoming notice delivered once more afterwards (SQS
 * delivers at least once) is acknowledged without a second drain.
 */
import { expect } from 'vitest';
import { taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { healthScheduledChange } from '../helpers/queue-messages.js';
import { until } from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: AWS Health event closed', {}, (it) => {
  it('uncordons the node the upcoming notice drained; a late redelivery does not drain again', async ({
    world,
    daemon,
    target,
  }) => {
    const eventArn = 'arn:aws:health:us-east-1::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/abc123';
    const startMs = Date.now() + 3600_000;
    await world.send(healthScheduledChange([target.instanceId], startMs, Date.now(), { eventArn }));
    await waitDrained(daemon, target.name);
    expect(world.node(target.name)?.spec?.['unschedulable']).toBe(true);

    await world.send(
      healthScheduledChange([target.instanceId], startMs, Date.now(), { eventArn, statusCode: 'closed' }),
    );
    await daemon.waitForLog((l) => l.msg === 'event canceled: node restored', 15_000);
    await until(() => !world.node(target.name)?.spec?.['unschedulable'], 10_000, 'uncordon');
    expect(taintKeys(world.node(target.name))).not.toContain('spot-handler/scheduled-maintenance');
    expect(world.node(target.name)?.metadata.labels?.['spot-handler/state']).toBeUndefined();
    expect(await waitDeleted(daemon, 'done', 2)).toBe(2);

    await world.send(healthScheduledChange([target.instanceId], startMs, Date.now(), { eventArn }));
    expect(await waitDeleted(daemon, 'ignored', 1)).toBe(1);
    expect(daemon.logsWith('node drained')).toHaveLength(1);
    expect(world.node(target.name)?.spec?.['unschedulable']).toBeFalsy();
  }, 90_000);
});
