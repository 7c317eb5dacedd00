/**
 * Story: pods that need longer to stop than the time left before the instance goes away. The drain
 * shortens their grace to fit the deadline (minus the margin), so the kubelet kills them at that
 * shortened grace, before the deadline; pods with a short grace of their own keep it.
 */
import { expect, it } from 'vitest';
import { drainRequest, drainScenario, N1, N2 } from './drain-support.js';

const drain = drainScenario({
  nodes: [N1, N2],
  apps: [
    // asks for 300 s and needs 20 s to stop
    { name: 'slow', replicas: 3, nodes: [N1], shutdownMs: 20_000, graceSeconds: 300 },
    // asks for 2 s and stops in 200 ms
    { name: 'quick', replicas: 2, nodes: [N1], shutdownMs: 200, graceSeconds: 2 },
  ],
});

it('shortens the grace of slow pods so that they are gone before the deadline', async () => {
  const { actuator } = await drain.cordonedActuator(N1, { deadlineMarginMs: 1000 });
  const request = drainRequest(N1, 4500, true);

  const result = await actuator.drain(request);

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 5, podsRemaining: 0 });
  expect(Date.now()).toBeLessThan(request.deadlineMs);
  const terms = drain.terminationsOn(N1);
  const slow = terms.filter((t) => t.name.startsWith('slow-'));
  const quick = terms.filter((t) => t.name.startsWith('quick-'));
  expect(slow).toHaveLength(3);
  for (const t of slow) {
    expect(t.graceSeconds).toBeGreaterThanOrEqual(1);
    expect(t.graceSeconds).toBeLessThanOrEqual(3); // floor((4.5 s − 1 s margin − elapsed) / 1 s)
    expect(t.killed).toBe(true);
    expect(t.finishedAt).toBeLessThanOrEqual(request.deadlineMs - 1000 + 200);
  }
  expect(quick.map((t) => [t.graceSeconds, t.killed])).toEqual([
    [2, false],
    [2, false],
  ]);
  expect(await drain.podsOn(N1)).toHaveLength(0);
});
