import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { AsgHookCompleter, type AsgHookPort } from '../../../src/actions/asg-hook-completer.js';
import type { HookTimeouts } from '../../../src/actions/asg-hook-deadline.js';
import { FakeClock } from '../../../src/clock.js';
import { NotFoundError, PermanentError, TransientError } from '../../../src/errors.js';
import type { InterruptionEvent, LifecycleHookRef } from '../../../src/events/interruption-event.js';
import { createMetrics } from '../../../src/report/metrics.js';

const HOOK: LifecycleHookRef = {
  hookName: 'drain',
  groupName: 'asg-1',
  token: 'tok',
  instanceId: 'i-0123456789abcdef0',
};

/** A stateful fake ASG: one active action per token; completion removes it. */
class FakeAsg implements AsgHookPort {
  active = new Set(['tok']);
  completed: string[] = [];
  heartbeatsAt: number[] = [];
  describes = 0;
  failures: Partial<Record<'complete' | 'heartbeat' | 'describe', Error[]>> = {};
  constructor(
    private readonly clock: FakeClock,
    public timeoutSeconds: number | undefined = 300,
  ) {}
  private fail(call: 'complete' | 'heartbeat' | 'describe'): void {
    const err = this.failures[call]?.shift();
    if (err) throw err;
  }
  async complete(hook: LifecycleHookRef): Promise<void> {
    this.fail('complete');
    if (!this.active.delete(hook.token ?? '')) throw new NotFoundError('No active Lifecycle Action found');
    this.completed.push(hook.token ?? '');
  }
  async recordHeartbeat(hook: LifecycleHookRef): Promise<void> {
    this.fail('heartbeat');
    if (!this.active.has(hook.token ?? '')) throw new NotFoundError('No active Lifecycle Action found');
    this.heartbeatsAt.push(this.clock.now());
  }
  async describeHook(): Promise<HookTimeouts | undefined> {
    this.describes++;
    this.fail('describe');
    return this.timeoutSeconds === undefined ? undefined : { heartbeatTimeoutSeconds: this.timeoutSeconds };
  }
}

function setup(options: Partial<ConstructorParameters<typeof AsgHookCompleter>[1]> = {}, timeout?: number) {
  const clock = new FakeClock();
  const asg = new FakeAsg(clock, timeout);
  const metrics = createMetrics(new Registry(), { version: 't', mode: 'queue' }, { defaultMetrics: false });
  const completer = new AsgHookCompleter(
    { port: asg, clock, logger: pino({ level: 'silent' }), metrics },
    { heartbeatIntervalSeconds: -1, heartbeatUntilSeconds: -1, ...options },
  );
  const count = async (labels: object) =>
    (await metrics.lifecycleActions.get()).values.find(
      (v) => JSON.stringify(v.labels) === JSON.stringify(labels),
    )?.value ?? 0;
  return { clock, asg, completer, count, start: clock.now() };
}

describe('AsgHookCompleter.complete', () => {
  it('completes once; a second completion counts as already done', async () => {
    const t = setup();
    expect(await t.completer.complete(HOOK)).toBe('completed');
    expect(await t.completer.complete(HOOK)).toBe('already-done');
    expect(t.asg.completed).toEqual(['tok']);
    expect(await t.count({ call: 'complete', result: 'success' })).toBe(1);
    expect(await t.count({ call: 'complete', result: 'already_done' })).toBe(1);
  });

  it('retries transient errors with backoff', async () => {
    const t = setup();
    t.asg.failures.complete = [new TransientError('503'), new TransientError('503')];
    const done = t.completer.complete(HOOK);
    await t.clock.advance(500);
    await t.clock.advance(1000);
    expect(await done).toBe('completed');
    expect(t.clock.pending).toBe(0);
  });

  it('gives up on a permanent error, leaving no timer', async () => {
    const t = setup();
    t.asg.failures.complete = [new PermanentError('AccessDenied')];
    await expect(t.completer.complete(HOOK)).rejects.toBeInstanceOf(PermanentError);
    expect(t.asg.completed).toEqual([]);
    expect(t.clock.pending).toBe(0);
  });
});

describe('AsgHookCompleter.startHeartbeats', () => {
  it('beats every half HeartbeatTimeout until aborted, and caches the hook timeout', async () => {
    const t = setup({}, 300);
    const abort = new AbortController();
    const beating = t.completer.startHeartbeats(HOOK, abort.signal);
    await t.clock.advance(150_000 * 3);
    expect(t.asg.heartbeatsAt.map((at) => (at - t.start) / 1000)).toEqual([150, 300, 450]);
    abort.abort();
    await beating;
    expect(t.clock.pending).toBe(0);
    await t.completer.heartbeatIntervalMs(HOOK);
    expect(t.asg.describes).toBe(1);
  });

  it('uses the configured interval and stops at heartbeatUntil', async () => {
    const t = setup({ heartbeatIntervalSeconds: 60, heartbeatUntilSeconds: 200 });
    const beating = t.completer.startHeartbeats(HOOK, new AbortController().signal);
    await t.clock.advance(1_000_000);
    await beating;
    expect(t.asg.heartbeatsAt.map((at) => (at - t.start) / 1000)).toEqual([60, 120, 180]);
    expect(t.clock.pending).toBe(0);
    expect(t.asg.describes).toBe(0);
  });

  it('stops when the action is gone (completed elsewhere)', async () => {
    const t = setup({ heartbeatIntervalSeconds: 30 });
    const beating = t.completer.startHeartbeats(HOOK, new AbortController().signal);
    await t.clock.advance(30_000);
    await t.completer.complete(HOOK);
    await t.clock.advance(30_000);
    await beating;
    expect(t.asg.heartbeatsAt).toHaveLength(1);
    expect(t.clock.pending).toBe(0);
    expect(await t.count({ call: 'heartbeat', result: 'error' })).toBe(1);
  });

  it('keeps beating through transient errors', async () => {
    const t = setup({ heartbeatIntervalSeconds: 30 });
    t.asg.failures.heartbeat = [new TransientError('throttled')];
    const abort = new AbortController();
    const beating = t.completer.startHeartbeats(HOOK, abort.signal);
    await t.clock.advance(90_000);
    expect(t.asg.heartbeatsAt).toHaveLength(2);
    abort.abort();
    await beating;
    expect(t.clock.pending).toBe(0);
  });

  it('falls back to 60 s when the hook timeout cannot be read, and does not cache the failure', async () => {
    const t = setup({}, 300);
    t.asg.failures.describe = [new TransientError('503')];
    expect(await t.completer.heartbeatIntervalMs(HOOK)).toBe(60_000);
    expect(await t.completer.heartbeatIntervalMs(HOOK)).toBe(150_000);
    expect(await t.completer.heartbeatIntervalMs({ ...HOOK, heartbeatTimeoutSeconds: 40 })).toBe(20_000);
  });

  it('an already aborted signal sends nothing', async () => {
    const t = setup({ heartbeatIntervalSeconds: 30 });
    const abort = new AbortController();
    abort.abort();
    await t.completer.startHeartbeats(HOOK, abort.signal);
    expect(t.asg.heartbeatsAt).toEqual([]);
    expect(t.clock.pending).toBe(0);
  });
});

describe('AsgHookCompleter.withHookDeadline', () => {
  const event = (start: number): InterruptionEvent => ({
    id: 'asg-1',
    kind: 'asg-termination',
    instanceId: HOOK.instanceId,
    noticedAtMs: start + 1000,
    issuedAtMs: start,
    deadlineMs: start + 300_000,
    source: 'sqs',
    origin: { type: 'sqs', message: { messageId: 'm', receiptHandle: 'r' }, lifecycle: HOOK },
    description: 'terminate',
  });

  it('takes the deadline from the hook (heartbeats up to the global timeout), asking AWS once per hook', async () => {
    const t = setup({}, 600);
    const out = await t.completer.withHookDeadline(event(t.start));
    expect(out.deadlineMs).toBe(t.start + 60_000_000); // 100 × 600 s
    expect(out.origin).toMatchObject({ lifecycle: { heartbeatTimeoutSeconds: 600 } });
    await t.completer.withHookDeadline(event(t.start + 5000));
    expect(t.asg.describes).toBe(1);
  });

  it('keeps the assumed 300 s when DescribeLifecycleHooks fails, and asks again next time', async () => {
    const t = setup({}, 600);
    t.asg.failures.describe = [new PermanentError('AccessDenied')];
    expect((await t.completer.withHookDeadline(event(t.start))).deadlineMs).toBe(t.start + 300_000);
    expect((await t.completer.withHookDeadline(event(t.start))).deadlineMs).toBe(t.start + 60_000_000);
    expect(t.asg.describes).toBe(2);
  });

  it('in dry-run mode (no heartbeats) the hook expires after its HeartbeatTimeout', async () => {
    const t = setup({ sendsHeartbeats: false }, 600);
    expect((await t.completer.withHookDeadline(event(t.start))).deadlineMs).toBe(t.start + 600_000);
  });

  it('leaves other events alone', async () => {
    const t = setup({}, 600);
    const spot = { ...event(t.start), kind: 'spot-interruption' as const };
    expect(await t.completer.withHookDeadline(spot)).toBe(spot);
    expect(t.asg.describes).toBe(0);
  });
});
