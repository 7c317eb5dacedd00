/**
 * Story: SQS answers 500 for five seconds (every call), then DeleteMessage fails four more times. The daemon
 * backs off, keeps polling, handles the warning sent during the outage, and still deletes its message.
 */
import { expect } from 'vitest';
import { startQueueDaemon, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { queueScenario } from '../helpers/queue-scenario.js';
import {} from '../helpers/queue-world.js';

queueScenario('queue mode: SQS errors for a while', {}, (it) => {
  it('backs off, then handles the message and deletes it', async ({ world, proxy, target }) => {
    // the SDK retries each call 3 times itself: the outage must outlast that to reach the consumer
    // (counted, not timed: a loaded machine may take longer than any fixed outage to start the daemon)
    proxy.failNext('ReceiveMessage', 8);
    proxy.failNext('DeleteMessage', 4);
    // one receive loop (WORKERS ≤ 5: one loop per 10 of max(10, 2×WORKERS) in flight), so the injected receive failures are not spread over parallel polls
    const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url, WORKERS: '5' });
    await world.send(spotWarning(target.instanceId));

    await waitDrained(daemon, target.name, 20_000);
    expect(await waitDeleted(daemon, 'done', 1)).toBe(1);
    expect(proxy.failed.get('ReceiveMessage') ?? 0).toBeGreaterThanOrEqual(1);
    expect(proxy.failed.get('DeleteMessage') ?? 0).toBe(4);
    expect(
      await daemon.metric('spot_handler_sqs_errors_total', { operation: 'receive' }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      await daemon.metric('spot_handler_sqs_errors_total', { operation: 'delete' }),
    ).toBeGreaterThanOrEqual(1);
    const counts = await world.sqs.counts();
    expect(counts.visible + counts.inFlight).toBe(0);
  });
});
