/**
 * Story: `spot-handler sandbox` runs end to end: the real daemon (a child process) drains the interrupted
 * node of the 3-node sandbox cluster, and the printed timeline shows notice, taint, cordon and every
 * eviction in order, then the summary; exit code 0.
 */
import { describe, expect, it } from 'vitest';
import { runImdsDemo, runSandboxCommand } from '../../src/sandbox/demo.js';
import { testBundle } from '../helpers/daemon.js';
import { PROMETHEUS_SKIP_REASON, prometheusBinary } from '../helpers/prometheus.js';

const prometheusInstalled = prometheusBinary() !== undefined;
if (!prometheusInstalled) console.warn(`imds-demo --prometheus: skipped: ${PROMETHEUS_SKIP_REASON}`);

describe('spot-handler sandbox', () => {
  it('prints a timeline from notice to drained and exits 0', async () => {
    const lines: string[] = [];
    const bundle = await testBundle();
    const result = await runImdsDemo({
      out: (t) => lines.push(t),
      entry: [bundle],
      baseEnv: { PATH: process.env.PATH ?? '' },
      noticeAfterMs: 300,
    });
    const text = lines.join('');
    expect(result.code, text).toBe(0);
    const order = [
      'IMDS: spot instance-action',
      'notice seen',
      'node tainted',
      'node cordoned (spec',
      'evicted',
    ];
    const at = order.map((needle) => result.timeline.findIndex((e) => e.text.includes(needle)));
    expect(
      at.every((i) => i >= 0),
      text,
    ).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
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
  });

  it.skipIf(!prometheusInstalled)(
    '--prometheus: a real Prometheus scrapes the daemon with the chart rules; a clean drain fires no alert',
    async () => {
      const lines: string[] = [];
      const result = await runImdsDemo(
        {
          out: (t) => lines.push(t),
          entry: [await testBundle()],
          baseEnv: { PATH: process.env.PATH ?? '' },
          noticeAfterMs: 300,
        },
        { prometheus: true },
      );
      const text = lines.join('');
      expect(result.code, text).toBe(0);
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
    const lines: string[] = [];
    const result = await runImdsDemo(
      {
        out: (t) => lines.push(t),
        entry: [await testBundle()],
        baseEnv: { PATH: process.env.PATH ?? '' },
        noticeAfterMs: 300,
      },
      { surge: true },
    );
    const text = lines.join('');
    expect(result.code, text).toBe(0);
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
