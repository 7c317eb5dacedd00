/**
 * drain-110: one node with 110 pods from 5 Deployments (pods exit 100 ms after SIGTERM, kubelet
 * simulator); our drain vs `kubectl drain --ignore-daemonsets --delete-emptydir-data --force` against the
 * same API simulator, alternating, 5 runs each. Prints medians, plus where our time went (median ms from
 * the drain's start: list done, first eviction sent, last eviction answered, last DELETED seen; the
 * kubelet simulator's first SIGTERM → last pod finished; CPU ms this process (simulator, kubelet
 * simulator and our drain share it) used during the drain).
 */
import type { KubeletSimulator } from '../src/sandbox/kubelet.js';
import {
  benchActuator,
  kubectlDrain,
  median,
  ms3,
  oursVsKubectl,
  spotDrain,
  seedNode,
  startBenchEnv,
  type BenchEnv,
  type DrainTimeline,
} from './drain-support.js';
import { loadAvg1 } from './bench-args.js';

const PODS = 110;
const DEFAULT_RUNS = 5;

async function seed(env: BenchEnv, node: string): Promise<void> {
  const pods = Array.from({ length: PODS }, (_, i) => ({
    name: `${node}-app${i % 5}-${i}`,
    app: `app${i % 5}`,
    shutdownMs: 100,
  }));
  await seedNode(env, node, pods);
  await settle(env.kubelet);
}

async function settle(kubelet: KubeletSimulator): Promise<void> {
  await new Promise((r) => setTimeout(r, 50));
  await kubelet.idle();
}

/** Last pod's SIGTERM → its grace-0 delete answered, seen by the kubelet simulator (ms). */
function kubeletSpan(kubelet: KubeletSimulator, node: string): number {
  const terms = kubelet.terminations().filter((t) => t.nodeName === node);
  const first = Math.min(...terms.map((t) => t.sigtermAt));
  const last = Math.max(...terms.map((t) => t.finishedAt ?? 0));
  return last - first;
}

/** Runs the benchmark. Flags: `--runs=N` (default 5), `--no-kubectl` (ours only, for profiling). */
export default async function drain110(args: readonly string[] = []): Promise<void> {
  const runsArg = args.find((a) => a.startsWith('--runs='));
  const RUNS = runsArg ? Number(runsArg.slice('--runs='.length)) : DEFAULT_RUNS;
  const withKubectl = !args.includes('--no-kubectl');
  const env = await startBenchEnv({ replicaSetController: false, scheduler: 'none' });
  const ours: number[] = [];
  const kubectl: number[] = [];
  const phases: Record<string, number[]> = {
    list: [],
    firstEvict: [],
    lastEvict: [],
    lastDeleted: [],
    kubelet: [],
    processCpu: [],
  };
  try {
    for (let i = 0; i < RUNS; i++) {
      const a = `ours-${i}`;
      await seed(env, a);
      const timeline: DrainTimeline = { evictions: 0 };
      const actuator = benchActuator(env, {}, timeline);
      const cpu = process.cpuUsage();
      const t = performance.now();
      await actuator.cordon(a);
      const result = await actuator.drain(spotDrain(a));
      const end = performance.now();
      ours.push((end - t) / 1000);
      const used = process.cpuUsage(cpu);
      phases['processCpu']?.push((used.user + used.system) / 1000);
      if (result.result !== 'succeeded') throw new Error(`our drain ${result.result}`);
      phases['list']?.push((timeline.listDone ?? end) - t);
      phases['firstEvict']?.push((timeline.firstEvict ?? end) - t);
      phases['lastEvict']?.push((timeline.lastEvictDone ?? end) - t);
      phases['lastDeleted']?.push((timeline.lastDeletedSeen ?? end) - t);
      phases['kubelet']?.push(kubeletSpan(env.kubelet, a));
      await settle(env.kubelet);
      if (!withKubectl) continue;
      const b = `kubectl-${i}`;
      await seed(env, b);
      const k = performance.now();
      await kubectlDrain(env, b);
      kubectl.push((performance.now() - k) / 1000);
      await settle(env.kubelet);
    }
  } finally {
    await env.stop();
  }
  const profile = Object.fromEntries(
    Object.entries(phases).map(([key, v]) => [`${key}_ms`, Math.round(median(v))]),
  );
  console.log(
    JSON.stringify({
      bench: 'drain-110',
      load_avg: loadAvg1(),
      ...oursVsKubectl(ours, kubectl),
      runs: RUNS,
      ours_all: ours.map(ms3),
      kubectl_all: kubectl.map(ms3),
      ours_profile: profile,
    }),
  );
}
