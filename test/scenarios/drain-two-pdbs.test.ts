/**
 * Story: two PodDisruptionBudgets select the same pod. The eviction API answers 500 ("more than one
 * PodDisruptionBudget") for it; the drain retries with backoff, evicts the pods no budget conflicts on,
 * and reports the pod as blocked by `multiple-pdbs` when its time is up.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  buildDrainWorld,
  cordonedActuator,
  drainRequest,
  makeActuator,
  podsOn,
  startDrainEnv,
  type DrainEnv,
} from './drain-support.js';
import { onRealCluster } from '../helpers/kube-env.js';

let env: DrainEnv;

beforeEach(async () => {
  env = await startDrainEnv();
});

afterEach(async () => {
  await env.stop();
});

// counts the 500s in the simulator's request log, which a real cluster does not have
it.skipIf(onRealCluster())(
  'retries the 500, drains the rest, reports the pod with multiple-pdbs',
  async () => {
    await buildDrainWorld(env, {
      nodes: ['n1', 'n2'],
      apps: [
        { name: 'web', replicas: 2, nodes: ['n1'], shutdownMs: 50 },
        { name: 'api', replicas: 2, nodes: ['n1'], shutdownMs: 50 },
      ],
      // both budgets would allow a disruption: only their overlap blocks
      pdbs: [
        { name: 'web-a', app: 'web', maxUnavailable: 5 },
        { name: 'web-b', app: 'web', maxUnavailable: 5 },
      ],
    });
    const { actuator } = await cordonedActuator(env, 'n1', { drainTimeoutMs: 1500 });

    const result = await actuator.drain(drainRequest('n1', 60_000, false));

    expect(result).toMatchObject({
      result: 'blocked',
      podsEvicted: 2,
      podsForceDeleted: 0,
      podsRemaining: 2,
    });
    expect(result.blockedBy.map((b) => [b.name, b.reason]).sort()).toEqual([
      ['web-0', 'multiple-pdbs'],
      ['web-1', 'multiple-pdbs'],
    ]);
    const errors = env.sim.requests.count({ method: 'POST', path: /\/pods\/web-0\/eviction$/, status: 500 });
    expect(errors).toBeGreaterThanOrEqual(3); // retried, not given up on the first 500
    expect(errors).toBeLessThan(30); // with backoff, not a hot loop
    const left = (await podsOn(env, 'n1')).map((p) => p.metadata?.name).sort();
    expect(left).toEqual(['web-0', 'web-1']);
  },
);

it('urgent: the pod with two budgets is deleted at deadline − forceLead', async () => {
  await buildDrainWorld(env, {
    nodes: ['n1', 'n2'],
    apps: [{ name: 'web', replicas: 1, nodes: ['n1'], shutdownMs: 50 }],
    pdbs: [
      { name: 'web-a', app: 'web', maxUnavailable: 1 },
      { name: 'web-b', app: 'web', maxUnavailable: 1 },
    ],
  });
  const { actuator } = makeActuator(env, { deadlineMarginMs: 500, forceLeadMs: 1500 });

  const result = await actuator.drain(drainRequest('n1', 3000, true));

  expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
  expect(await podsOn(env, 'n1')).toHaveLength(0);
});
