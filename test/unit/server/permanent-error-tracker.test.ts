/** The permanent-error tracker: readiness, one log line per change of state, the gauge, the port wrapper. */
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { SetupError, TransientError } from '../../../src/errors.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { ReadinessRegistry } from '../../../src/server/health-registry.js';
import {
  PermanentErrorTracker,
  SETUP_CHECK,
  watchPermanentErrors,
} from '../../../src/server/permanent-error-tracker.js';
import { captureLogger } from '../report/capture-logger.js';

function setup() {
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 't', mode: 'queue' }, { defaultMetrics: false });
  const readiness = new ReadinessRegistry();
  const logs = captureLogger();
  const tracker = new PermanentErrorTracker({
    setReady: (c, r, d) => readiness.set(c, r, d),
    logger: logs.logger,
    gauge: metrics.permanentError,
  });
  const gauge = async (component: string, reason: string): Promise<number | undefined> =>
    (await metrics.permanentError.get()).values.find(
      (v) => v.labels.component === component && v.labels.reason === reason,
    )?.value;
  const setupCheck = () => readiness.check().checks.find((c) => c.name === SETUP_CHECK);
  return { tracker, logs, gauge, setupCheck, registry };
}

const denied = (action: string) =>
  new SetupError(`${action}: AccessDenied`, { reason: 'access_denied', fix: `allow ${action}` });

describe('PermanentErrorTracker', () => {
  it('starts ready with every known series at 0', async () => {
    const t = setup();
    expect(t.setupCheck()).toMatchObject({ ready: true });
    expect(await t.gauge('sqs', 'queue_not_found')).toBe(0);
    expect(await t.gauge('kube', 'kube_forbidden')).toBe(0);
  });

  it('not ready while a call fails, naming cause and fix; logged once however often it repeats', async () => {
    const t = setup();
    for (let i = 0; i < 5; i++) t.tracker.failed('sqs', 'queue.receive', denied('sqs:ReceiveMessage'));
    expect(t.setupCheck()).toEqual({
      name: SETUP_CHECK,
      ready: false,
      detail: 'sqs:ReceiveMessage: AccessDenied (access_denied); fix: allow sqs:ReceiveMessage',
    });
    expect(await t.gauge('sqs', 'access_denied')).toBe(1);
    expect(t.logs.lines().filter((l) => l['level'] === 50)).toHaveLength(1);

    t.tracker.failed('sqs', 'queue.delete', denied('sqs:DeleteMessage'));
    expect(await t.gauge('sqs', 'access_denied')).toBe(2);
    expect(t.setupCheck()?.detail).toContain(' | sqs:DeleteMessage');

    t.tracker.succeeded('sqs', 'queue.receive');
    t.tracker.succeeded('sqs', 'queue.receive');
    expect(t.setupCheck()?.ready).toBe(false);
    t.tracker.succeeded('sqs', 'queue.delete');
    expect(t.setupCheck()).toMatchObject({ ready: true });
    expect(await t.gauge('sqs', 'access_denied')).toBe(0);
    const infos = t.logs.lines().filter((l) => l['level'] === 30);
    expect(infos).toHaveLength(2);
    expect(infos[0]).toMatchObject({ api: 'sqs', call: 'queue.receive', reason: 'access_denied' });
  });

  it('a changed cause on the same call is a change of state: logged, gauge moved', async () => {
    const t = setup();
    t.tracker.failed('sqs', 'queue.receive', denied('sqs:ReceiveMessage'));
    t.tracker.failed(
      'sqs',
      'queue.receive',
      new SetupError('sqs:ReceiveMessage: QueueDoesNotExist', { reason: 'queue_not_found', fix: 'x' }),
    );
    expect(await t.gauge('sqs', 'access_denied')).toBe(0);
    expect(await t.gauge('sqs', 'queue_not_found')).toBe(1);
    expect(t.logs.lines().filter((l) => l['level'] === 50)).toHaveLength(2);
  });
});

describe('watchPermanentErrors', () => {
  it('reports SetupErrors and successes per method, passes results and errors through', async () => {
    const t = setup();
    let fail: Error | undefined = denied('sqs:ReceiveMessage');
    const port = {
      receive: async (n: number) => {
        if (fail) throw fail;
        return n * 2;
      },
      name: 'q',
    };
    const watched = watchPermanentErrors(port, 'sqs', 'queue', t.tracker);
    await expect(watched.receive(1)).rejects.toBeInstanceOf(SetupError);
    expect(t.setupCheck()?.ready).toBe(false);
    fail = new TransientError('503');
    await expect(watched.receive(1)).rejects.toBeInstanceOf(TransientError);
    expect(t.setupCheck()?.ready).toBe(false); // a transient failure neither sets nor clears it
    fail = undefined;
    expect(await watched.receive(2)).toBe(4);
    expect(t.setupCheck()?.ready).toBe(true);
    expect(watched.name).toBe('q');
  });
});
