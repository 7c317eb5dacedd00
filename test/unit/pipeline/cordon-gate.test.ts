import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { CordonGate } from '../../../src/pipeline/cordon-gate.js';

function track(p: Promise<boolean>) {
  const state: { result?: boolean; error?: unknown } = {};
  p.then(
    (r) => (state.result = r),
    (e: unknown) => (state.error = e),
  );
  return state;
}

describe('CordonGate', () => {
  it('lets a drain through at once when no action is waiting to cordon', async () => {
    const gate = new CordonGate(new FakeClock());
    gate.begin('i-1');
    gate.end('i-1');
    await expect(gate.waitClear()).resolves.toBe(true);
  });

  it('holds drains until the last pending cordon is done', async () => {
    const clock = new FakeClock();
    const gate = new CordonGate(clock, { stallMs: 2000, maxWaitMs: 15_000 });
    gate.begin('i-1');
    gate.begin('i-2');
    const drain = track(gate.waitClear());
    await clock.advance(500);
    gate.end('i-1');
    await clock.advance(0);
    expect(drain.result).toBeUndefined();
    gate.end('i-2');
    gate.end('i-2'); // idempotent
    await clock.advance(0);
    expect(drain.result).toBe(true);
    expect(gate.pendingCount).toBe(0);
  });

  it('a stuck cordon holds a drain for at most stallMs after the last progress', async () => {
    const clock = new FakeClock();
    const gate = new CordonGate(clock, { stallMs: 2000, maxWaitMs: 15_000 });
    gate.begin('stuck');
    const drain = track(gate.waitClear());
    await clock.advance(1999);
    expect(drain.result).toBeUndefined();
    await clock.advance(1);
    expect(drain.result).toBe(false);
  });

  it('keeps waiting while cordons progress, but never longer than maxWaitMs', async () => {
    const clock = new FakeClock();
    const gate = new CordonGate(clock, { stallMs: 2000, maxWaitMs: 15_000 });
    gate.begin('stuck');
    const drain = track(gate.waitClear());
    for (let i = 0; i < 9; i++) {
      await clock.advance(1500);
      gate.begin(`i-${i}`); // new interruptions keep arriving and cordoning
      await clock.advance(100);
      gate.end(`i-${i}`);
    }
    await clock.advance(500); // 14.9 s: still waiting, progress never stalled for 2 s
    expect(drain.result).toBeUndefined();
    await clock.advance(100);
    expect(drain.result).toBe(false); // the 15 s cap
  });

  it('progress restarts the stall timer', async () => {
    const clock = new FakeClock();
    const gate = new CordonGate(clock, { stallMs: 2000, maxWaitMs: 15_000 });
    gate.begin('a');
    gate.begin('b');
    const drain = track(gate.waitClear());
    await clock.advance(1900);
    gate.end('a');
    await clock.advance(1900);
    expect(drain.result).toBeUndefined();
    await clock.advance(100);
    expect(drain.result).toBe(false);
  });

  it('rejects when the drain is aborted while waiting', async () => {
    const clock = new FakeClock();
    const gate = new CordonGate(clock);
    gate.begin('i-1');
    const abort = new AbortController();
    const drain = track(gate.waitClear(abort.signal));
    abort.abort(new Error('superseded'));
    await clock.advance(0);
    expect(drain.error).toBeInstanceOf(Error);
  });
});
