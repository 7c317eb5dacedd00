import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { RateLimiter, requestPriority, type RequestPriority } from '../../../src/kube/rate-limiter.js';

/** Starts acquires and records the order in which they are granted. */
function race(limiter: RateLimiter, priorities: readonly RequestPriority[]) {
  const granted: string[] = [];
  const all = priorities.map((p, i) => limiter.acquire(p).then(() => void granted.push(`${p}${i}`)));
  return { granted, all };
}

describe('RateLimiter', () => {
  it('lets a burst through at once, then spaces requests at the QPS', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 10, burst: 3 });
    const { granted } = race(limiter, ['pod', 'pod', 'pod', 'pod', 'pod']);
    await clock.advance(0);
    expect(granted).toHaveLength(3);
    expect(limiter.queued).toBe(2);
    await clock.advance(99);
    expect(granted).toHaveLength(3);
    await clock.advance(1);
    expect(granted).toHaveLength(4);
    await clock.advance(100);
    expect(granted).toHaveLength(5);
    expect(limiter.queued).toBe(0);
  });

  it('refills over time up to the burst', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 100, burst: 2 });
    await limiter.acquire();
    await limiter.acquire();
    await clock.advance(60_000);
    const { granted } = race(limiter, ['pod', 'pod', 'pod']);
    await clock.advance(0);
    expect(granted).toEqual(['pod0', 'pod1']);
    await clock.advance(10);
    expect(granted).toEqual(['pod0', 'pod1', 'pod2']);
  });

  it('serves waiters by priority (lease, node, pod, event), each priority in arrival order', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 10, burst: 1 });
    await limiter.acquire('pod');
    const { granted, all } = race(limiter, ['event', 'pod', 'node', 'pod', 'node', 'lease', 'event']);
    await clock.advance(0);
    expect(granted).toEqual([]);
    await clock.advance(700);
    await Promise.all(all);
    expect(granted).toEqual(['lease5', 'node2', 'node4', 'pod1', 'pod3', 'event0', 'event6']);
  });

  it('a request arriving while others wait queues behind them even if a token is due', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 10, burst: 1 });
    await limiter.acquire('pod');
    const first = race(limiter, ['event']);
    await clock.advance(50);
    const second = race(limiter, ['node']);
    await clock.advance(50); // one token: the node overtakes the earlier Event
    expect(second.granted).toEqual(['node0']);
    expect(first.granted).toEqual([]);
    await clock.advance(100);
    expect(first.granted).toEqual(['event0']);
  });

  it('an aborted waiter leaves the queue and rejects; the others keep their turn', async () => {
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 1, burst: 1 });
    await limiter.acquire();
    const abort = new AbortController();
    const gone = limiter.acquire('node', abort.signal);
    const stays = limiter.acquire('pod');
    abort.abort(new Error('stop'));
    await expect(gone).rejects.toThrow('stop');
    expect(limiter.queued).toBe(1);
    await clock.advance(1000);
    await stays;
    expect(limiter.queued).toBe(0);
  });

  it('rejects nonsense settings', () => {
    expect(() => new RateLimiter(new FakeClock(), { qps: 0, burst: 1 })).toThrow(RangeError);
  });
});

describe('requestPriority', () => {
  it.each([
    ['https://k:443/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/spot-handler', 'lease'],
    ['https://k:443/api/v1/nodes/ip-10-0-0-1.ec2.internal', 'node'],
    ['https://k:443/api/v1/nodes?labelSelector=x', 'node'],
    ['https://k:443/api/v1/nodes/n1/status', 'node'],
    ['https://k:443/api/v1/namespaces/default/pods/web-1/eviction', 'pod'],
    ['https://k:443/api/v1/pods?fieldSelector=spec.nodeName%3Dn1', 'pod'],
    ['https://k:443/apis/policy/v1/namespaces/default/poddisruptionbudgets', 'pod'],
    ['https://k:443/api/v1/namespaces/default/events', 'event'],
    ['https://k:443/api/v1/namespaces/default/events/x.123', 'event'],
    ['https://k:443/apis/events.k8s.io/v1/namespaces/default/events', 'event'],
    ['/api/v1/namespaces/nodes/pods', 'pod'],
  ])('%s → %s', (url, priority) => {
    expect(requestPriority(url)).toBe(priority);
  });
});
