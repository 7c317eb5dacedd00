/**
 * drain-110-real: one node with 110 pods (each exits 50 ms after SIGTERM: the kubelet simulator finishes
 * them) on a REAL kube-apiserver. Three drains, alternating, 5 runs each, a fresh node per run:
 * - ours: `spot-handler drain NODE --ignore-daemonsets --delete-emptydir-data --force` (a bundle of the
 *   current src/, plain node), spawn → exit 0: process start, client load, cordon, our engine (list,
 *   evictions, one watch), the check that nothing is left;
 * - engine: the same command code, run in this process (`runDrainCommand`), after the first run warm as
 *   a running daemon's is: our engine's cost over the floor's without process start and client load
 *   (both with the JIT; the image's daemon runs interpreted, ADR 0007);
 * - daemon: the IMDS daemon as the image runs it, on its own node, one spot notice per run, from the
 *   cordon to the last pod gone (bench/drain-110-daemon.ts);
 * - floor: no logic at all: cordon, one list, parallel evictions over keep-alive, one watch until every
 *   pod is gone;
 * - kubectl: `kubectl drain --ignore-daemonsets --delete-emptydir-data --force`, spawn → exit.
 * Prints {"bench":"drain-110-real","ours_s":…,"floor_s":…,"kubectl_s":…,"node_writes":…,
 * "ours_cordon_to_gone_s":… (the command's own cordon → drained, without process start),
 * "engine_cordon_to_gone_s":…, "engine_over_floor":… (median of each engine run over its floor run),
 * "daemon_cordon_to_gone_s":…, "daemon_over_floor":… (likewise),
 * "api_requests_per_drain":… (the CLI's own count),"load_avg":…} (medians). Targets: ours ≤ 1.5 s and ≤ 1.3 × floor.
 * The cluster: TEST_KUBECONFIG (an existing one), or SPOT_HANDLER_KUBE_UP=<path of an `up` script that
 * prints TEST_KUBECONFIG=…> (started in a temp dir, stopped and purged at the end, by `down` next to it);
 * without either it prints a skip line. Flags: --runs=N (default 5), --no-kubectl.
 */
import { execFile } from 'node:child_process';
import { loadavg } from 'node:os';
import { promisify } from 'node:util';
import { CoreV1Api, PatchStrategy, setHeaderOptions, Watch, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../src/clock.js';
import { realCluster } from './real-cluster.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../src/kube/kube-config.js';
import { RateLimiter } from '../src/kube/rate-limiter.js';
import { SHUTDOWN_MS_ANNOTATION, startKubeletSimulator } from '../src/sandbox/kubelet.js';
import { testBundle } from '../test/helpers/daemon.js';
import { connectKube, runDrainCommand } from '../src/commands/drain-command.js';
import { median, ms3 } from './drain-support.js';
import { startDaemonVariant, type DaemonVariant } from './drain-110-daemon.js';

const exec = promisify(execFile);
const PODS = 110;
let floorFallbacks = 0;
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
type Variant = 'ours' | 'engine' | 'daemon' | 'floor' | 'kubectl';

function podBody(node: string, i: number): V1Pod {
  return {
    metadata: { name: `${node}-p${i}`, annotations: { [SHUTDOWN_MS_ANNOTATION]: '50' } },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: 30,
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
    },
  };
}

async function until(what: string, ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The floor: cordon, list, parallel evictions, one watch until every pod is gone. Seconds. */
async function floorDrain(kc: KeepAliveKubeConfig, core: CoreV1Api, node: string, ns: string) {
  const t = performance.now();
  await core.patchNode({ name: node, body: { spec: { unschedulable: true } } }, MERGE_PATCH);
  const list = await core.listNamespacedPod({ namespace: ns, fieldSelector: `spec.nodeName=${node}` });
  const left = new Set(list.items.map((p) => p.metadata?.uid ?? ''));
  let watchReq: { abort(): void } | undefined;
  let done = false;
  const gone = new Promise<void>((resolve, reject) => {
    const finish = (): void => {
      done = true;
      resolve();
    };
    void new Watch(kc)
      .watch(
        `/api/v1/namespaces/${ns}/pods`,
        { fieldSelector: `spec.nodeName=${node}`, resourceVersion: list.metadata?.resourceVersion },
        (type, pod: V1Pod) => {
          if (type === 'DELETED') left.delete(pod.metadata?.uid ?? '');
          if (left.size === 0) finish();
        },
        (err) => (err && !done ? reject(err as Error) : undefined),
      )
      .then((r) => (watchReq = r), reject);
    // a watch the server ends early would leave us waiting: check by listing now and then
    const check = async (): Promise<void> => {
      while (!done) {
        await new Promise((r) => setTimeout(r, 1000));
        if (done) return;
        const now = await core.listNamespacedPod({ namespace: ns, fieldSelector: `spec.nodeName=${node}` });
        if (now.items.length === 0 && !done) {
          floorFallbacks++;
          finish();
        }
      }
    };
    check().catch((err: unknown) => (done ? undefined : reject(err as Error)));
  });
  await Promise.all(
    list.items.map((p) =>
      core
        .createNamespacedPodEviction({
          name: p.metadata?.name ?? '',
          namespace: ns,
          body: { metadata: { name: p.metadata?.name, namespace: ns } },
        })
        .catch(() => undefined),
    ),
  );
  try {
    await gone;
  } finally {
    done = true; // a failed watch must not leave the check listing after the cluster is gone
    watchReq?.abort();
  }
  return (performance.now() - t) / 1000;
}

/** Runs the benchmark. */
export default async function drain110Real(args: readonly string[] = []): Promise<void> {
  const runsArg = args.find((a) => a.startsWith('--runs='));
  const runs = runsArg ? Number(runsArg.slice('--runs='.length)) : 5;
  const variants: Variant[] = args.includes('--no-kubectl')
    ? ['ours', 'engine', 'daemon', 'floor']
    : ['ours', 'engine', 'daemon', 'floor', 'kubectl'];
  const cluster = await realCluster();
  if ('skipped' in cluster) {
    console.log(JSON.stringify({ bench: 'drain-110-real', skipped: cluster.skipped }));
    return;
  }
  const kc = loadKubeConfig({
    kubeconfigPath: cluster.kubeconfigPath,
    rateLimiter: new RateLimiter(systemClock, { qps: 500, burst: 1000 }),
  });
  const core = kc.makeApiClient(CoreV1Api);
  const bundle = await testBundle();
  const tag = Math.random().toString(36).slice(2, 7);
  const ns = `drain-bench-${tag}`;
  const nodes = new Map<string, string>(); // `${variant}-${i}` → node name
  const daemonNode = `d110-${tag}-daemon`; // the daemon's node, made new again after each run
  for (let i = 0; i < runs; i++)
    for (const v of variants) nodes.set(`${v}-${i}`, v === 'daemon' ? daemonNode : `d110-${tag}-${v}-${i}`);
  await core.createNamespace({ body: { metadata: { name: ns } } });
  const kubelet = await startKubeletSimulator({
    kubeConfig: kc,
    nodeNames: [...new Set(nodes.values())],
    defaultShutdownMs: 50,
  });
  let daemon: DaemonVariant | undefined;
  const times: Record<Variant, number[]> = { ours: [], engine: [], daemon: [], floor: [], kubectl: [] };
  const engineInside: number[] = [];
  const writes: number[] = [];
  const oursInside: number[] = []; // cordon → drained, the command's own clock
  const requests: number[] = [];
  const fill = async (node: string): Promise<void> => {
    for (let b = 0; b < PODS; b += 20)
      await Promise.all(
        Array.from({ length: Math.min(20, PODS - b) }, (_, k) =>
          core.createNamespacedPod({ namespace: ns, body: podBody(node, b + k) }),
        ),
      );
    await until(
      `${PODS} pods Running on ${node}`,
      async () =>
        (
          await core.listNamespacedPod({ namespace: ns, fieldSelector: `spec.nodeName=${node}` })
        ).items.filter((p) => p.status?.phase === 'Running').length === PODS,
      120_000,
    );
  };
  try {
    if (variants.includes('daemon'))
      daemon = await startDaemonVariant(kc, core, cluster.kubeconfigPath, daemonNode, ns);
    for (let i = 0; i < runs; i++) {
      for (const v of variants) {
        const node = nodes.get(`${v}-${i}`) ?? '';
        if (v === 'daemon' && daemon) {
          times.daemon.push(await daemon.run(() => fill(node)));
          continue;
        }
        await core.createNode({ body: { metadata: { name: node } } });
        await fill(node);
        if (v === 'floor') times.floor.push(await floorDrain(kc, core, node, ns));
        else if (v === 'engine') {
          const r = await engineDrain(cluster.kubeconfigPath, node);
          times.engine.push(r.seconds);
          engineInside.push(r.cordonToGoneS);
        } else if (v === 'kubectl') {
          const t = performance.now();
          await exec('kubectl', [
            '--kubeconfig',
            cluster.kubeconfigPath,
            'drain',
            node,
            '--ignore-daemonsets',
            '--delete-emptydir-data',
            '--force',
            '--timeout=300s',
          ]);
          times.kubectl.push((performance.now() - t) / 1000);
        } else {
          const r = await oursDrain(bundle, cluster.kubeconfigPath, node);
          times.ours.push(r.seconds);
          oursInside.push(r.cordonToGoneS);
          writes.push(r.nodeWrites);
          requests.push(r.apiRequests);
        }
      }
    }
  } finally {
    await daemon?.stop();
    await kubelet.stop();
    await core.deleteNamespace({ name: ns }).catch(() => undefined);
    for (const node of nodes.values()) await core.deleteNode({ name: node }).catch(() => undefined);
    kc.destroy();
    await cluster.stop();
  }
  const ours = median(times.ours);
  const floor = median(times.floor);
  console.log(
    JSON.stringify({
      bench: 'drain-110-real',
      pods: PODS,
      runs,
      ours_s: ms3(ours),
      floor_s: ms3(floor),
      kubectl_s: times.kubectl.length > 0 ? ms3(median(times.kubectl)) : null,
      ours_over_floor: ms3(ours / floor),
      ours_cordon_to_gone_s: ms3(median(oursInside)),
      engine_s: ms3(median(times.engine)),
      engine_cordon_to_gone_s: ms3(median(engineInside)),
      // each engine run against the floor run next to it (alternating runs share the machine's moment)
      engine_over_floor: ms3(median(engineInside.map((e, i) => e / (times.floor[i] ?? NaN)))),
      daemon_cordon_to_gone_s: times.daemon.length > 0 ? ms3(median(times.daemon)) : null,
      daemon_over_floor: ms3(median(times.daemon.map((d, i) => d / (times.floor[i] ?? NaN)))),
      node_writes: median(writes),
      api_requests_per_drain: median(requests),
      floor_watch_fallbacks: floorFallbacks,
      ours_runs_s: times.ours.map(ms3),
      ours_cordon_to_gone_runs_s: oursInside.map(ms3),
      engine_cordon_to_gone_runs_s: engineInside.map(ms3),
      daemon_cordon_to_gone_runs_s: times.daemon.map(ms3),
      floor_runs_s: times.floor.map(ms3),
      kubectl_runs_s: times.kubectl.map(ms3),
      load_avg: loadavg()[0]?.toFixed(1),
    }),
  );
}

/** The command's closing log line at --log-level=info (src/commands/drain-command.ts). */
interface DrainCostLine {
  readonly msg?: string;
  readonly apiRequests?: number;
  readonly nodeWrites?: number;
  readonly cordonToDrainedMs?: number;
}

/** The `drain cost` line among the command's log lines. */
function costLine(stderr: string): DrainCostLine | undefined {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as DrainCostLine)
    .find((l) => l.msg === 'drain cost');
}

/**
 * Ours: the built CLI, `spot-handler drain NODE` with kubectl's flags, spawn → exit 0 (the same clock as
 * kubectl's). It reports its API requests and node writes on stderr at --log-level=info.
 */
async function oursDrain(bundle: string, kubeconfigPath: string, node: string) {
  const t = performance.now();
  const { stderr } = await exec(process.execPath, [
    bundle,
    'drain',
    node,
    `--kubeconfig=${kubeconfigPath}`,
    '--ignore-daemonsets',
    '--delete-emptydir-data',
    '--force',
    '--timeout=300s',
    '--log-level=info',
  ]);
  const seconds = (performance.now() - t) / 1000;
  const stats = costLine(stderr);
  if (!stats) throw new Error(`spot-handler drain ${node} printed no cost line:\n${stderr}`);
  return {
    seconds,
    cordonToGoneS: (stats.cordonToDrainedMs ?? NaN) / 1000,
    nodeWrites: stats.nodeWrites ?? NaN,
    apiRequests: stats.apiRequests ?? NaN,
  };
}

/** Engine: the same command code as ours, in this process (warm after its first run); cordon → drained. */
async function engineDrain(kubeconfigPath: string, node: string) {
  let stderr = '';
  const t = performance.now();
  const code = await runDrainCommand(
    [
      node,
      `--kubeconfig=${kubeconfigPath}`,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--log-level=info',
    ],
    {},
    {
      stdout: () => undefined,
      stderr: (text) => (stderr += text),
      clock: systemClock,
      signal: new AbortController().signal,
      connect: connectKube,
    },
  );
  const seconds = (performance.now() - t) / 1000;
  const stats = costLine(stderr);
  if (code !== 0 || !stats) throw new Error(`engine drain of ${node} failed (${code}):\n${stderr}`);
  return { seconds, cordonToGoneS: (stats.cordonToDrainedMs ?? NaN) / 1000 };
}
