/**
 * Story: `spot-handler sandbox` runs end to end: the real daemon (a child process) drains the interrupted
 * node of the 3-node sandbox cluster, and the printed timeline shows notice, taint, cordon and every
 * eviction in order, then the summary; exit code 0.
 */
import { describe, expect, it } from 'vitest';
import { runImdsDemo, runSandboxCommand } from '../../src/sandbox/demo.js';
import { expectDemoSummary, expectTimelineOrder, runDemo } from './demo-support.js';
import { PROMETHEUS_SKIP_REASON, prometheusBinary } from '../helpers/prometheus.js';

const prometheusInstalled = prometheusBinary() !== undefined;
if (!prometheusInstalled) console.warn(`imds-demo --prometheus: skipped: ${PROMETHEUS_SKIP_REASON}`);

describe('spot-handler sandbox', () => {
  it('prints a timeline from notice to drained and exits 0', async () => {
    const { result, text } = await runDemo(runImdsDemo);
    expectTimelineOrder(
      result,
      ['IMDS: spot instance-action', 'notice seen', 'node tainted', 'node cordoned (spec', 'evicted'],
      text,
    );
    expectDemoSummary(result, text);
  });

  it.skipIf(!prometheusInstalled)(
    '--prometheus: a real Prometheus scrapes the daemon with the chart rules; a clean drain fires no alert',
    async () => {
      const { text } = await runDemo((io) => runImdsDemo(io, { prometheus: true }));
      expect(text).toMatch(
        /Prometheus http:\/\/127\.0\.0\.1:\d+ scrapes the daemon every 1 s with the chart's alert rules/,
      );
      const alerts = text.slice(text.indexOf('\nalerts (Prometheus'));
      expect(alerts).toMatch(
        /^\nalerts \(Prometheus http:\/\/127\.0\.0\.1:\d+, the chart's rules, for: ÷60\)\n/,
      );
      expect(alerts).toContain('  firing now: none\n');
      expect(alerts).toContain('  fired at any time during the demo: none\n');
      // Prometheus itself saw the drain
      expect(alerts).toMatch(/Prometheus scraped spot_handler_drains_total \(result\): .*succeeded 1/);
    },
  );

  it('--surge: the one-replica Deployment behind a PDB gets its replacement first and never drops to 0', async () => {
    const { result, text } = await runDemo((io) => runImdsDemo(io, { surge: true }));
    expect(text).toMatch(/Deployments .*checkout×1 \(PDB\) \(surge before evict\)/);
    const restarted = result.timeline.findIndex(
      (e) => e.text === 'surge: Deployment default/checkout rollout restarted',
    );
    const scheduled = result.timeline.findIndex((e) =>
      /^replacement default\/checkout-\S+ scheduled on sandbox-node-[23]$/.test(e.text),
    );
    const oldGone = result.timeline.findIndex((e) => /^pod default\/checkout-7d4b9c-000 gone$/.test(e.text));
    expect(restarted, text).toBeGreaterThanOrEqual(0);
    // the API watch may print the new pod a moment before the daemon's own line; that it is the
    // restart's pod shows in its name (a new ReplicaSet: not the old pod-template hash 7d4b9c)
    expect(scheduled, text).toBeGreaterThanOrEqual(0);
    expect(result.timeline[scheduled]?.text, text).not.toMatch(/checkout-7d4b9c-/);
    expect(oldGone, text).toBeGreaterThan(scheduled);
    const surge = text.slice(text.indexOf('\nsurge before evict\n'));
    expect(surge, text).toMatch(
      /default\/checkout: would be left with no available replica: rollout restarted\n/,
    );
    expect(surge, text).toMatch(
      /default\/checkout: replacement Ready on another node after \d+\.\d\d s; old pod evicted\n/,
    );
    expect(surge, text).toContain('spot_handler_surge_total (result): surged 1\n');
    expect(surge, text).toContain('default/checkout available replicas (watched): lowest 1\n');
  });

  it('refuses an unknown --mode and an entry that is not spot-handler', async () => {
    const lines: string[] = [];
    expect(
      await runSandboxCommand(['--mode', 'bogus'], { out: () => undefined, entry: [], baseEnv: {} }),
    ).toBe(2);
    expect(await runSandboxCommand(['--bogus'], { out: () => undefined, entry: [], baseEnv: {} })).toBe(2);
    expect(
      await runSandboxCommand(['--mode', 'queue', '--surge'], {
        out: () => undefined,
        entry: [],
        baseEnv: {},
      }),
    ).toBe(2);
    // started from something that is not spot-handler (a test runner): refuse instead of spawning it
    const out = { out: (t: string) => lines.push(t), entry: ['/x/vitest.mjs'], baseEnv: {} };
    expect(await runSandboxCommand([], out)).toBe(1);
    expect(lines.join('')).toMatch(/is not the spot-handler entry/);
  });
});
