/** SqsConsumer + SqsQueue adapter against fauxqs (real HTTP, real clock, short visibility). */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqsClient } from '../../../src/aws/aws-clients.js';
import { createSqsQueue } from '../../../src/aws/sqs-queue.js';
import { systemClock } from '../../../src/clock.js';
import { TransientError } from '../../../src/errors.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { startSqs, type SqsSandbox } from '../../../src/sandbox/fauxqs.js';
import { SqsConsumer } from '../../../src/sources/sqs-consumer.js';
import type { MessageHandler } from '../../../src/sources/sqs-queue-port.js';
import { until } from '../../helpers/until.js';

let sqs: SqsSandbox;
beforeAll(async () => {
  sqs = await startSqs({ queueName: 'consumer-test' });
});
afterAll(async () => {
  await sqs.stop();
});

async function withConsumer(
  handler: MessageHandler,
  visibilitySeconds: number,
  body: (m: ReturnType<typeof createMetrics>) => Promise<void>,
) {
  const client = await createSqsClient({
    region: sqs.region,
    endpoints: { sqs: sqs.endpoint },
    maxAttempts: 1,
    credentials: sqs.clientSettings.credentials,
  });
  const queue = await createSqsQueue(client, sqs.queueUrl);
  const metrics = createMetrics(new Registry(), { version: 't', mode: 'queue' }, { defaultMetrics: false });
  const consumer = new SqsConsumer(
    { queue, handler, clock: systemClock, logger: pino({ level: 'silent' }), metrics },
    { visibilitySeconds, maxInFlight: 10, waitSeconds: 1, retryDelaySeconds: 0, shutdownGraceMs: 2000 },
  );
  const abort = new AbortController();
  const running = consumer.run(abort.signal);
  try {
    await body(metrics);
  } finally {
    abort.abort();
    await running;
    client.destroy();
  }
}

describe('SqsConsumer on fauxqs', () => {
  it('handles messages in parallel and deletes them; age is measured from SentTimestamp', async () => {
    const started: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const handler: MessageHandler = async (m) => {
      started.push(m.body);
      if (started.length === 3) release();
      await gate; // no handler finishes before all three started: they run in parallel
      return 'delete';
    };
    await withConsumer(handler, 5, async (metrics) => {
      await Promise.all(['a', 'b', 'c'].map((b) => sqs.sendMessage(b)));
      await until(async () => {
        const c = await sqs.counts();
        return started.length === 3 && c.visible === 0 && c.inFlight === 0;
      });
      expect([...started].sort()).toEqual(['a', 'b', 'c']);
      expect((await metrics.sqsMessagesDeleted.get()).values[0]?.value).toBe(3);
      const count = (await metrics.sqsMessageAgeSeconds.get()).values.find((v) =>
        v.metricName?.endsWith('_count'),
      );
      expect(count?.value).toBe(3);
    });
  });

  it('extends visibility while a handler runs longer than the visibility timeout', async () => {
    const seen: number[] = [];
    const handler: MessageHandler = async (m) => {
      seen.push(m.receiveCount ?? -1);
      await new Promise((r) => setTimeout(r, 4500)); // more than twice the 2 s visibility
      return 'delete';
    };
    await withConsumer(handler, 2, async () => {
      await sqs.sendMessage('slow');
      await until(async () => seen.length === 1 && (await sqs.counts()).inFlight === 0, 9000);
      expect(seen).toEqual([1]);
      expect(await sqs.counts()).toEqual({ visible: 0, inFlight: 0, delayed: 0 });
    });
  }, 15_000);

  it('redelivers a message the handler asks to retry', async () => {
    const seen: number[] = [];
    const handler: MessageHandler = async (m) => {
      seen.push(m.receiveCount ?? -1);
      return seen.length === 1 ? 'retry' : 'delete';
    };
    await withConsumer(handler, 30, async () => {
      await sqs.sendMessage('again');
      await until(async () => seen.length === 2 && (await sqs.counts()).inFlight === 0);
      expect(seen).toEqual([1, 2]);
    });
  });

  it('maps a dead endpoint to a retryable error and keeps polling', async () => {
    const client = await createSqsClient({
      region: 'us-east-1',
      endpoints: { sqs: 'http://127.0.0.1:9' },
      maxAttempts: 1,
      credentials: sqs.clientSettings.credentials,
    });
    const queue = await createSqsQueue(client, sqs.queueUrl);
    await expect(
      queue.receive({ maxMessages: 1, waitSeconds: 0, visibilitySeconds: 1 }, new AbortController().signal),
    ).rejects.toBeInstanceOf(TransientError);
    client.destroy();
  });
});
