/**
 * startup: process start to the first /readyz 200 for the bundle (dist/spot-handler.mjs with the
 * Dockerfile's V8 flags) in IMDS mode against the simulators. Target ≤ 1 s.
 * Prints {"bench":"startup","p50_s":…,"max_s":…,"runs":N,"node_bare_s":…} (bare node start, for context). Flag --runs=N (default 5).
 */
import { spawnSync } from 'node:child_process';
import { startSandboxWorld } from '../src/sandbox/demo-world.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../test/helpers/daemon.js';
import { numberArg, loadAvg1 } from './bench-args.js';

/** Runs the benchmark. */
export default async function startup(args: readonly string[]): Promise<void> {
  const runs = numberArg(args, 'runs', 5);
  const world = await startSandboxWorld({ deployments: [], daemonSet: false, nodeCount: 1 });
  const times: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const daemon = await startDaemon(
        { entry: 'bundle', nodeFlags: DOCKER_NODE_FLAGS, env: world.daemonEnv() },
        30_000,
      );
      times.push((Date.now() - daemon.spawnedAt) / 1000);
      await daemon.stop();
    }
  } finally {
    await world.stop();
  }
  times.sort((a, b) => a - b);
  const p50 = times[Math.floor(times.length / 2)] ?? NaN;
  const max = times[times.length - 1] ?? NaN;
  // A bare `node -e 0` on the same machine, for context when the machine is loaded.
  const t0 = Date.now();
  spawnSync(process.execPath, ['-e', '0']);
  const baseline = (Date.now() - t0) / 1000;
  const result = {
    bench: 'startup',
    load_avg: loadAvg1(),
    p50_s: round(p50),
    max_s: round(max),
    runs,
    node_bare_s: round(baseline),
  };
  console.log(JSON.stringify(result));
}

function round(s: number): number {
  return Math.round(s * 1000) / 1000;
}
