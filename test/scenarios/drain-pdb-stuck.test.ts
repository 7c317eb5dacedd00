/**
 * Story: a PodDisruptionBudget that never allows a disruption (minAvailable = replicas). An urgent drain
 * (spot interruption) deletes the pods at deadline − forceLead and reports `forced`; a non-urgent one
 * (rebalance) gives up at its timeout with `blocked`, naming each pod and the PDB, and forces nothing.
 */
import { expect, it } from 'vitest';
import { drainRequest, drainScenario, N1, webBehindPdb } from './drain-support.js';

const drain = drainScenario(webBehindPdb(3, 50, { minAvailable: 3 }));

it('urgent: deletes the refused pods at deadline − forceLead and reports forced', async () => {
  const { actuator, metrics } = await drain.cordonedActuator(N1, {
    deadlineMarginMs: 500,
    forceLeadMs: 2000,
  });
  const request = drainRequest(N1, 4000, true);

  const result = await actuator.drain(request);
  const endedAt = Date.now();

  expect(result).toMatchObject({ result: 'forced', podsEvicted: 0, podsForceDeleted: 3, podsRemaining: 0 });
  expect(result.blockedBy).toEqual([]);
  // the pods deleted without eviction are named, each with the budget that refused it
  expect(result.forcedPods?.map((p) => `${p.name} ${p.reason} ${p.pdb}`).sort()).toEqual([
    'web-0 pdb web-pdb',
    'web-1 pdb web-pdb',
    'web-2 pdb web-pdb',
  ]);
  // forcing started no earlier than deadline − forceLead, and the pods were gone before the deadline
  // (the kubelet simulator's own grace-0 deletes, when the pods finish, are not ours)
  const deletes = drain.env.sim.requests
    .entries({ method: 'DELETE', path: /\/pods\/web-\d$/ })
    .filter((d) => !d.query.includes('gracePeriodSeconds=0'));
  expect(deletes).toHaveLength(3);
  for (const d of deletes) expect(d.at).toBeGreaterThanOrEqual(request.deadlineMs - 2000 - 50);
  expect(endedAt).toBeLessThan(request.deadlineMs);
  // SIGTERM with the shortened grace (>= 1 s), never a grace-0 kill
  const terms = drain.terminationsOn(N1);
  expect(terms.map((t) => t.graceSeconds)).toEqual([1, 1, 1]);
  expect(terms.every((t) => !t.killed)).toBe(true);
  expect((await metrics.podsForceDeleted.get()).values[0]?.value).toBe(3);
  expect(await drain.podsOn(N1)).toHaveLength(0);
});

it('non-urgent: blocked at the timeout, names pod and PDB, forces nothing', async () => {
  const { actuator } = await drain.cordonedActuator(N1, { drainTimeoutMs: 1500 });

  const result = await actuator.drain(drainRequest(N1, 60_000, false));

  expect(result).toMatchObject({ result: 'blocked', podsEvicted: 0, podsForceDeleted: 0, podsRemaining: 3 });
  expect(result.durationMs).toBeGreaterThanOrEqual(1500);
  expect(result.durationMs).toBeLessThan(3000);
  const blocked = [...result.blockedBy].sort((a, b) => a.name.localeCompare(b.name));
  expect(blocked.map((b) => [b.namespace, b.name, b.pdb, b.reason])).toEqual([
    [drain.env.namespace, 'web-0', 'web-pdb', 'pdb'],
    [drain.env.namespace, 'web-1', 'web-pdb', 'pdb'],
    [drain.env.namespace, 'web-2', 'web-pdb', 'pdb'],
  ]);
  expect(drain.env.sim.requests.count({ method: 'DELETE', path: /\/pods\// })).toBe(0);
  const left = await drain.podsOn(N1);
  expect(left).toHaveLength(3);
  expect(left.every((p) => p.metadata?.deletionTimestamp === undefined)).toBe(true);
});
