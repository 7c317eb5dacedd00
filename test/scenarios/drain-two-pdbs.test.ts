/**
 * Story: two PodDisruptionBudgets select the same pod. The eviction API answers 500 ("more than one
 * PodDisruptionBudget") for it; the drain retries with backoff, evicts the pods no budget conflicts on,
 * and reports the pod as blocked by `multiple-pdbs` when its time is up.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  createApp,
  createNodes,
  createPdb,
  drainRequest,
  makeActuator,
  podsOn,
  startDrainEnv,
  waitAllReady,
  type DrainEnv,
} from './drain-support.js';

let env: DrainEnv;

beforeEach(async () => {
  env = await startDrainEnv();
});

afterEach(async () => {
  await env.stop();
});

it('retries the 500, drains the rest, reports the pod with multiple-pdbs', async () => {
  await createNodes(env, 'n1', 'n2');
  await createApp(env, { name: 'web', replicas: 2, nodes: ['n1'], shutdownMs: 50 });
  await createApp(env, { name: 'api', replicas: 2, nodes: ['n1'], shutdownMs: 50 });
  // both budgets would allow a disruption: only their overlap blocks
  await createPdb(env, 'web-a', 'web', { maxUnavailable: 5 });
  await createPdb(env, 'web-b', 'web', { maxUnavailable: 5 });
  await waitAllReady(env);
  const { actuator } = makeActuator(env, { drainTimeoutMs: 1500 });
  await actuator.cordon('n1');

  const result = await actuator.drain(drainRequest('n1', 60_000, false));

  expect(result).toMatchObject({ result: 'blocked', podsEvicted: 2, podsForceDeleted: 0, podsRemaining: 2 });
  expect(result.blockedBy.map((b) => [b.name, b.reason]).sort()).toEqual([
    ['web-0', 'multiple-pdbs'],
    ['web-1', 'multiple-pdbs'],
  ]);
  const errors = env.sim.requests.count({ method: 'POST', path: /\/pods\/web-0\/eviction$/, status: 500 });
  expect(errors).toBeGreaterThanOrEqual(3); // retried, not given up on the first 500
  expect(errors).toBeLessThan(30); // with backoff, not a hot loop
  const left = (await podsOn(env, 'n1')).map((p) => p.metadata?.name).sort();
  expect(left).toEqual(['web-0', 'web-1']);
});

it('urgent: the pod with two budgets is deleted at deadline − forceLead', async () => {
  await createNodes(env, 'n1', 'n2');
  await createApp(env, { name: 'web', replicas: 1, nodes: ['n1'], shutdownMs: 50 });
  await createPdb(env, 'web-a', 'web', { maxUnavailable: 1 });
  await createPdb(env, 'web-b', 'web', { maxUnavailable: 1 });
  await waitAllReady(env);
  const { actuator } = makeActuator(env, { deadlineMarginMs: 500, forceLeadMs: 1500 });

  const result = await actuator.drain(drainRequest('n1', 3000, true));

  expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
  expect(await podsOn(env, 'n1')).toHaveLength(0);
});
