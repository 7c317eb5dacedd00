/**
 * Story: a PodDisruptionBudget allows one disruption at a time. The drain evicts one pod, the others are
 * refused (429) until the ReplicaSet's replacement becomes Ready on another node, then the next goes.
 * The drain ends `succeeded` with nothing reported as blocking and nothing forced.
 */
import { expect, it } from 'vitest';
import {
  drainCounts,
  drainRequest,
  drainScenario,
  waitUntil,
  isReady,
  N1,
  N2,
  webBehindPdb,
} from './drain-support.js';

const drain = drainScenario(webBehindPdb(3, 50, { minAvailable: 2 }), { startDelayMs: 300 });

it('waits for replacements to become Ready elsewhere, then finishes', async () => {
  const { actuator, metrics } = await drain.cordonedActuator(N1);

  const result = await actuator.drain(drainRequest(N1, 10_000, false));

  expect(drainCounts(result)).toBe('succeeded: 3 evicted, 0 forced, 0 left');
  expect(result.blockedBy).toEqual([]);
  expect(await drain.podsOn(N1)).toHaveLength(0);
  // each eviction after the first had to wait for a replacement (>= 300 ms start delay each)
  expect(result.durationMs).toBeGreaterThanOrEqual(600);
  const refused = drain.env.sim.requests.count({ method: 'POST', path: /\/eviction$/, status: 429 });
  // on a real server the replacements may already be Ready by the time a retry goes out (its own timing):
  // the refusals are asserted where the timing is ours; the count always matches the metric
  if (!drain.env.real) expect(refused).toBeGreaterThan(0);
  expect((await metrics.podsBlockedByPdb.get()).values[0]?.value ?? 0).toBe(refused);
  // the last replacement was created when the last pod left; it becomes Ready a little later
  await waitUntil('replacements Ready on n2', async () => {
    const moved = (await drain.podsOn(N2)).filter((p) => p.metadata?.labels?.['app'] === 'web');
    return moved.length === 3 && moved.every(isReady);
  });
});
