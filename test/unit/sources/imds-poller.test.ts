import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ImdsResponse } from '../../../src/aws/imds-client.js';
import { FakeClock } from '../../../src/clock.js';
import { TransientError } from '../../../src/errors.js';
import type { ParseOutcome } from '../../../src/events/interruption-event.js';
import { createMetrics } from '../../../src/report/metrics.js';
import {
  backoffDelayMs,
  ImdsPoller,
  type ImdsEnableFlags,
  type ImdsPort,
} from '../../../src/sources/imds-poller.js';

const SPOT = '/latest/meta-data/spot/instance-action';
const REBALANCE = '/latest/meta-data/events/recommendations/rebalance';
const SCHEDULED = '/latest/meta-data/events/maintenance/scheduled';
const LIFECYCLE = '/latest/meta-data/autoscaling/target-lifecycle-state';
const INSTANCE_ID = 'i-0123456789abcdef0';

/** A stateful IMDS: bodies per path (absent = 404), failures per path, calls recorded. */
class FakeImds implements ImdsPort {
  readonly bodies = new Map<string, string>([
    ['/latest/meta-data/instance-id', INSTANCE_ID],
    ['/latest/meta-data/instance-type', 'm5.large'],
    ['/latest/meta-data/placement/availability-zone', 'us-east-1c'],
    [SCHEDULED, '[]'],
    [LIFECYCLE, 'InService'],
  ]);
  readonly failing = new Set<string>();
  readonly calls: { path: string; atMs: number }[] = [];
  hang: Promise<void> | undefined;
  constructor(private readonly clock: FakeClock) {}

  async get(path: string): Promise<ImdsResponse> {
    this.calls.push({ path, atMs: this.clock.now() });
    if (this.hang) await this.hang;
    if (this.failing.has(path)) throw new TransientError('IMDS answered 503');
    const body = this.bodies.get(path);
    return body === undefined ? { status: 404 } : { status: 200, body };
  }
  callsTo(path: string): number[] {
    return this.calls.filter((c) => c.path === path).map((c) => c.atMs - START);
  }
}

const START = Date.parse('2026-11-29T10:00:00Z');
const ALL: ImdsEnableFlags = { spot: true, rebalance: true, scheduled: true, asgLifecycle: true };

function setup(options: { enable?: ImdsEnableFlags; throwOnce?: boolean } = {}) {
  const clock = new FakeClock(START);
  const imds = new FakeImds(clock);
  const registry = new Registry();
  const metrics = createMetrics(registry, { version: 'test', mode: 'imds' }, { defaultMetrics: false });
  const outcomes: { outcome: ParseOutcome; path: string; atMs: number }[] = [];
  let throwOnce = options.throwOnce ?? false;
  const consumer = {
    onOutcome: (outcome: ParseOutcome, path: string): void => {
      if (throwOnce) {
        throwOnce = false;
        throw new Error('consumer broke');
      }
      outcomes.push({ outcome, path, atMs: clock.now() - START });
    },
  };
  const poller = new ImdsPoller(
    { imds, consumer, clock, logger: pino({ level: 'silent' }), metrics },
    {
      nodeName: 'node-1',
      pollIntervalMs: 1000,
      enable: options.enable ?? ALL,
      scheduledLeadMs: 300_000,
      rebalanceHorizonMs: 1_800_000,
      asgTerminationHorizonMs: 120_000,
      random: () => 1, // no jitter: delays are the upper bound
    },
  );
  const ac = new AbortController();
  const done = poller.run(ac.signal);
  const metric = async (name: string): Promise<string> => {
    const text = await registry.getSingleMetricAsString(name);
    return text
      .split('\n')
      .filter((l) => !l.startsWith('#'))
      .join('\n');
  };
  stops.push(async () => {
    ac.abort(new Error('test over'));
    await done;
  });
  return { clock, imds, poller, outcomes, metric, ac, done };
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('backoffDelayMs', () => {
  it.each([
    [1, 1, 1000],
    [2, 1, 2000],
    [4, 1, 8000],
    [5, 1, 10_000],
    [50, 1, 10_000],
    [1, 0, 500],
    [5, 0, 5000],
  ])('attempt %i with random %d -> %i ms', (attempt, r, expected) => {
    expect(backoffDelayMs(attempt, 1000, 10_000, () => r)).toBe(expected);
  });
});

describe('ImdsPoller', () => {
  it('reads identity, polls every interval, and sees a notice within one interval', async () => {
    const { clock, imds, poller, outcomes } = setup();
    await clock.advance(0);
    expect(poller.ready).toBe(true);
    expect(poller.identity).toEqual({
      instanceId: INSTANCE_ID,
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1c',
      region: 'us-east-1',
    });
    expect(imds.callsTo(SPOT)).toEqual([0]);
    imds.bodies.set(SPOT, '{"action":"terminate","time":"2026-11-29T10:02:00Z"}');
    await clock.advance(1000);
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]).toMatchObject({
      path: SPOT,
      atMs: 1000,
      outcome: {
        type: 'event',
        events: [
          { kind: 'spot-interruption', instanceId: INSTANCE_ID, nodeName: 'node-1', region: 'us-east-1' },
        ],
      },
    });
    expect(imds.callsTo(SPOT)).toEqual([0, 1000]);
  });

  it('hands each notice over once, and again after it went away and came back', async () => {
    const { clock, imds, outcomes } = setup();
    imds.bodies.set(LIFECYCLE, 'Terminated');
    await clock.advance(5000);
    expect(outcomes.map((o) => o.path)).toEqual([LIFECYCLE]);
    imds.bodies.delete(LIFECYCLE);
    await clock.advance(1000);
    imds.bodies.set(LIFECYCLE, 'Terminated');
    await clock.advance(3000);
    // the tick at 6000 saw 404; the one at 7000 saw the notice again
    expect(outcomes.map((o) => o.atMs)).toEqual([0, 7000]);
  });

  it('polls only enabled paths', async () => {
    const { clock, imds } = setup({
      enable: { spot: true, rebalance: false, scheduled: false, asgLifecycle: true },
    });
    await clock.advance(2000);
    expect(imds.callsTo(SPOT)).toHaveLength(3);
    expect(imds.callsTo(LIFECYCLE)).toHaveLength(3);
    expect(imds.callsTo(REBALANCE)).toEqual([]);
    expect(imds.callsTo(SCHEDULED)).toEqual([]);
  });

  it('retries identity with back-off while not ready, without crashing', async () => {
    const clock = new FakeClock(START);
    const imds = new FakeImds(clock);
    imds.bodies.delete('/latest/meta-data/instance-id');
    imds.failing.add('/latest/meta-data/instance-type');
    const { poller, done, ac } = setupWith(clock, imds);
    await clock.advance(0);
    expect(poller.ready).toBe(false);
    await clock.advance(3000); // retries at 1000 and 3000
    expect(imds.callsTo('/latest/meta-data/instance-id')).toEqual([0, 1000, 3000]);
    imds.bodies.set('/latest/meta-data/instance-id', INSTANCE_ID);
    imds.failing.clear();
    await clock.advance(4000);
    expect(poller.ready).toBe(true);
    ac.abort();
    await expect(done).resolves.toBeUndefined();
  });

  it('backs a failing path off on its own while the others keep the interval', async () => {
    const { clock, imds, poller, metric } = setup();
    await clock.advance(0);
    imds.failing.add(SCHEDULED);
    await clock.advance(20_000);
    expect(poller.healthy).toBe(false);
    expect(await metric('spot_handler_imds_healthy')).toContain('spot_handler_imds_healthy 0');
    expect(imds.callsTo(SPOT)).toHaveLength(21);
    // fails at 1000, then waits 1 s, 2 s, 4 s, 8 s, 10 s
    expect(imds.callsTo(SCHEDULED)).toEqual([0, 1000, 2000, 4000, 8000, 16_000]);
    expect(await metric('spot_handler_imds_poll_errors_total')).toContain('{reason="network"} 5');
    imds.failing.clear();
    await clock.advance(10_000);
    expect(poller.healthy).toBe(true);
    expect(await metric('spot_handler_imds_healthy')).toContain('spot_handler_imds_healthy 1');
    expect(imds.callsTo(SCHEDULED).slice(-5)).toEqual([26_000, 27_000, 28_000, 29_000, 30_000]);
  });

  it('never overlaps ticks when IMDS is slow', async () => {
    const { clock, imds } = setup();
    await clock.advance(0);
    let release!: () => void;
    imds.hang = new Promise<void>((r) => (release = r));
    await clock.advance(5000);
    expect(imds.callsTo(SPOT)).toEqual([0, 1000]);
    imds.hang = undefined;
    release();
    await clock.advance(0);
    await clock.advance(0);
    expect(imds.callsTo(SPOT)).toEqual([0, 1000, 5000]);
  });

  it('counts a malformed body once and hands the invalid outcome over once', async () => {
    const { clock, imds, outcomes, metric } = setup();
    imds.bodies.set(SPOT, '<html>oops</html>');
    await clock.advance(3000);
    expect(outcomes).toEqual([
      {
        path: SPOT,
        atMs: 0,
        outcome: expect.objectContaining({ type: 'invalid', reason: 'malformed-json' }),
      },
    ]);
    expect(await metric('spot_handler_inputs_invalid_total')).toContain('reason="malformed-json"} 1');
  });

  it('hands scheduled events and cancellations over as separate outcomes', async () => {
    const { clock, imds, outcomes } = setup();
    const entry = {
      NotBefore: '02 Dec 2026 10:00:00 GMT',
      Code: 'system-reboot',
      Description: 'r',
      NotAfter: '',
    };
    imds.bodies.set(SCHEDULED, JSON.stringify([{ ...entry, EventId: 'e-1', State: 'active' }]));
    await clock.advance(1000);
    imds.bodies.set(
      SCHEDULED,
      JSON.stringify([
        { ...entry, EventId: 'e-1', State: 'canceled' },
        { ...entry, EventId: 'e-2', State: 'active' },
      ]),
    );
    await clock.advance(1000);
    expect(outcomes.map((o) => [o.atMs, o.outcome.type])).toEqual([
      [0, 'event'],
      [2000, 'event'],
      [2000, 'cancel'],
    ]);
  });

  it('hands an outcome over again when the consumer threw', async () => {
    const { clock, imds, outcomes } = setup({ throwOnce: true });
    imds.bodies.set(REBALANCE, '{"noticeTime":"2026-11-29T09:59:00Z"}');
    await clock.advance(2000);
    expect(outcomes.map((o) => o.atMs)).toEqual([1000]);
  });

  it('returns from run when aborted mid-sleep', async () => {
    const { clock, ac, done } = setup();
    await clock.advance(1500);
    ac.abort(new Error('SIGTERM'));
    await expect(done).resolves.toBeUndefined();
  });
});

function setupWith(clock: FakeClock, imds: FakeImds) {
  const metrics = createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false });
  const poller = new ImdsPoller(
    { imds, consumer: { onOutcome: () => undefined }, clock, logger: pino({ level: 'silent' }), metrics },
    {
      pollIntervalMs: 1000,
      enable: ALL,
      scheduledLeadMs: 0,
      rebalanceHorizonMs: 0,
      asgTerminationHorizonMs: 0,
      random: () => 1,
    },
  );
  const ac = new AbortController();
  return { poller, ac, done: poller.run(ac.signal) };
}
