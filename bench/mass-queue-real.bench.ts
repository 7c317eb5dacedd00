/**
 * mass-queue-real: the real daemon in queue mode (one replica, leader) on a REAL kube-apiserver
 * (bench/real-cluster.ts): 300 fake nodes × 10 pods (built through the API; the kubelet simulator runs
 * them, each exits 100 ms after SIGTERM), 100 spot interruption warnings sent to fauxqs at once.
 * Measures from the last send: all 100 nodes cordoned, all 1,000 of their pods gone, the message and
 * action counts of mass-queue-results.ts, the daemon's API requests and its peak RSS (VmHWM).
 * Prints {"bench":"mass-queue-real","nodes":300,"interrupted":100,"cordon_all_s":…,"drain_all_s":…,
 * "undeleted_messages":…,"lost_messages":…,"duplicate_actions":…,"drain_restarts":…,
 * "nodes_not_drained":…,"api_requests":…,"peak_rss_mib":…,"setup_s":…,"load_avg":…}, or a skip line
 * without a cluster. Targets: cordon_all_s ≤ 5, drain_all_s ≤ 60, 0 lost, 0 duplicates.
 * Flags: --nodes=N --interrupted=N --pods-per-node=N --timeout-s=N --log-file=PATH (daemon output).
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { CoreV1Api } from '@kubernetes/client-node';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../src/kube/kube-config.js';
import { startDaemon, stopAllDaemons, type Daemon } from '../test/helpers/daemon.js';
import { spotWarning } from '../test/helpers/queue-messages.js';
import { startQueueWorld, type QueueWorld } from '../test/helpers/queue-world.js';
import { numberArg, processMemoryMib, textArg } from './bench-args.js';
import { massCounts, metricPatiently, span, waitDeletes } from './mass-queue-results.js';
import { realCluster } from './real-cluster.js';

/**
 * The daemon talks to the API server directly (its TLS kubeconfig), as in a cluster: the world's
 * recording proxy lives in this process, and relaying a mass drain through it (with the kubelet
 * simulator, fauxqs and the views on the same event loop) cut connections ("Premature close") and
 * added seconds that were the proxy's, not ours.
 */
async function startBenchDaemon(world: QueueWorld, kubeconfigPath: string): Promise<Daemon> {
  const daemon = await startDaemon(
    {
      mode: 'queue',
      env: world.daemonEnv({
        KUBECONFIG: kubeconfigPath,
        LOG_LEVEL: 'info',
        LEASE_DURATION_SECONDS: '15',
        LEASE_RENEW_SECONDS: '10',
        LEASE_RETRY_SECONDS: '2',
      }),
    },
    60_000,
  );
  await daemon.waitForLog((l) => l.msg === 'became leader', 60_000);
  return daemon;
}

const round2 = (s: number): number => Math.round(s * 100) / 100;

/** Runs the benchmark. */
export default async function massQueueReal(args: readonly string[]): Promise<void> {
  const cluster = await realCluster();
  if ('skipped' in cluster) {
    console.log(JSON.stringify({ bench: 'mass-queue-real', skipped: cluster.skipped }));
    return;
  }
  const nodes = numberArg(args, 'nodes', 300);
  const interrupted = numberArg(args, 'interrupted', 100);
  const perNode = numberArg(args, 'pods-per-node', 10);
  const timeoutMs = numberArg(args, 'timeout-s', 180) * 1000;
  // kube-env reads the cluster from TEST_KUBECONFIG (this process only)
  process.env['TEST_KUBECONFIG'] = cluster.kubeconfigPath;
  const setupFrom = Date.now();
  let world: QueueWorld | undefined;
  let direct: KeepAliveKubeConfig | undefined;
  try {
    world = await startQueueWorld({
      visibilitySeconds: 30,
      cluster: {
        nodes,
        apps: [{ name: 'web', replicas: nodes * perNode, shutdownMs: 100, graceSeconds: 30 }],
      },
      settleTimeoutMs: 900_000,
    });
    const w = world;
    const setupS = (Date.now() - setupFrom) / 1000;
    const daemon = await startBenchDaemon(w, cluster.kubeconfigPath);
    const targets = w.nodes.slice(0, interrupted);
    // read from the API, not the informer view (a watch cut under load left the view stale once), and
    // directly, not through the world's proxy in this process
    direct = loadKubeConfig({ kubeconfigPath: cluster.kubeconfigPath });
    const core = direct.makeApiClient(CoreV1Api);
    const podsNow = async () => (await core.listNamespacedPod({ namespace: w.namespace })).items;
    const targetNames = new Set(targets.map((t) => t.name));
    const original = new Set(
      (await podsNow()).filter((p) => targetNames.has(p.spec?.nodeName ?? '')).map((p) => p.metadata?.uid),
    );
    let heldExample: string | undefined; // an original pod still there at the last look (diagnostics)
    const drainedNodes = async (): Promise<number> => {
      const held = (await podsNow()).filter((p) => original.has(p.metadata?.uid));
      const first = held[0];
      heldExample = first
        ? `${first.metadata?.name} on ${first.spec?.nodeName} phase ${first.status?.phase} deleting ${String(first.metadata?.deletionTimestamp?.toISOString())}`
        : undefined;
      const nodesHeld = new Set(held.map((p) => p.spec?.nodeName));
      return targets.filter((t) => !nodesHeld.has(t.name)).length;
    };
    const apiBefore = await metricPatiently(daemon, 'spot_handler_kube_api_requests_total');
    await Promise.all(targets.map((t) => w.send(spotWarning(t.instanceId))));
    const t0 = Date.now();
    let cordonAt: number | undefined;
    let drainAt: number | undefined;
    let drainCheckAt = 0;
    while (Date.now() - t0 < timeoutMs && drainAt === undefined) {
      if (cordonAt === undefined && targets.every((t) => w.node(t.name)?.spec?.['unschedulable'] === true))
        cordonAt = Date.now();
      // the cordons are read every 50 ms (the figure's resolution); the pods every second: listing
      // 3,000 pods takes this process (where the kubelet stand-in runs) a while under load
      if (cordonAt !== undefined && Date.now() >= drainCheckAt) {
        if ((await drainedNodes()) === targets.length) drainAt = Date.now();
        drainCheckAt = Date.now() + 1000;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    await waitDeletes(daemon, interrupted);
    // the queue first: a message deleted by then had its node drained before this pod snapshot
    const queue = await w.sqs.counts();
    const counts = massCounts(daemon, queue, interrupted, await drainedNodes());
    const apiAfter = await metricPatiently(daemon, 'spot_handler_kube_api_requests_total');
    const memory = processMemoryMib(daemon.pid);
    const logFile = textArg(args, 'log-file');
    if (logFile) writeFileSync(logFile, daemon.output());
    const secs = (at: number | undefined) => (at === undefined ? null : round2((at - t0) / 1000));
    console.log(
      JSON.stringify({
        bench: 'mass-queue-real',
        nodes,
        interrupted,
        pods_per_node: perNode,
        cordon_all_s: secs(cordonAt),
        drain_all_s: secs(drainAt),
        ...counts,
        api_requests: apiAfter - apiBefore,
        peak_rss_mib: memory.hwm,
        ...(heldExample ? { held_example: heldExample } : {}),
        daemon_first_receive_s: span(daemon, 'interruption event received', t0)[0],
        daemon_first_cordon_s: span(daemon, 'node cordoned', t0)[0],
        daemon_last_cordon_s: span(daemon, 'node cordoned', t0)[1],
        daemon_first_drain_s: span(daemon, 'drain started', t0)[0],
        setup_s: round2(setupS),
        load_avg: round2(loadavg()[0] ?? 0),
      }),
    );
  } finally {
    direct?.destroy();
    await stopAllDaemons();
    await world?.stop();
    await cluster.stop();
  }
}
