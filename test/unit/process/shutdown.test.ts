import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { ShutdownRequested, runWithShutdown } from '../../../src/process/shutdown.js';

/** A stand-in for `process`: emits signals on demand, records exit codes instead of exiting. */
class FakeProcess extends EventEmitter {
  readonly exits: number[] = [];
  exit(code: number): void {
    this.exits.push(code);
  }
}

/** A fake in-flight drain: running until finish() is called. */
function inFlightTask() {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return { done, finish };
}

function setup(graceMs = 25_000) {
  const proc = new FakeProcess();
  const clock = new FakeClock();
  const lines: Record<string, unknown>[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(JSON.parse(chunk.toString()));
      cb();
    },
  });
  const logger = pino({ level: 'info' }, dest);
  const opts = { shutdownGraceMs: graceMs, logger, clock, proc };
  const tick = () => new Promise((r) => setImmediate(r));
  return { proc, clock, lines, opts, tick };
}

/** A daemon that stops intake on abort, then waits for its in-flight task. */
function daemon(task: { done: Promise<void> }, seen: { signal?: AbortSignal }) {
  return async (signal: AbortSignal): Promise<number> => {
    seen.signal = signal;
    await new Promise<void>((r) => signal.addEventListener('abort', () => r(), { once: true }));
    await task.done;
    return 0;
  };
}

describe('runWithShutdown', () => {
  it('SIGTERM aborts intake, waits for in-flight work, then resolves 0', async () => {
    const { proc, opts, tick } = setup();
    const task = inFlightTask();
    const seen: { signal?: AbortSignal } = {};
    let settled = false;
    const result = runWithShutdown(daemon(task, seen), opts).then((c) => ((settled = true), c));
    await tick();
    expect(seen.signal?.aborted).toBe(false);
    proc.emit('SIGTERM');
    expect(seen.signal?.aborted).toBe(true);
    expect(seen.signal?.reason).toBeInstanceOf(ShutdownRequested);
    await tick();
    expect(settled).toBe(false); // still draining
    task.finish();
    expect(await result).toBe(0);
    expect(proc.exits).toEqual([]);
    expect(proc.listenerCount('SIGTERM')).toBe(0);
  });

  it('stops waiting when the grace period runs out, and still resolves 0', async () => {
    const { proc, clock, lines, opts, tick } = setup(25_000);
    const result = runWithShutdown(daemon(inFlightTask(), {}), opts);
    await tick();
    proc.emit('SIGINT');
    await clock.advance(24_999);
    let settled = false;
    void result.then(() => (settled = true));
    await tick();
    expect(settled).toBe(false);
    await clock.advance(1);
    expect(await result).toBe(0);
    expect(lines.map((l) => l.msg)).toContain('in-flight work did not finish within the grace period');
  });

  it('a second signal exits at once', async () => {
    const { proc, opts, tick } = setup();
    const task = inFlightTask();
    const result = runWithShutdown(daemon(task, {}), opts);
    await tick();
    proc.emit('SIGTERM');
    proc.emit('SIGTERM');
    expect(proc.exits).toEqual([143]);
    task.finish();
    await result;
  });

  it('an uncaught error is logged before exit 1', async () => {
    const { proc, lines, opts, tick } = setup();
    const task = inFlightTask();
    const result = runWithShutdown(daemon(task, {}), opts);
    await tick();
    proc.emit('uncaughtException', new Error('kaboom'));
    expect(proc.exits).toEqual([1]);
    expect(lines).toContainEqual(
      expect.objectContaining({ level: 60, err: expect.objectContaining({ message: 'kaboom' }) }),
    );
    proc.emit('SIGTERM');
    task.finish();
    await result;
  });

  it('a failing run resolves 1 with the error logged; its own exit code passes through', async () => {
    const { opts, lines } = setup();
    expect(await runWithShutdown(() => Promise.reject(new Error('no kube')), opts)).toBe(1);
    expect(lines).toContainEqual(
      expect.objectContaining({ msg: 'fatal error', err: expect.objectContaining({ message: 'no kube' }) }),
    );
    expect(await runWithShutdown(async () => 3, opts)).toBe(3);
  });

  it('a run that rethrows the abort reason after SIGTERM is a clean stop', async () => {
    const { proc, opts, tick } = setup();
    const result = runWithShutdown(
      (signal) =>
        new Promise<number>((_r, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason as Error)),
        ),
      opts,
    );
    await tick();
    proc.emit('SIGTERM');
    expect(await result).toBe(0);
  });
});
