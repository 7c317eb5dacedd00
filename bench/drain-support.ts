/**
 * Shared set-up of the drain benchmarks: API simulator + kubelet simulator, a kubeconfig file for
 * kubectl, our real actuator (built like src/modes/node-actions.ts), a PodApi wrapper that timestamps
 * the drain's phases, and seeding of ReplicaSet pods.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../src/clock.js';
import { createMetrics } from '../src/report/metrics.js';
import {
  startKubeApiSimulator,
  type KubeApiSimulator,
  type KubeApiSimulatorOptions,
} from '../src/sandbox/kube-api/server.js';
import { kubeconfigFileText } from '../src/sandbox/kube-api/client-config.js';
import {
  startKubeletSimulator,
  SHUTDOWN_MS_ANNOTATION,
  type KubeletSimulator,
} from '../src/sandbox/kubelet.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../src/kube/kube-config.js';
import { RateLimiter } from '../src/kube/rate-limiter.js';
import { KubeNodeApi } from '../src/kube/node-api.js';
import { KubePodApi } from '../src/kube/pod-api.js';
import type { PodApi } from '../src/actions/kube-ports.js';
import { KubeNodeActuator } from '../src/actions/kube-node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../src/actions/actuator-options.js';
import type { DrainRequest } from '../src/pipeline/node-actuator-port.js';

const exec = promisify(execFile);

/** A running benchmark environment. */
export interface BenchEnv {
  readonly sim: KubeApiSimulator;
  readonly kc: KeepAliveKubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly kubelet: KubeletSimulator;
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Starts the simulator and the kubelet simulator. */
export async function startBenchEnv(
  sim: KubeApiSimulatorOptions = {},
  kubelet: { startDelayMs?: number } = {},
): Promise<BenchEnv> {
  const server = await startKubeApiSimulator({ taintNewNodes: false, ...sim });
  const kc = loadKubeConfig({ server: { url: server.url }, rateLimiter: new RateLimiter(systemClock) });
  const dir = mkdtempSync(join(tmpdir(), 'drain-bench-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigFileText(server.url));
  const sandboxKubelet = await startKubeletSimulator({ url: server.url, defaultShutdownMs: 100, ...kubelet });
  return {
    sim: server,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    kubelet: sandboxKubelet,
    kubeconfigPath,
    stop: async () => {
      await sandboxKubelet.stop();
      kc.destroy();
      await server.stop();
    },
  };
}

/** Timestamps (performance.now()) of a drain's phases, filled by `timedPods`. */
export interface DrainTimeline {
  listDone?: number;
  firstEvict?: number;
  lastEvictDone?: number;
  lastDeletedSeen?: number;
  evictions: number;
}

/** Wraps a PodApi so that the benchmark sees when lists, evictions and watch deletions happen. */
export function timedPods(inner: PodApi, timeline: DrainTimeline): PodApi {
  return {
    listPods: async (node, signal) => {
      const list = await inner.listPods(node, signal);
      timeline.listDone ??= performance.now();
      return list;
    },
    watchPods: (node, rv, onEvent, signal) =>
      inner.watchPods(
        node,
        rv,
        (e) => {
          if (e.type === 'DELETED') timeline.lastDeletedSeen = performance.now();
          onEvent(e);
        },
        signal,
      ),
    evictPod: async (pod, grace) => {
      timeline.firstEvict ??= performance.now();
      await inner.evictPod(pod, grace);
      timeline.evictions++;
      timeline.lastEvictDone = performance.now();
    },
    deletePod: (pod, grace) => inner.deletePod(pod, grace),
    daemonSetExists: (ns, name) => inner.daemonSetExists(ns, name),
  };
}

/** Our actuator on the environment; `timeline` (when given) records the drain's phases. */
export function benchActuator(
  env: BenchEnv,
  options: Partial<ActuatorOptions> = {},
  timeline?: DrainTimeline,
): KubeNodeActuator {
  const metrics = createMetrics(
    new Registry(),
    { version: 'bench', mode: 'bench' },
    { defaultMetrics: false },
  );
  const pods = new KubePodApi({ kubeConfig: env.kc, core: env.core, apps: env.apps, counter: metrics });
  return new KubeNodeActuator({
    nodes: new KubeNodeApi(env.core, metrics),
    pods: timeline ? timedPods(pods, timeline) : pods,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics,
    options: { ...DEFAULT_ACTUATOR_OPTIONS, ...options },
  });
}

/** One pod of a seeded ReplicaSet. */
export interface SeedPod {
  readonly name: string;
  readonly app: string;
  readonly graceSeconds?: number;
  readonly shutdownMs?: number;
  readonly priority?: number;
}

/** Creates the node (when missing), one ReplicaSet per app and the pods bound to the node. */
export async function seedNode(env: BenchEnv, node: string, pods: readonly SeedPod[]): Promise<void> {
  await env.core.createNode({ body: { metadata: { name: node } } });
  const uids = new Map<string, string>();
  for (const app of new Set(pods.map((p) => p.app))) {
    const rs = await env.apps.createNamespacedReplicaSet({
      namespace: 'default',
      body: {
        metadata: { name: `${node}-${app}` },
        spec: {
          replicas: pods.filter((p) => p.app === app).length,
          selector: { matchLabels: { app, node } },
          template: {
            metadata: { labels: { app, node } },
            spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
      },
    });
    uids.set(app, rs.metadata?.uid ?? '');
  }
  await Promise.all(
    pods.map((p) => env.core.createNamespacedPod({ namespace: 'default', body: podBody(node, p, uids) })),
  );
}

function podBody(node: string, p: SeedPod, uids: ReadonlyMap<string, string>): V1Pod {
  const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${node}-${p.app}`, controller: true };
  return {
    metadata: {
      name: p.name,
      labels: { app: p.app, node },
      annotations: p.shutdownMs !== undefined ? { [SHUTDOWN_MS_ANNOTATION]: String(p.shutdownMs) } : {},
      ownerReferences: [{ ...owner, uid: uids.get(p.app) ?? '' }],
    },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: p.graceSeconds ?? 30,
      ...(p.priority !== undefined ? { priority: p.priority } : {}),
      containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
    },
  };
}

/** Runs `kubectl drain` with NTH's flags against the environment; resolves when it exits. */
export async function kubectlDrain(env: BenchEnv, node: string, timeoutSeconds = 120): Promise<void> {
  await exec('kubectl', [
    '--kubeconfig',
    env.kubeconfigPath,
    'drain',
    node,
    '--ignore-daemonsets',
    '--delete-emptydir-data',
    '--force',
    `--timeout=${timeoutSeconds}s`,
  ]);
}

/** An urgent spot-interruption drain of `node` (event id: the node's name) with 120 s to go. */
export function spotDrain(node: string): DrainRequest {
  return {
    nodeName: node,
    kind: 'spot-interruption',
    eventId: node,
    deadlineMs: Date.now() + 120_000,
    urgent: true,
    signal: new AbortController().signal,
  };
}

/** The headline figures of an ours-vs-kubectl bench (seconds): both medians and their ratio. */
export function oursVsKubectl(
  ours: readonly number[],
  kubectl: readonly number[],
): { ours_s: number; kubectl_s: number; ratio: number } {
  const o = median(ours);
  const k = median(kubectl);
  return { ours_s: ms3(o), kubectl_s: ms3(k), ratio: ms3(o / k) };
}

/** Median of the values (upper middle for even counts). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

/** Rounds to milliseconds for the JSON line. */
export function ms3(v: number): number {
  return +v.toFixed(3);
}
