/**
 * detect: time from a spot notice appearing in IMDS (at a random moment of the poll cycle) until a watch
 * on the API server sees the node cordoned. The bundle runs in IMDS mode against the simulators; each
 * trial resets the node (our taint, cordon, labels, annotations) and uses a new notice.
 * Prints {"bench":"detect","interval_ms":1000,"p50_s":…,"p99_s":…,"trials":N} at 1000 ms and 500 ms.
 * The first trial of each daemon also loads the Kubernetes client (IMDS mode loads it on the first
 * notice): `first_s` is that trial, `first_load_ms` the load as the daemon logged it, and
 * `p99_warm_s` the p99 of the other trials. Target: p99 ≤ 1.2 s at the default 1 s interval. Flag
 * --trials=N (default 50). `load_avg`: the host's 1-minute load average at the end (shared machines).
 */
import { loadavg } from 'node:os';
import * as k8s from '@kubernetes/client-node';
import { kubeConfigForUrl } from '../src/sandbox/kube-api/client-config.js';
import { resourceOf } from '../src/sandbox/kube-api/resources.js';
import { startSandboxWorld, waitFor, type SandboxWorld } from '../src/sandbox/demo-world.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../test/helpers/daemon.js';
import { numberArg } from './bench-args.js';

/** Removes every spot-handler marker and the cordon (as if the node were new). */
function resetNode(world: SandboxWorld): void {
  const node = world.node(world.nodeName);
  const nulls = (o: Record<string, string> | undefined): Record<string, null> =>
    Object.fromEntries(
      Object.keys(o ?? {})
        .filter((k) => k.startsWith('spot-handler/'))
        .map((k) => [k, null]),
    );
  world.kube.ops.patch(resourceOf('', 'nodes'), '', world.nodeName, 'application/merge-patch+json', {
    metadata: { labels: nulls(node?.metadata.labels), annotations: nulls(node?.metadata.annotations) },
    spec: { unschedulable: null, taints: null },
  });
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
}

async function runInterval(
  world: SandboxWorld,
  intervalMs: number,
  trials: number,
): Promise<{ samples: number[]; loadMs: unknown }> {
  const daemon = await startDaemon(
    {
      entry: 'bundle',
      nodeFlags: DOCKER_NODE_FLAGS,
      env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: String(intervalMs), EMIT_KUBERNETES_EVENTS: 'false' }),
    },
    30_000,
  );
  let cordonedAt = 0;
  const watch = await new k8s.Watch(kubeConfigForUrl(world.kube.url)).watch(
    '/api/v1/nodes',
    {},
    (_t, node: k8s.V1Node) => {
      if (node.metadata?.name === world.nodeName && node.spec?.unschedulable && cordonedAt === 0)
        cordonedAt = Date.now();
    },
    () => undefined,
  );
  const samples: number[] = [];
  let loadMs: unknown = null;
  const base = Date.now() + 600_000;
  try {
    for (let i = 0; i < trials; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * intervalMs * 1.5));
      cordonedAt = 0;
      const noticeAt = Date.now();
      world.imds.setSpotAction('terminate', new Date(base + i * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
      await waitFor(() => cordonedAt !== 0, 15_000, 'the cordon');
      samples.push((cordonedAt - noticeAt) / 1000);
      await waitFor(() => daemon.logsWith('node action ended').length > i, 15_000, 'the action to end');
      world.imds.clearNotices();
      await new Promise((r) => setTimeout(r, intervalMs * 1.5)); // the poller sees 404 again
      resetNode(world);
    }
    loadMs = daemon.logsWith('Kubernetes client loaded')[0]?.['loadMs'] ?? null;
  } finally {
    watch.abort();
    await daemon.stop();
  }
  return { samples, loadMs };
}

/** Runs the benchmark. */
export default async function detect(args: readonly string[]): Promise<void> {
  const trials = numberArg(args, 'trials', 50);
  const world = await startSandboxWorld({ nodeCount: 1, deployments: [], daemonSet: false });
  try {
    for (const intervalMs of [1000, 500]) {
      const run = await runInterval(world, intervalMs, trials);
      const samples = [...run.samples].sort((a, b) => a - b);
      const warm = run.samples.slice(1).sort((a, b) => a - b);
      const r = (s: number): number => Math.round(s * 1000) / 1000;
      console.log(
        JSON.stringify({
          bench: 'detect',
          interval_ms: intervalMs,
          p50_s: r(quantile(samples, 0.5)),
          p99_s: r(quantile(samples, 0.99)),
          max_s: r(samples[samples.length - 1] ?? NaN),
          trials: samples.length,
          first_s: r(run.samples[0] ?? NaN),
          first_load_ms: run.loadMs,
          p99_warm_s: r(quantile(warm, 0.99)),
          load_avg: loadavg()[0]?.toFixed(1),
        }),
      );
    }
  } finally {
    await world.stop();
  }
}
