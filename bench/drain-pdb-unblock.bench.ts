/**
 * drain-pdb-unblock: a PDB (minAvailable 10) blocks all 10 pods of a node; 2 s after the drain starts
 * 10 more pods of the app become Ready on another node, so the budget allows the evictions. Measures
 * the time from the unblock (the PDB status first allows a disruption) to the drain's end, ours vs
 * `kubectl drain` (which retries a refused eviction every 5 s), alternating, 5 runs each; medians.
 */
import { core as resources } from '../src/sandbox/kube-api/object-ops.js';
import {
  benchActuator,
  kubectlDrain,
  ms3,
  oursVsKubectl,
  spotDrain,
  seedNode,
  startBenchEnv,
  type BenchEnv,
} from './drain-support.js';
import { loadAvg1 } from './bench-args.js';

const PODS = 10;
const UNBLOCK_AFTER_MS = 2000;

async function prepare(env: BenchEnv, node: string): Promise<void> {
  const app = `web-${node}`;
  await seedNode(
    env,
    node,
    Array.from({ length: PODS }, (_, i) => ({ name: `${app}-${i}`, app, shutdownMs: 100 })),
  );
  await env.policy.createNamespacedPodDisruptionBudget({
    namespace: 'default',
    body: {
      metadata: { name: `${app}-pdb` },
      spec: { minAvailable: PODS, selector: { matchLabels: { app } } },
    },
  });
  await new Promise((r) => setTimeout(r, 50));
  await env.kubelet.idle();
}

/** At UNBLOCK_AFTER_MS adds Ready pods elsewhere; resolves with the performance.now() of the unblock. */
function unblockLater(env: BenchEnv, node: string): Promise<number> {
  const app = `web-${node}`;
  return new Promise((resolve) => {
    const off = env.sim.store.subscribe((storage, ev) => {
      const status = ev.entry.obj.status ?? {};
      if (storage !== resources.pdbs.storage || ev.entry.obj.metadata.name !== `${app}-pdb`) return;
      if (Number(status['disruptionsAllowed'] ?? 0) > 0) {
        off();
        resolve(performance.now());
      }
    });
    setTimeout(() => {
      void Promise.all(
        Array.from({ length: PODS }, (_, i) =>
          env.core.createNamespacedPod({
            namespace: 'default',
            body: {
              metadata: { name: `${app}-spare-${i}`, labels: { app, node } },
              spec: { nodeName: 'spare', containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
            },
          }),
        ),
      );
    }, UNBLOCK_AFTER_MS);
  });
}

/** Runs the benchmark. Flags: `--runs=N` (default 5). */
export default async function drainPdbUnblock(args: readonly string[] = []): Promise<void> {
  const runsArg = args.find((a) => a.startsWith('--runs='));
  const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;
  const env = await startBenchEnv({ replicaSetController: false, scheduler: 'none' });
  await env.core.createNode({ body: { metadata: { name: 'spare' } } });
  const ours: number[] = [];
  const kubectl: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const a = `ours-${i}`;
      await prepare(env, a);
      const actuator = benchActuator(env);
      await actuator.cordon(a);
      const unblocked = unblockLater(env, a);
      const result = await actuator.drain(spotDrain(a));
      ours.push((performance.now() - (await unblocked)) / 1000);
      if (result.result !== 'succeeded') throw new Error(`our drain ${result.result}`);
      const b = `kubectl-${i}`;
      await prepare(env, b);
      const kubectlUnblocked = unblockLater(env, b);
      await kubectlDrain(env, b);
      kubectl.push((performance.now() - (await kubectlUnblocked)) / 1000);
    }
  } finally {
    await env.stop();
  }
  console.log(
    JSON.stringify({
      bench: 'drain-pdb-unblock',
      load_avg: loadAvg1(),
      ...oursVsKubectl(ours, kubectl),
      runs,
      ours_all: ours.map(ms3),
      kubectl_all: kubectl.map(ms3),
    }),
  );
}
