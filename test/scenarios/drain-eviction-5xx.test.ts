/**
 * Story: the API server fails for a while (simulator fault injection): the first pod lists answer 500
 * and the eviction subresource answers 503 to the first 20 requests. The drain retries with backoff and
 * finishes `succeeded` well inside its deadline, evicting every pod exactly once.
 */
import { expect, it } from 'vitest';
import { drainRequest, drainScenario, N1, N2 } from './drain-support.js';

const drain = drainScenario({
  nodes: [N1, N2],
  apps: [{ name: 'web', replicas: 8, nodes: [N1], shutdownMs: 50 }],
});

it('retries 5xx from list and eviction, then drains every pod once', async () => {
  const { actuator, metrics } = await drain.cordonedActuator(N1);
  const listFault = drain.env.sim.faults.add({ path: '/api/v1/pods', method: 'GET', status: 500, count: 2 });
  const evictFault = drain.env.sim.faults.add({
    path: /\/pods\/[^/]+\/eviction$/,
    method: 'POST',
    status: 503,
    count: 20,
  });

  const result = await actuator.drain(drainRequest(N1, 30_000, true));

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 8, podsRemaining: 0, blockedBy: [] });
  expect(drain.env.sim.faults.hits(listFault)).toBe(2);
  expect(drain.env.sim.faults.hits(evictFault)).toBe(20);
  expect(result.durationMs).toBeLessThan(8000);
  expect(drain.env.sim.requests.count({ method: 'POST', path: /\/eviction$/, status: 201 })).toBe(8);
  const apiErrors = (await metrics.apiRequests.get()).values.filter((v) => v.labels['code'] === '5xx');
  expect(apiErrors.reduce((n, v) => n + v.value, 0)).toBe(22);
  expect(await drain.podsOn(N1)).toHaveLength(0);
});
