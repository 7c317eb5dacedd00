/**
 * Story: a second message for the same node (a rebalance followed by the spot interruption, or a
 * redelivered SQS message) asks to drain while a drain of that node runs. The second call joins the
 * first: one drain, one eviction per pod, the same result for both callers.
 */
import { expect, it } from 'vitest';
import { drainRequest, drainScenario, N1, N2, N3 } from './drain-support.js';

const drain = drainScenario({
  nodes: [N1, N2, N3],
  apps: [
    { name: 'web', replicas: 10, nodes: [N1], shutdownMs: 400 },
    { name: 'api', replicas: 2, nodes: [N2], shutdownMs: 50 },
  ],
});

it('joins the running drain of the same node', async () => {
  const { actuator, metrics } = await drain.cordonedActuator(N1);
  await actuator.cordon(N2);

  const first = actuator.drain(drainRequest(N1, 30_000, false));
  await new Promise((r) => setTimeout(r, 100));
  const second = actuator.drain({ ...drainRequest(N1, 20_000, true), eventId: 'spot-1' });
  const other = actuator.drain(drainRequest(N2, 30_000, true));
  const [a, b, c] = await Promise.all([first, second, other]);

  expect(b).toBe(a);
  expect(a).toMatchObject({ result: 'succeeded', podsEvicted: 10, podsRemaining: 0 });
  expect(c).toMatchObject({ result: 'succeeded', podsEvicted: 2 });
  expect(drain.env.sim.requests.count({ method: 'POST', path: /\/pods\/web-\d+\/eviction$/ })).toBe(10);
  // one list per drain plus the final re-list, and one watch per drain: not two drains of n1
  const n1Lists = drain.env.sim.requests
    .entries({ method: 'GET', path: '/api/v1/pods' })
    .filter((r) => r.query.includes(`spec.nodeName%3D${N1}`) && !r.query.includes('watch'));
  expect(n1Lists.length).toBeLessThanOrEqual(2);
  const drains = (await metrics.drains.get()).values.reduce((n, v) => n + v.value, 0);
  expect(drains).toBe(2);
  expect(await drain.podsOn(N1)).toHaveLength(0);
});
