import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { ConflictError, TransientError } from '../../../src/errors.js';
import {
  LeaseElector,
  type LeaseRecord,
  type LeaseSpec,
  type LeaseStore,
} from '../../../src/kube/lease-elector.js';
import { createMetrics } from '../../../src/report/metrics.js';

/** One shared Lease object with resourceVersions, as the API server keeps it. */
class LeaseServer {
  record: LeaseRecord | undefined;
  private rv = 0;
  write(spec: LeaseSpec, expectRv: string | undefined): LeaseRecord {
    if (expectRv === undefined ? this.record !== undefined : this.record?.resourceVersion !== expectRv) {
      throw new ConflictError('the object has been modified');
    }
    this.record = { ...spec, resourceVersion: String(++this.rv) };
    return this.record;
  }
}

/** One replica's view of the server, with its own faults. */
class FakeLeaseStore implements LeaseStore {
  failing = false;
  hanging = false;
  calls = 0;
  /** While set, writes reach the server but their answers wait for release() (a paused process). */
  private withheld: Promise<void> | undefined;
  private releaseAnswers: (() => void) | undefined;
  constructor(private readonly server: LeaseServer) {}
  holdAnswers(): void {
    this.withheld = new Promise((r) => (this.releaseAnswers = r));
  }
  release(): void {
    this.releaseAnswers?.();
    this.withheld = undefined;
  }
  private async gate(): Promise<void> {
    this.calls++;
    if (this.hanging) await new Promise(() => {});
    if (this.failing) throw new TransientError('503 from the API server');
  }
  async get(): Promise<LeaseRecord | undefined> {
    await this.gate();
    return this.server.record;
  }
  async create(spec: LeaseSpec): Promise<LeaseRecord> {
    await this.gate();
    return this.server.write(spec, undefined);
  }
  async replace(spec: LeaseSpec, resourceVersion: string): Promise<LeaseRecord> {
    await this.gate();
    const written = this.server.write(spec, resourceVersion);
    await this.withheld;
    return written;
  }
}

const aborts: AbortController[] = [];
afterEach(() => aborts.splice(0).forEach((a) => a.abort()));

function replica(clock: FakeClock, server: LeaseServer, identity: string) {
  const store = new FakeLeaseStore(server);
  const log: string[] = [];
  const metrics = createMetrics(new Registry(), { version: 't', mode: 'queue' }, { defaultMetrics: false });
  const elector = new LeaseElector(
    { store, clock, logger: pino({ level: 'silent' }), metrics },
    {
      identity,
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2000,
      onStartedLeading: () => log.push('started'),
      onStoppedLeading: () => log.push('stopped'),
    },
  );
  const abort = new AbortController();
  aborts.push(abort);
  let done = false;
  const start = () => void elector.run(abort.signal).then(() => (done = true));
  const gauge = async () => (await metrics.leader.get()).values[0]?.value;
  return { store, elector, log, abort, start, gauge, isDone: () => done };
}

/** Advances time in 500 ms steps, checking that two replicas never both pass the fencing check. */
async function run(clock: FakeClock, ms: number, ...replicas: ReturnType<typeof replica>[]): Promise<void> {
  for (let t = 0; t < ms; t += 500) {
    await clock.advance(500);
    expect(replicas.filter((r) => r.elector.stillLeader()).length).toBeLessThanOrEqual(1);
  }
}

/** One replica 'a' on a fresh lease server, started. */
function solo() {
  const clock = new FakeClock();
  const server = new LeaseServer();
  const a = replica(clock, server, 'a');
  a.start();
  return { clock, server, a };
}

/** Two replicas on one lease server: 'a' starts and leads, 'b' starts 500 ms later as the standby. */
async function leaderAndStandby() {
  const { clock, server, a } = solo();
  const b = replica(clock, server, 'b');
  await run(clock, 500, a);
  b.start();
  return { clock, server, a, b };
}

describe('LeaseElector', () => {
  it('takes an absent lease at once and keeps it', async () => {
    const { clock, server, a } = solo();
    await run(clock, 500, a);
    expect(a.elector.isLeader).toBe(true);
    expect(a.elector.stillLeader()).toBe(true);
    expect(await a.gauge()).toBe(1);
    await run(clock, 60_000, a);
    expect(a.log).toEqual(['started']);
    expect(server.record).toMatchObject({
      holderIdentity: 'a',
      leaseDurationSeconds: 15,
      leaseTransitions: 0,
    });
  });

  it('a standby never takes a lease that is being renewed', async () => {
    const { clock, a, b } = await leaderAndStandby();
    await run(clock, 60_000, a, b);
    expect(a.elector.isLeader).toBe(true);
    expect(b.elector.isLeader).toBe(false);
    expect(b.store.calls).toBeGreaterThan(20);
  });

  it('two replicas starting together: one create wins (409 for the other)', async () => {
    const clock = new FakeClock();
    const server = new LeaseServer();
    const a = replica(clock, server, 'a');
    const b = replica(clock, server, 'b');
    a.start();
    b.start();
    await run(clock, 10_000, a, b);
    expect([a.elector.isLeader, b.elector.isLeader].sort()).toEqual([false, true]);
  });

  it('a paused leader fails the fencing check after the renew deadline; the standby takes over after the lease duration', async () => {
    const { clock, server, a, b } = await leaderAndStandby();
    await run(clock, 4000, a, b);
    a.store.hanging = true; // its renew calls never return: like a stopped process
    await run(clock, 9000, a, b);
    expect(a.elector.stillLeader()).toBe(true);
    await run(clock, 2000, a, b);
    expect(a.elector.stillLeader()).toBe(false);
    expect(b.elector.isLeader).toBe(false);
    await run(clock, 8000, a, b);
    expect(b.elector.isLeader).toBe(true);
    expect(b.elector.stillLeader()).toBe(true);
    expect(server.record).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('a renew answered late counts from when it was sent, not when its answer was read', async () => {
    // the server wrote the renew when it arrived: the lease runs from then, so must our fitness to act
    const { clock, a } = solo();
    await run(clock, 4000, a);
    a.store.holdAnswers(); // the next renew (sent within 2 s) reaches the server; its answer is late
    await run(clock, 8000, a);
    a.store.release(); // answered ok 6–8 s after it was sent
    a.store.holdAnswers(); // and the renew after that is late too
    await new Promise((r) => setImmediate(r));
    await run(clock, 4500, a); // 10.5–12.5 s after the answered renew was sent, 4.5 s after its answer
    expect(a.elector.isLeader).toBe(true);
    expect(a.elector.stillLeader()).toBe(false);
    a.store.release();
  });

  it('steps down at once (callback, gauge) when renewals fail for the renew deadline', async () => {
    const { clock, a } = solo();
    await run(clock, 2000, a);
    a.store.failing = true;
    await run(clock, 9000, a);
    expect(a.elector.isLeader).toBe(true);
    await run(clock, 2000, a);
    expect(a.elector.isLeader).toBe(false);
    expect(a.log).toEqual(['started', 'stopped']);
    expect(await a.gauge()).toBe(0);
    a.store.failing = false;
    await run(clock, 2000, a);
    expect(a.elector.isLeader).toBe(true); // still its own lease: it takes it back
  });

  it('steps down when it sees another holder', async () => {
    const { clock, server, a } = solo();
    await run(clock, 1000, a);
    server.record = { ...server.record!, holderIdentity: 'intruder', resourceVersion: '999' };
    await run(clock, 2000, a);
    expect(a.elector.isLeader).toBe(false);
    expect(a.log).toEqual(['started', 'stopped']);
  });

  it('releases the lease on shutdown so the standby takes over within a retry period', async () => {
    const { clock, server, a, b } = await leaderAndStandby();
    await run(clock, 5000, a, b);
    a.abort.abort();
    await run(clock, 500, a, b);
    expect(a.isDone()).toBe(true);
    expect(a.log).toEqual(['started', 'stopped']);
    expect(server.record?.holderIdentity).toBe('');
    await run(clock, 2000, a, b);
    expect(b.elector.isLeader).toBe(true);
    expect(clock.pending).toBe(1); // only b's retry sleep
  });

  it('rejects inconsistent timing', () => {
    const clock = new FakeClock();
    const deps = {
      store: new FakeLeaseStore(new LeaseServer()),
      clock,
      logger: pino({ level: 'silent' }),
      metrics: createMetrics(new Registry(), { version: 't', mode: 'q' }, { defaultMetrics: false }),
    };
    expect(
      () =>
        new LeaseElector(deps, {
          identity: 'x',
          leaseDurationMs: 10_000,
          renewDeadlineMs: 10_000,
          retryPeriodMs: 2000,
        }),
    ).toThrow(RangeError);
  });
});
