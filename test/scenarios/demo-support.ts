/**
 * Shared by the sandbox demo stories (IMDS and queue mode): runs a demo with the test bundle as the
 * daemon and its output captured, and the checks every demo's summary must pass.
 */
import { expect } from 'vitest';
import type { DemoIo, DemoResult } from '../../src/sandbox/demo.js';
import { testBundle } from '../helpers/daemon.js';

/** Runs `demo` (a quick notice, the test bundle as the daemon); asserts exit 0; returns what it printed. */
export async function runDemo<R extends DemoResult>(
  demo: (io: DemoIo) => Promise<R>,
): Promise<{ result: R; text: string }> {
  const lines: string[] = [];
  const entry = [await testBundle()];
  const result = await demo({
    out: (t) => lines.push(t),
    entry,
    baseEnv: { PATH: process.env.PATH ?? '' },
    noticeAfterMs: 300,
  });
  const text = lines.join('');
  expect(result.code, text).toBe(0);
  return { result, text };
}

/** Asserts the timeline has an entry containing each needle, in this order. */
export function expectTimelineOrder(result: DemoResult, needles: readonly string[], text: string): void {
  const at = needles.map((needle) => result.timeline.findIndex((e) => e.text.includes(needle)));
  expect(
    at.every((i) => i >= 0),
    text,
  ).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
}

/** The summary of a demo drain of the default cluster, ending with the daemon's own metrics. */
export function expectDemoSummary(result: DemoResult, text: string): void {
  // five application pods on the interrupted node (web×2, api×2, worker×1), the DaemonSet pod stays
  expect(result.podsEvicted).toBe(5);
  expect(text).toMatch(/pods evicted: 5, application pods left on the node: 0/);
  expect(text).toMatch(/DaemonSet pods left in place: 1/);
  // it ends with the numbers an operator graphs, read from the daemon's /metrics
  expect(text).toMatch(/metrics \(the daemon's own http:\/\/127\.0\.0\.1:\d+\/metrics\)/);
  expect(text).toMatch(/spot_handler_actions_total \(action result\): .*cordon success 1/);
  expect(text).toMatch(/spot_handler_drains_total \(result\): succeeded 1/);
  expect(text).toMatch(/spot_handler_drain_duration_seconds: 1 drain\(s\), mean \d+\.\d\d s/);
  expect(text).toMatch(/spot_handler_pods_evicted_total: 5, pods_deleted_at_deadline_total: 0/);
  expect(text.trimEnd().split('\n').pop()).toMatch(/pods_blocked_by_pdb_total: \d+$/);
  expect(result.drainedAfterMs).toBeLessThan(15_000);
}
