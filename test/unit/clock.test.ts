import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/clock.js';

describe('FakeClock', () => {
  it('wakes sleepers in order when time advances', async () => {
    const clock = new FakeClock(0);
    const woke: number[] = [];
    void clock.sleep(200).then(() => woke.push(clock.now()));
    void clock.sleep(100).then(() => woke.push(clock.now()));
    await clock.advance(150);
    expect(woke).toEqual([100]);
    await clock.advance(100);
    expect(woke).toEqual([100, 200]);
    expect(clock.now()).toBe(250);
  });

  it('rejects a sleep when its signal aborts', async () => {
    const clock = new FakeClock(0);
    const ac = new AbortController();
    const p = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(p).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});
