import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { RateLimiter } from '../../../src/kube/rate-limiter.js';

describe('RateLimiter', () => {
  it('lets a burst through at once, then spaces requests at the QPS', () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 10, burst: 3 });
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 0]);
    expect(limiter.reserve()).toBe(100);
    expect(limiter.reserve()).toBe(200);
  });

  it('refills over time up to the burst', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 100, burst: 2 });
    limiter.reserve();
    limiter.reserve();
    await clock.advance(60_000);
    expect([limiter.reserve(), limiter.reserve(), limiter.reserve()]).toEqual([0, 0, 10]);
  });

  it('acquire waits on the clock and resolves when time has come', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 1, burst: 1 });
    await limiter.acquire();
    let done = false;
    const second = limiter.acquire().then(() => (done = true));
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await second;
    expect(done).toBe(true);
  });

  it('rejects nonsense settings', () => {
    expect(() => new RateLimiter(new FakeClock(), { qps: 0, burst: 1 })).toThrow(RangeError);
  });
});
