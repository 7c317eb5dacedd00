/**
 * SQS faults against the real daemon in queue mode (leader of one): receive and delete errors and
 * throttling, a delete that keeps failing (the message comes back after the visibility timeout and is
 * answered from memory), duplicate delivery, and 1,000 malformed messages with a poison message among
 * good ones. Every message is deleted exactly when its work is done; each node is drained once.
 */
import { describe, expect, it } from 'vitest';
import { buildBundleBeforeAll, stoppedAfterEach } from '../helpers/per-test.js';
import { startDaemon } from '../helpers/daemon.js';
import { snsWrap, spotWarning } from '../helpers/queue-messages.js';
import { nodeAt, startQueueWorld, until, type QueueWorld } from '../helpers/queue-world.js';
import { faultRecord } from './support/fault-record.js';
import {
  eventually,
  queueDepth,
  queueFaultEnv,
  queueFigures,
  sendBatch,
} from './support/queue-fault-world.js';
import { startSqsFaultProxy, type SqsFaultProxy } from './support/sqs-fault-proxy.js';

buildBundleBeforeAll();
const track = stoppedAfterEach();

/** A queue world and a fault proxy in front of its SQS, both stopped after the test. */
async function setup(visibilitySeconds = 30): Promise<{ world: QueueWorld; proxy: SqsFaultProxy }> {
  const world = track(await startQueueWorld({ visibilitySeconds }));
  const proxy = track(await startSqsFaultProxy(world.sqs.endpoint));
  return { world, proxy };
}

describe('SQS faults (queue mode)', () => {
  it('receive 500s and throttling, delete 500s: drained once, deleted once', async () => {
    const rec = faultRecord('sqs', 'ReceiveMessage 500 ×3 then throttled ×3; DeleteMessage 500 ×2');
    const { world: w, proxy: p } = await setup();
    // one receive loop (WORKERS ≤ 5: maxInFlight max(10, 2×WORKERS), one loop per 10): parallel polls would spread the injected failures over the SDK's retries
    const daemon = await startDaemon({ mode: 'queue', env: queueFaultEnv(w, p, { WORKERS: '5' }) });
    await daemon.waitForLog((l) => l.msg === 'became leader', 10_000);
    p.fail('ReceiveMessage', { count: 3 });
    await until(() => p.count('ReceiveMessage', 500) === 3, 10_000, 'receive 500s');
    p.fail('ReceiveMessage', { kind: 'throttling', count: 3 });
    p.fail('DeleteMessage', { count: 2 });
    const target = nodeAt(w, 0);
    const sentAt = Date.now();
    await w.send(spotWarning(target.instanceId));
    await daemon.waitForLog((l) => l.msg === 'node drained', 60_000);
    const noticeToDrainedMs = Date.now() - sentAt;
    // the warning gives 120 s: receive back-off (up to 30 s) must leave most of it
    expect(noticeToDrainedMs).toBeLessThan(60_000);
    await eventually(async () => (await queueDepth(w)) === 0, 15_000, 'queue empty');
    expect(p.count('DeleteMessage', 200)).toBe(1);
    expect(await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'done' })).toBe(1);
    expect(await daemon.metric('spot_handler_sqs_errors_total')).toBeGreaterThan(0);
    Object.assign(rec.figures, await queueFigures(w, [daemon], 1));
    Object.assign(rec.figures, {
      faultsInjected: p.calls.filter((c) => c.injected).length,
      duplicates: 0,
      noticeToDrainedMs,
    });
    expect(rec.figures.drainsStarted).toBe(1);
    expect(rec.figures.messagesLost).toBe(0);
    rec.outcome = 'backed off on receive; delete retried; one drain, one delete';
    // a long poll under way (up to 20 s) is let finish on SIGTERM, so the exit may take that long
    expect((await daemon.stop(40_000)).code).toBe(0);
  });

  it('delete keeps failing: the message returns after the visibility timeout and is deleted without a second drain', async () => {
    const rec = faultRecord(
      'sqs',
      'every DeleteMessage fails until the message is redelivered (visibility 3 s)',
    );
    const { world: w, proxy: p } = await setup(3);
    const daemon = await startDaemon({ mode: 'queue', env: queueFaultEnv(w, p) });
    await daemon.waitForLog((l) => l.msg === 'became leader', 10_000);
    p.fail('DeleteMessage');
    await w.send(spotWarning(nodeAt(w, 0).instanceId));
    await daemon.waitForLog(
      (l) => l.msg === 'giving up deleting the message; it will be redelivered',
      30_000,
    );
    p.clear('DeleteMessage');
    await eventually(async () => (await queueDepth(w)) === 0, 20_000, 'redelivered message deleted');
    const receivedTwice = daemon.logs.filter((l) => l.msg === 'interruption event received').length;
    expect(daemon.logsWith('drain started')).toHaveLength(1);
    expect(p.count('DeleteMessage', 200)).toBe(1);
    Object.assign(rec.figures, await queueFigures(w, [daemon], 1));
    Object.assign(rec.figures, {
      faultsInjected: p.calls.filter((c) => c.injected).length,
      duplicates: 0,
    });
    rec.outcome = `redelivered (event logged ${receivedTwice}×), answered from memory, deleted once, drained once`;
  });

  it('duplicate delivery (same event three times, one SNS-wrapped): one drain, three deletes', async () => {
    const rec = faultRecord('sqs', 'the same spot warning delivered 3× (one SNS-wrapped)');
    const { world: w, proxy: p } = await setup();
    const daemon = await startDaemon({ mode: 'queue', env: queueFaultEnv(w, p) });
    await daemon.waitForLog((l) => l.msg === 'became leader', 10_000);
    const msg = spotWarning(nodeAt(w, 0).instanceId);
    await w.send(msg);
    await w.send(msg);
    await w.send(snsWrap(msg));
    await daemon.waitForLog((l) => l.msg === 'node drained', 30_000);
    await eventually(async () => (await queueDepth(w)) === 0, 15_000, 'queue empty');
    expect(daemon.logsWith('drain started')).toHaveLength(1);
    expect(p.count('DeleteMessage', 200) + p.count('DeleteMessageBatch', 200)).toBeGreaterThanOrEqual(1);
    Object.assign(rec.figures, await queueFigures(w, [daemon], 3), { duplicates: 0 });
    expect(rec.figures.messagesDeleted).toBe(3);
    rec.outcome = 'one drain; all three copies deleted after it';
  });

  it('1,000 malformed messages in a row with a poison message and good ones: all deleted by reason, good ones drained', async () => {
    const rec = faultRecord(
      'sqs',
      '1,000 malformed bodies + 1 poison (foreign instance) around 2 good warnings',
    );
    const { world: w, proxy: p } = await setup();
    const daemon = await startDaemon({ mode: 'queue', env: queueFaultEnv(w, p) });
    await daemon.waitForLog((l) => l.msg === 'became leader', 10_000);
    const shapes = [
      (i: number) => `not json ${i}`,
      (i: number) => JSON.stringify([i]),
      (i: number) => JSON.stringify({ 'detail-type': 'EC2 Spot Instance Interruption Warning', detail: i }),
      (i: number) => `{"version":"0","id":"${i}","detail-type":`,
      (i: number) => JSON.stringify({ Type: 'Notification', Message: `{"broken":${i}` }),
    ];
    const bad = Array.from({ length: 1000 }, (_, i) => (shapes[i % shapes.length] ?? String)(i));
    const good = [spotWarning(nodeAt(w, 0).instanceId), spotWarning(nodeAt(w, 1).instanceId)];
    const poison = spotWarning('i-0ffffffffffffffff');
    const bodies = [JSON.stringify(good[0]), ...bad.slice(0, 500), JSON.stringify(poison), ...bad.slice(500)];
    bodies.push(JSON.stringify(good[1]));
    await sendBatch(w, bodies);
    await eventually(async () => (await queueDepth(w)) === 0, 90_000, 'every message deleted');
    await until(() => daemon.logsWith('node drained').length === 2, 30_000, 'two drains');
    const invalid = await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'invalid' });
    const ignored = await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'ignored' });
    const foreign = await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'foreign' });
    const done = await daemon.metric('spot_handler_sqs_messages_deleted_total', { reason: 'done' });
    expect(invalid + ignored).toBe(1000);
    expect(foreign).toBe(1);
    expect(done).toBe(2);
    expect(w.appPodsOn(nodeAt(w, 0).name)).toEqual([]);
    expect(w.appPodsOn(nodeAt(w, 1).name)).toEqual([]);
    Object.assign(rec.figures, await queueFigures(w, [daemon], bodies.length), { duplicates: 0 });
    rec.outcome = `deleted: ${invalid} invalid, ${ignored} ignored, ${foreign} foreign, ${done} done; both good nodes drained`;
    expect((await daemon.get('/healthz')).status).toBe(200);
  });
});
