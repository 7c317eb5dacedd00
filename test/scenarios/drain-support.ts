/**
 * Shared set-up of the drain scenarios: the API simulator (or a real cluster), the kubelet simulator,
 * a real KubeNodeActuator built like src/modes/node-actions.ts, and the world builder
 * (test/helpers/world-builder.ts) for nodes, ReplicaSets, pods and PDBs made through the API, so the same
 * stories run against a real server.
 */
import pino from 'pino';
import { afterEach, beforeEach } from 'vitest';
import { Registry } from 'prom-client';
import { AppsV1Api, CoreV1Api, PolicyV1Api, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.js';
import { createMetrics, type Metrics } from '../../src/report/metrics.js';
import type { KubeletSimulator, PodTermination } from '../../src/sandbox/kubelet.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../../src/kube/kube-config.js';
import { RateLimiter } from '../../src/kube/rate-limiter.js';
import { KubeNodeApi } from '../../src/kube/node-api.js';
import { KubePodApi } from '../../src/kube/pod-api.js';
import { KubeNodeActuator } from '../../src/actions/kube-node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../../src/actions/actuator-options.js';
import type { DrainRequest, DrainResult } from '../../src/pipeline/node-actuator-port.js';
import { fakeNodeName, startKubeEnv, type KubeWire } from '../helpers/kube-env.js';
import {
  createApp,
  createNodes,
  createPdb,
  podsOn,
  waitSettled,
  type AppSpec,
  type PdbSpec,
  type WorldTarget,
} from '../helpers/world-builder.js';

export {
  createApp,
  createPod,
  isReady,
  podsOn,
  waitUntil,
  waitSettled as waitAllReady,
} from '../helpers/world-builder.js';
export type { AppSpec, PdbSpec } from '../helpers/world-builder.js';

/** The three fake nodes of the drain stories (unique to this test file, see `fakeNodeName`). */
export const [N1, N2, N3] = ['n1', 'n2', 'n3'].map(fakeNodeName) as [string, string, string];

/** A running environment on kube-env: the simulator (or a real cluster), clients and the kubelet simulator. */
export interface DrainEnv extends WorldTarget {
  /** Request log and faults: the simulator's, or the recording proxy's in front of a real server. */
  readonly sim: KubeWire;
  readonly kc: KeepAliveKubeConfig;
  readonly kubelet: KubeletSimulator;
  /** A kubeconfig file for the environment (for kubectl and the spot-handler CLI). */
  readonly kubeconfigPath: string;
  stop(): Promise<void>;
}

/** Options of `startDrainEnv`. */
export interface DrainEnvOptions {
  /** Delay before the kubelet reports a new pod Running + Ready (replacements). */
  readonly startDelayMs?: number;
  /** Nodes the kubelet simulator serves when they are not named by `fakeNodeName` (default: those). */
  readonly nodeNames?: readonly string[];
}

/** Starts kube-env (simulator with ReplicaSet controller and scheduler, or TEST_KUBECONFIG) and clients. */
export async function startDrainEnv(options: DrainEnvOptions = {}): Promise<DrainEnv> {
  const kube = await startKubeEnv({
    simulator: { taintNewNodes: false },
    kubelet: {
      ...(options.startDelayMs !== undefined ? { startDelayMs: options.startDelayMs } : {}),
      ...(options.nodeNames ? { nodeNames: options.nodeNames } : {}),
    },
  });
  const kc = loadKubeConfig({
    kubeconfigPath: kube.kubeconfigPath,
    rateLimiter: new RateLimiter(systemClock),
  });
  return {
    real: kube.api === undefined,
    sim: kube.wire,
    kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    policy: kc.makeApiClient(PolicyV1Api),
    kubelet: kube.kubelet,
    namespace: kube.namespace,
    nodeLabels: kube.nodeLabels,
    kubeconfigPath: kube.kubeconfigPath,
    stop: async () => {
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

/** `web`×`replicas` on N1 behind the PDB `web-pdb` with `budget`; N2 is where the replacements go. */
export function webBehindPdb(
  replicas: number,
  shutdownMs: number,
  budget: { readonly minAvailable: number } | { readonly maxUnavailable: number },
): DrainWorld {
  return {
    nodes: [N1, N2],
    apps: [{ name: 'web', replicas, nodes: [N1], shutdownMs }],
    pdbs: [{ name: 'web-pdb', app: 'web', ...budget }],
  };
}

/** Creates the world's nodes, apps and PDBs, then waits until every pod is Running and Ready. */
export async function buildDrainWorld(env: DrainEnv, world: DrainWorld): Promise<void> {
  await createNodes(env, world.nodes);
  for (const app of world.apps ?? []) await createApp(env, app);
  for (const pdb of world.pdbs ?? []) await createPdb(env, pdb);
  await waitSettled(env);
}

/** A test file's drain world, started before each test and stopped after, with its helpers bound to it. */
export interface DrainScenario {
  /** This test's environment (throws outside a test). */
  readonly env: DrainEnv;
  podsOn(node: string): Promise<V1Pod[]>;
  terminationsOn(node: string): PodTermination[];
  cordonedActuator(
    node: string,
    options?: Partial<ActuatorOptions>,
  ): Promise<{ actuator: KubeNodeActuator; metrics: Metrics }>;
  makeActuator(options?: Partial<ActuatorOptions>): { actuator: KubeNodeActuator; metrics: Metrics };
}

/**
 * Registers the file's hooks: before each test a fresh environment with `world` built in it (none: an
 * empty environment), after it the environment stopped. Call at the top level of a test file.
 */
export function drainScenario(world?: DrainWorld, options: DrainEnvOptions = {}): DrainScenario {
  let current: DrainEnv | undefined;
  beforeEach(async () => {
    current = world ? await startDrainWorld(world, options) : await startDrainEnv(options);
  });
  afterEach(async () => {
    await current?.stop();
    current = undefined;
  });
  const env = (): DrainEnv => {
    if (!current) throw new Error('the drain world exists only inside a test');
    return current;
  };
  return {
    get env() {
      return env();
    },
    podsOn: (node) => podsOn(env(), node),
    terminationsOn: (node) => terminationsOn(env(), node),
    cordonedActuator: (node, opts) => cordonedActuator(env(), node, opts),
    makeActuator: (opts) => makeActuator(env(), opts),
  };
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

/** A drain result's outcome and counts in one line, for one assertion: `succeeded: 2 evicted, 0 forced, 0 left`. */
export function drainCounts(r: DrainResult): string {
  return `${r.result}: ${r.podsEvicted} evicted, ${r.podsForceDeleted} forced, ${r.podsRemaining} left`;
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

/** The kubelet simulator's terminations on a node (one per pod, in SIGTERM order). */
export function terminationsOn(env: DrainEnv, node: string): PodTermination[] {
  return env.kubelet.terminations().filter((t) => t.nodeName === node);
}
