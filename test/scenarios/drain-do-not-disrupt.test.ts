/**
 * Story: pods marked do-not-disrupt (`karpenter.sh/do-not-disrupt: "true"`,
 * `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`). An urgent drain evicts them last, after
 * the ordinary pods are gone; a non-urgent drain leaves them running and reports them as blocking.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  cordonedActuator,
  drainRequest,
  podsOn,
  startDrainWorld,
  terminationsOn,
  type DrainEnv,
  N1,
  N2,
} from './drain-support.js';

let env: DrainEnv;

beforeEach(async () => {
  const protectedApp = { replicas: 1, nodes: [N1], shutdownMs: 50, graceSeconds: 10 };
  env = await startDrainWorld({
    nodes: [N1, N2],
    apps: [
      { name: 'web', replicas: 4, nodes: [N1], shutdownMs: 300 },
      { ...protectedApp, name: 'batch', annotations: { 'karpenter.sh/do-not-disrupt': 'true' } },
      {
        ...protectedApp,
        name: 'job',
        annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' },
      },
    ],
  });
});

afterEach(async () => {
  await env.stop();
});

it('urgent: evicts do-not-disrupt pods only after the ordinary pods are gone', async () => {
  const { actuator } = await cordonedActuator(env, N1);

  // the deadline leaves room for their 10 s grace after the ordinary tier, so they wait for it
  const result = await actuator.drain(drainRequest(N1, 60_000, true));

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 6, podsRemaining: 0 });
  const terms = terminationsOn(env, N1);
  const ordinary = terms.filter((t) => t.name.startsWith('web-'));
  const protectedPods = terms.filter((t) => !t.name.startsWith('web-'));
  expect(ordinary).toHaveLength(4);
  expect(protectedPods.map((t) => t.name).sort()).toEqual(['batch-0', 'job-0']);
  const ordinaryDone = Math.max(...ordinary.map((t) => t.finishedAt ?? Infinity));
  for (const t of protectedPods) expect(t.sigtermAt).toBeGreaterThanOrEqual(ordinaryDone);
  expect(await podsOn(env, N1)).toHaveLength(0);
});

it('non-urgent: leaves them running and reports them', async () => {
  const { actuator } = await cordonedActuator(env, N1);

  const result = await actuator.drain(drainRequest(N1, 30_000, false));

  expect(result).toMatchObject({ result: 'blocked', podsEvicted: 4, podsForceDeleted: 0, podsRemaining: 2 });
  expect(result.blockedBy.map((b) => [b.name, b.reason]).sort()).toEqual([
    ['batch-0', 'do-not-disrupt'],
    ['job-0', 'do-not-disrupt'],
  ]);
  // it did not sit out the whole timeout waiting for pods it will not touch
  expect(result.durationMs).toBeLessThan(5000);
  const left = await podsOn(env, N1);
  expect(left.map((p) => p.metadata?.name).sort()).toEqual(['batch-0', 'job-0']);
  expect(left.every((p) => p.metadata?.deletionTimestamp === undefined)).toBe(true);
  expect(env.sim.requests.count({ method: 'POST', path: /\/pods\/(batch|job)-0\/eviction$/ })).toBe(0);
});
