import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { SqsConsumer, type SqsConsumerOptions } from '../../../src/sources/sqs-consumer.js';
import type { Disposition, QueueMessage } from '../../../src/sources/sqs-queue-port.js';
import { FakeSqsQueue } from './fake-sqs-queue.js';

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (v: T) => void;
}
function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
const flush = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await new Promise<void>((r) => setImmediate(r));
};

let stop = (): void => {};
afterEach(() => stop());

function setup(
  options: Partial<SqsConsumerOptions> = {},
  handler?: (m: QueueMessage, s: AbortSignal) => Promise<Disposition>,
  prepare: (queue: FakeSqsQueue, clock: FakeClock) => void = () => {},
) {
  const clock = new FakeClock();
  const queue = new FakeSqsQueue(clock);
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 't', mode: 'queue' }, { defaultMetrics: false });
  prepare(queue, clock);
  const pending = new Map<string, Deferred<Disposition>>();
  const handled: string[] = [];
  const signals: AbortSignal[] = [];
  const defaultHandler = (m: QueueMessage, s: AbortSignal): Promise<Disposition> => {
    handled.push(m.messageId);
    signals.push(s);
    const d = deferred<Disposition>();
    pending.set(m.messageId, d);
    return d.promise;
  };
  const consumer = new SqsConsumer(
    { queue, clock, logger: pino({ level: 'silent' }), metrics, handler: handler ?? defaultHandler },
    { visibilitySeconds: 2, maxInFlight: 10, waitSeconds: 20, random: () => 0, ...options },
  );
  const abort = new AbortController();
  let done = false;
  const running = consumer.run(abort.signal).then(() => (done = true));
  stop = () => abort.abort();
  const counter = async (
    c: { get(): Promise<{ values: { labels: object; value: number }[] }> },
    labels: object,
  ) => (await c.get()).values.find((v) => JSON.stringify(v.labels) === JSON.stringify(labels))?.value ?? 0;
  return {
    clock,
    queue,
    metrics,
    registry,
    consumer,
    abort,
    running,
    pending,
    handled,
    signals,
    counter,
    isDone: () => done,
  };
}

describe('SqsConsumer', () => {
  it('handles received messages in parallel and deletes them when the handler says so', async () => {
    const t = setup();
    const a = t.queue.send('a', t.clock.now() - 3000);
    const b = t.queue.send('b');
    await flush();
    expect(t.handled).toEqual([a, b]);
    t.pending.get(b)!.resolve('delete');
    await flush();
    expect(t.queue.deleted).toEqual([b]);
    t.pending.get(a)!.resolve({ action: 'delete', reason: 'invalid' });
    await flush();
    expect(t.queue.deleted).toEqual([b, a]);
    expect(await t.counter(t.metrics.sqsMessagesDeleted, { reason: 'done' })).toBe(1);
    expect(await t.counter(t.metrics.sqsMessagesDeleted, { reason: 'invalid' })).toBe(1);
    const age = await t.metrics.sqsMessageAgeSeconds.get();
    expect(age.values.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(3);
  });

  it('extends visibility while a handler runs longer than the visibility timeout', async () => {
    const t = setup({ visibilitySeconds: 2 });
    const id = t.queue.send('slow');
    await flush();
    for (let i = 0; i < 10; i++) await t.clock.advance(1000);
    expect(t.queue.receivesOf(id)).toBe(1);
    expect(t.queue.calls.changeVisibility).toBe(10);
    t.pending.get(id)!.resolve('delete');
    await flush();
    expect(t.queue.deleted).toEqual([id]);
    await t.clock.advance(5000);
    expect(t.queue.calls.changeVisibility).toBe(10);
  });

  it('keeps extending after a failed ChangeMessageVisibility', async () => {
    const t = setup({ visibilitySeconds: 4 });
    const id = t.queue.send('slow');
    await flush();
    t.queue.fail.changeVisibility = 1;
    await t.clock.advance(2000);
    await t.clock.advance(2000);
    expect(await t.counter(t.metrics.sqsErrors, { operation: 'change_visibility' })).toBe(1);
    expect(t.queue.receivesOf(id)).toBe(1);
    t.pending.get(id)!.resolve('delete');
    await flush();
    expect(t.queue.deleted).toEqual([id]);
  });

  it('makes a message visible again on retry, and it is redelivered after the delay', async () => {
    const t = setup({ retryDelaySeconds: 5 });
    const id = t.queue.send('again');
    await flush();
    t.pending.get(id)!.resolve('retry');
    await flush();
    expect(t.queue.deleted).toEqual([]);
    await t.clock.advance(4000);
    expect(t.handled).toEqual([id]);
    await t.clock.advance(20_000);
    expect(t.handled).toEqual([id, id]);
  });

  it('a throwing handler counts as retry', async () => {
    let calls = 0;
    const t = setup({ retryDelaySeconds: 0 }, async () => {
      calls++;
      if (calls === 1) throw new Error('boom');
      return 'delete';
    });
    const id = t.queue.send('x');
    await flush();
    await t.clock.advance(20_000);
    expect(calls).toBe(2);
    expect(t.queue.deleted).toEqual([id]);
  });

  it('stops receiving at maxInFlight and resumes below it (backpressure)', async () => {
    const t = setup({ maxInFlight: 2 });
    const ids = [1, 2, 3, 4, 5].map((i) => t.queue.send(`m${i}`));
    await flush();
    expect(t.handled).toEqual(ids.slice(0, 2));
    expect(t.queue.requests[0]?.maxMessages).toBe(2);
    await t.clock.advance(30_000);
    expect(t.handled).toHaveLength(2);
    t.pending.get(ids[0]!)!.resolve('delete');
    await flush();
    expect(t.handled).toEqual(ids.slice(0, 3));
    expect(t.queue.requests.at(-1)?.maxMessages).toBe(1);
    expect(t.consumer.inFlightCount).toBe(2);
  });

  it('several receivers poll at once and together never take more than maxInFlight', async () => {
    const t = setup({ maxInFlight: 25, receivers: 3 });
    await flush();
    // three long polls under way, their batches reserved: 10 + 10 + 5
    expect(t.queue.requests.map((r) => r.maxMessages)).toEqual([10, 10, 5]);
    const ids = Array.from({ length: 40 }, (_, i) => t.queue.send(`m${i}`));
    await flush();
    expect(t.handled).toHaveLength(25);
    expect(new Set(t.handled).size).toBe(25);
    await t.clock.advance(30_000);
    expect(t.handled).toHaveLength(25);
    for (const id of ids.slice(0, 10)) t.pending.get(id)!.resolve('delete');
    await flush();
    expect(t.handled).toHaveLength(35);
    expect(t.consumer.inFlightCount).toBe(25);
  });

  it('backs off with jitter after receive errors and keeps going', async () => {
    const t = setup({}, undefined, (queue) => {
      queue.fail.receive = 3;
      queue.send('late');
    });
    await flush();
    expect(t.queue.calls.receive).toBe(1);
    await t.clock.advance(500); // random 0 → half of 1 s
    expect(t.queue.calls.receive).toBe(2);
    await t.clock.advance(999); // second backoff is 1 s
    expect(t.queue.calls.receive).toBe(2);
    await t.clock.advance(1);
    expect(t.queue.calls.receive).toBe(3);
    await t.clock.advance(1999); // third backoff is 2 s
    expect(t.handled).toHaveLength(0);
    await t.clock.advance(1);
    expect(t.handled).toHaveLength(1);
    expect(await t.counter(t.metrics.sqsErrors, { operation: 'receive' })).toBe(3);
    // after a failure the next receive is a short poll, so a fix shows at once; then long polls again
    expect(t.queue.requests.map((r) => r.waitSeconds)).toEqual([20, 0, 0, 0, 20]);
  });

  it('retries a failed delete, then leaves the message for redelivery', async () => {
    const t = setup({ deleteAttempts: 3 });
    const id = t.queue.send('x');
    await flush();
    t.queue.fail.delete = 5;
    t.pending.get(id)!.resolve('delete');
    await flush();
    await t.clock.advance(1000);
    expect(t.queue.calls.delete).toBe(3);
    expect(await t.counter(t.metrics.sqsErrors, { operation: 'delete' })).toBe(3);
    expect(t.queue.deleted).toEqual([]);
    await t.clock.advance(2000);
    expect(t.handled).toEqual([id, id]);
  });

  it('a standby never receives; it starts when it becomes leader', async () => {
    let leader = false;
    const t = setup({ shouldReceive: () => leader, idleCheckMs: 500 });
    t.queue.send('x');
    await t.clock.advance(5000);
    expect(t.queue.calls.receive).toBe(0);
    leader = true;
    await t.clock.advance(500);
    expect(t.handled).toHaveLength(1);
  });

  it('wake(): a standby that just became leader polls at once, not at its next idle check', async () => {
    let leader = false;
    const t = setup({ shouldReceive: () => leader, idleCheckMs: 1000 });
    t.queue.send('x');
    await t.clock.advance(1500);
    expect(t.queue.calls.receive).toBe(0);
    leader = true;
    t.consumer.wake();
    await flush();
    expect(t.handled).toHaveLength(1); // no clock time passed
  });

  it('abort stops intake at once and run() waits for in-flight handlers', async () => {
    const t = setup({ shutdownGraceMs: 60_000 });
    const id = t.queue.send('x');
    await flush();
    t.abort.abort();
    const y = t.queue.send('y'); // answers the long poll that was under way: released, not handled
    await t.clock.advance(10_000);
    expect(t.queue.receivesOf(y)).toBe(1);
    expect(t.queue.messages.get(y)?.visibleAtMs).toBeLessThanOrEqual(t.clock.now());
    expect(t.isDone()).toBe(false);
    expect(t.queue.calls.receive).toBe(2);
    t.pending.get(id)!.resolve('delete');
    await flush();
    expect(t.isDone()).toBe(true);
    expect(t.queue.deleted).toEqual([id]);
    expect(t.handled).toEqual([id]);
    expect(t.clock.pending).toBe(0);
  });

  it('when idle, abort lets the long poll under way end, then resolves', async () => {
    const t = setup({ waitSeconds: 20 });
    await flush();
    t.abort.abort();
    await t.clock.advance(19_999);
    expect(t.isDone()).toBe(false);
    await t.clock.advance(1);
    await flush();
    expect(t.isDone()).toBe(true);
    expect(t.queue.calls.receive).toBe(1);
    expect(t.clock.pending).toBe(0);
  });

  it('after the shutdown grace, run() resolves and the handler signal aborts', async () => {
    const t = setup({ shutdownGraceMs: 5000 });
    t.queue.send('x');
    await flush();
    t.abort.abort();
    await flush();
    await t.clock.advance(4999);
    expect(t.isDone()).toBe(false);
    await t.clock.advance(1);
    await flush();
    expect(t.isDone()).toBe(true);
    expect(t.signals[0]?.aborted).toBe(true);
    expect(t.clock.pending).toBe(0);
  });

  it('rejects bad options up front', () => {
    const clock = new FakeClock();
    const deps = {
      queue: new FakeSqsQueue(clock),
      clock,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(new Registry(), { version: 't', mode: 'q' }, { defaultMetrics: false }),
      handler: async (): Promise<Disposition> => 'delete',
    };
    expect(() => new SqsConsumer(deps, { visibilitySeconds: 0, maxInFlight: 1 })).toThrow(
      /visibilitySeconds/,
    );
    expect(() => new SqsConsumer(deps, { visibilitySeconds: 1, maxInFlight: 0 })).toThrow(/maxInFlight/);
    expect(() => new SqsConsumer(deps, { visibilitySeconds: 1, maxInFlight: 1, receivers: 0 })).toThrow(
      /receivers/,
    );
  });
});
