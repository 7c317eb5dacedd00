/**
 * Shared set-up of the drain scenarios: the API simulator (or a real cluster), the kubelet simulator,
 * a real KubeNodeActuator built like src/modes/node-actions.ts, and small builders for ReplicaSets,
 * pods and PDBs made through the API (so the same stories can run against a real server).
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1ObjectMeta, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.js';
import { createMetrics, type Metrics } from '../../src/report/metrics.js';
import type { KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import {
  SHUTDOWN_MS_ANNOTATION,
  type KubeletSimulator,
  type PodTermination,
} from '../../src/sandbox/kubelet.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../../src/kube/kube-config.js';
import { RateLimiter } from '../../src/kube/rate-limiter.js';
import { KubeNodeApi } from '../../src/kube/node-api.js';
import { KubePodApi } from '../../src/kube/pod-api.js';
import { KubeNodeActuator } from '../../src/actions/kube-node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../../src/actions/actuator-options.js';
import type { DrainRequest } from '../../src/pipeline/node-actuator-port.js';
import { startKubeEnv } from '../helpers/kube-env.js';

/** A running environment on kube-env: the simulator (or a real cluster), clients and the kubelet simulator. */
export interface DrainEnv {
  /** The simulator; undefined on a real cluster (TEST_KUBECONFIG). */
  readonly api: KubeApiSimulator | undefined;
  /** The simulator for simulator-only checks (request log, faults); throws on a real cluster. */
  readonly sim: KubeApiSimulator;
  readonly kc: KeepAliveKubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly kubelet: KubeletSimulator;
  readonly namespace: string;
  /** A kubeconfig file for the environment (for kubectl and the spot-handler CLI). */
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Options of `startDrainEnv`. */
export interface DrainEnvOptions {
  /** Delay before the kubelet reports a new pod Running + Ready (replacements). */
  readonly startDelayMs?: number;
  /** The fake nodes the kubelet simulator acts for (default n1, n2, n3); deleted at stop on a real cluster. */
  readonly nodeNames?: readonly string[];
}

/** Starts kube-env (simulator with ReplicaSet controller and scheduler, or TEST_KUBECONFIG) and clients. */
export async function startDrainEnv(options: DrainEnvOptions = {}): Promise<DrainEnv> {
  const nodeNames = options.nodeNames ?? ['n1', 'n2', 'n3'];
  const kube = await startKubeEnv({
    simulator: { taintNewNodes: false },
    kubelet: {
      nodeNames,
      ...(options.startDelayMs !== undefined ? { startDelayMs: options.startDelayMs } : {}),
    },
  });
  const kc = loadKubeConfig({
    kubeconfigPath: kube.kubeconfigPath,
    rateLimiter: new RateLimiter(systemClock),
  });
  const core = kc.makeApiClient(CoreV1Api);
  const api = kube.api;
  return {
    api,
    get sim(): KubeApiSimulator {
      if (!api)
        throw new Error('simulator-only check on a real cluster: guard the test with onRealCluster()');
      return api;
    },
    kc,
    core,
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    kubelet: kube.kubelet,
    namespace: kube.namespace,
    kubeconfigPath: kube.kubeconfigPath,
    stop: async () => {
      if (!api) await Promise.all(nodeNames.map((name) => core.deleteNode({ name }).catch(() => undefined)));
      kc.destroy();
      await kube.stop();
    },
  };
}

/** The cluster a drain story starts from: fake nodes, ReplicaSets with pods, PDBs. */
export interface DrainWorld {
  readonly nodes: readonly string[];
  readonly apps?: readonly AppSpec[];
  readonly pdbs?: readonly PdbSpec[];
}

/** A policy/v1 PDB selecting `app=<app>`. */
export interface PdbSpec {
  readonly name: string;
  readonly app: string;
  readonly minAvailable?: number;
  readonly maxUnavailable?: number;
}

/** Creates the world's nodes, apps and PDBs, then waits until every pod is Running and Ready. */
export async function buildDrainWorld(env: DrainEnv, world: DrainWorld): Promise<void> {
  await createNodes(env, ...world.nodes);
  for (const app of world.apps ?? []) await createApp(env, app);
  for (const { name, app, ...budget } of world.pdbs ?? []) await createPdb(env, name, app, budget);
  await waitAllReady(env);
}

/** `startDrainEnv` followed by `buildDrainWorld`. */
export async function startDrainWorld(world: DrainWorld, options: DrainEnvOptions = {}): Promise<DrainEnv> {
  const env = await startDrainEnv(options);
  try {
    await buildDrainWorld(env, world);
  } catch (err) {
    await env.stop();
    throw err;
  }
  return env;
}

/** A real actuator (see `makeActuator`) that has already cordoned `node`. */
export async function cordonedActuator(
  env: DrainEnv,
  node: string,
  options: Partial<ActuatorOptions> = {},
): Promise<{ actuator: KubeNodeActuator; metrics: Metrics }> {
  const made = makeActuator(env, options);
  await made.actuator.cordon(node);
  return made;
}

/** A real actuator with silent logs and its own metrics registry. */
export function makeActuator(
  env: DrainEnv,
  options: Partial<ActuatorOptions> = {},
): { actuator: KubeNodeActuator; metrics: Metrics } {
  const metrics = createMetrics(new Registry(), { version: 't', mode: 't' }, { defaultMetrics: false });
  const actuator = new KubeNodeActuator({
    nodes: new KubeNodeApi(env.core, metrics),
    pods: new KubePodApi({ kubeConfig: env.kc, core: env.core, apps: env.apps, counter: metrics }),
    clock: systemClock,
    logger: pino({ level: process.env['DRAIN_LOG'] ?? 'silent' }),
    metrics,
    options: { ...DEFAULT_ACTUATOR_OPTIONS, retryInitialMs: 100, retryMaxMs: 300, ...options },
  });
  return { actuator, metrics };
}

/** A drain request for `node` with the deadline `inMs` from now. */
export function drainRequest(node: string, inMs: number, urgent: boolean): DrainRequest {
  return {
    nodeName: node,
    kind: urgent ? 'spot-interruption' : 'rebalance-recommendation',
    eventId: `e-${node}`,
    deadlineMs: Date.now() + inMs,
    urgent,
    signal: new AbortController().signal,
  };
}

/** Creates nodes (the kubelet simulator makes them Ready). */
export async function createNodes(env: DrainEnv, ...names: string[]): Promise<void> {
  for (const name of names) {
    await env.core.createNode({ body: { metadata: { name, labels: { 'kubernetes.io/hostname': name } } } });
  }
}

/** What a ReplicaSet's pods look like. */
export interface AppSpec {
  readonly name: string;
  readonly replicas: number;
  /** Nodes the initial pods are bound to, round-robin. */
  readonly nodes: readonly string[];
  readonly shutdownMs?: number;
  readonly graceSeconds?: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Creates a ReplicaSet and its pods (bound to the given nodes, owned by it); returns the pod names. */
export async function createApp(env: DrainEnv, app: AppSpec): Promise<string[]> {
  const labels = { app: app.name };
  const annotations = {
    ...(app.shutdownMs !== undefined ? { [SHUTDOWN_MS_ANNOTATION]: String(app.shutdownMs) } : {}),
    ...app.annotations,
  };
  const podSpec = {
    terminationGracePeriodSeconds: app.graceSeconds ?? 30,
    containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
  };
  const rs = await env.apps.createNamespacedReplicaSet({
    namespace: env.namespace,
    body: {
      metadata: { name: app.name, labels },
      spec: {
        replicas: app.replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels, annotations }, spec: podSpec },
      },
    },
  });
  const names: string[] = [];
  for (let i = 0; i < app.replicas; i++) {
    const name = `${app.name}-${i}`;
    names.push(name);
    await env.core.createNamespacedPod({
      namespace: env.namespace,
      body: {
        metadata: {
          name,
          labels,
          annotations,
          ownerReferences: [
            {
              apiVersion: 'apps/v1',
              kind: 'ReplicaSet',
              name: app.name,
              uid: rs.metadata?.uid ?? '',
              controller: true,
            },
          ],
        },
        spec: { ...podSpec, nodeName: app.nodes[i % app.nodes.length] ?? '' },
      },
    });
  }
  return names;
}

/** Creates one pod bound to `node` with the given metadata (owners, annotations). */
export async function createPod(env: DrainEnv, node: string, metadata: V1ObjectMeta): Promise<void> {
  await env.core.createNamespacedPod({
    namespace: env.namespace,
    body: {
      metadata: {
        ...metadata,
        annotations: { [SHUTDOWN_MS_ANNOTATION]: '50', ...metadata.annotations },
      },
      spec: { nodeName: node, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
    },
  });
}

/** Creates a policy/v1 PDB selecting `app=<app>`. */
export async function createPdb(
  env: DrainEnv,
  name: string,
  app: string,
  budget: { minAvailable?: number; maxUnavailable?: number },
): Promise<void> {
  await env.policy.createNamespacedPodDisruptionBudget({
    namespace: env.namespace,
    body: { metadata: { name }, spec: { selector: { matchLabels: { app } }, ...budget } },
  });
}

/** Pods bound to the node (terminating ones included). */
export async function podsOn(env: DrainEnv, node: string): Promise<V1Pod[]> {
  const list = await env.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  return list.items;
}

/** Polls until `check` is true (every 20 ms), failing after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The kubelet simulator's terminations on a node (one per pod, in SIGTERM order). */
export function terminationsOn(env: DrainEnv, node: string): PodTermination[] {
  return env.kubelet.terminations().filter((t) => t.nodeName === node);
}

/** True when the pod's Ready condition is True. */
export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Waits until every pod in the namespace is Running and Ready. */
export async function waitAllReady(env: DrainEnv, timeoutMs = 5000): Promise<void> {
  await waitUntil(
    'pods Ready',
    async () => {
      const list = await env.core.listNamespacedPod({ namespace: env.namespace });
      return list.items.every(isReady);
    },
    timeoutMs,
  );
}
