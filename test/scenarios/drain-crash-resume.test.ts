/**
 * Story: the handler dies mid-drain (its drain stops and its connections close) after some pods were
 * evicted and while a PDB holds the rest back. A new handler drains the same node again: it waits for
 * the pods already terminating instead of evicting them twice, evicts the rest once the budget allows,
 * and finishes `succeeded`. Every pod is evicted exactly once across both runs.
 */
import { expect, it } from 'vitest';
import { drainCounts, drainRequest, drainScenario, waitUntil, N1, webBehindPdb } from './drain-support.js';

// replacements take 2.5 s to become Ready: the budget holds the other two back when the crash comes
const drain = drainScenario(webBehindPdb(4, 600, { maxUnavailable: 2 }), { startDelayMs: 2500 });

it('a second drain after a crash finishes the job without evicting anything twice', async () => {
  const evicted = (): number =>
    drain.env.sim.requests.count({ method: 'POST', path: /\/pods\/web-\d\/eviction$/, status: 201 });

  const crashed = drain.makeActuator();
  const crash = new AbortController();
  await crashed.actuator.cordon(N1);
  const firstRun = crashed.actuator.drain({ ...drainRequest(N1, 30_000, true), signal: crash.signal });
  await waitUntil('two evictions', () => Promise.resolve(evicted() === 2));
  crash.abort();
  const partial = await firstRun;
  expect(partial.podsRemaining).toBeGreaterThan(0);

  const { actuator } = drain.makeActuator();
  const state = await actuator.getNode(N1);
  expect(state?.unschedulable).toBe(true);
  const result = await actuator.drain(drainRequest(N1, 30_000, true));

  expect(drainCounts(result)).toBe('succeeded: 2 evicted, 0 forced, 0 left');
  expect(evicted()).toBe(4);
  // the pods already terminating were left to finish: no second eviction or delete for them
  const attempts = drain.env.sim.requests.entries({ method: 'POST', path: /\/pods\/web-\d\/eviction$/ });
  const perPod = new Map<string, number>();
  for (const r of attempts.filter((x) => x.status === 201)) perPod.set(r.path, (perPod.get(r.path) ?? 0) + 1);
  expect([...perPod.values()]).toEqual([1, 1, 1, 1]);
  expect(await drain.podsOn(N1)).toHaveLength(0);
});
