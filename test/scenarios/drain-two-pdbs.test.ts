/**
 * Story: two PodDisruptionBudgets select the same pod. The eviction API answers 500 ("more than one
 * PodDisruptionBudget") for it; the drain retries with backoff, evicts the pods no budget conflicts on,
 * and reports the pod as blocked by `multiple-pdbs` when its time is up.
 */
import { expect, it } from 'vitest';
import { buildDrainWorld, drainRequest, drainScenario, N1, N2 } from './drain-support.js';

const drain = drainScenario();

it('retries the 500, drains the rest, reports the pod with multiple-pdbs', async () => {
  await buildDrainWorld(drain.env, {
    nodes: [N1, N2],
    apps: [
      { name: 'web', replicas: 2, nodes: [N1], shutdownMs: 50 },
      { name: 'api', replicas: 2, nodes: [N1], shutdownMs: 50 },
    ],
    // both budgets would allow a disruption: only their overlap blocks
    pdbs: [
      { name: 'web-a', app: 'web', maxUnavailable: 5 },
      { name: 'web-b', app: 'web', maxUnavailable: 5 },
    ],
  });
  const { actuator } = await drain.cordonedActuator(N1, { drainTimeoutMs: 1500 });

  const result = await actuator.drain(drainRequest(N1, 60_000, false));

  expect(result).toMatchObject({ result: 'blocked', podsEvicted: 2, podsForceDeleted: 0, podsRemaining: 2 });
  expect(result.blockedBy.map((b) => [b.name, b.reason]).sort()).toEqual([
    ['web-0', 'multiple-pdbs'],
    ['web-1', 'multiple-pdbs'],
  ]);
  const errors = drain.env.sim.requests.count({
    method: 'POST',
    path: /\/pods\/web-0\/eviction$/,
    status: 500,
  });
  expect(errors).toBeGreaterThanOrEqual(3); // retried, not given up on the first 500
  expect(errors).toBeLessThan(30); // with backoff, not a hot loop
  const left = (await drain.podsOn(N1)).map((p) => p.metadata?.name).sort();
  expect(left).toEqual(['web-0', 'web-1']);
});

it('urgent: the pod with two budgets is deleted at deadline − forceLead', async () => {
  await buildDrainWorld(drain.env, {
    nodes: [N1, N2],
    apps: [{ name: 'web', replicas: 1, nodes: [N1], shutdownMs: 50 }],
    pdbs: [
      { name: 'web-a', app: 'web', maxUnavailable: 1 },
      { name: 'web-b', app: 'web', maxUnavailable: 1 },
    ],
  });
  const { actuator } = await drain.cordonedActuator(N1, { deadlineMarginMs: 500, forceLeadMs: 1500 });

  const result = await actuator.drain(drainRequest(N1, 3000, true));

  expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
  expect(await drain.podsOn(N1)).toHaveLength(0);
});
