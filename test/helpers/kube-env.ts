/**
 * Scenario harness: a Kubernetes API (the simulator, or a real cluster when TEST_KUBECONFIG is set),
 * a kubeconfig file for kubectl and the daemon, and a kubelet simulator for the fake nodes.
 *
 * On a real cluster the clients under test talk to it through a recording, fault-injecting proxy
 * (kube-wire-proxy.ts), so `wire.requests` and `wire.faults` work on both servers; each env gets its own
 * namespace, and fake node names carry this test file's run id (`fakeNodeName`), so test files running
 * in parallel on one cluster never touch each other's nodes. `stop` removes all of it.
 */
import * as k8s from '@kubernetes/client-node';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeConfigForUrl, kubeconfigFileText } from '../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator, KubeApiSimulatorOptions } from '../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import type { KubeletSimulator, KubeletSimulatorOptions } from '../../src/sandbox/kubelet.js';
import { startKubeletSimulator } from '../../src/sandbox/kubelet.js';
import { startSandboxWorld, type SandboxWorld, type WorldOptions } from '../../src/sandbox/demo-world.js';
import { startKubeWireProxy, type KubeWire } from './kube-wire-proxy.js';

export type { KubeWire } from './kube-wire-proxy.js';

/** Label on every fake node a test makes (value: the env's namespace); `stop` deletes by it. */
export const FAKE_NODE_LABEL = 'spot-handler.test/env';

/** This test file's run id (one per worker process and file): part of every fake node name. */
export const RUN_ID = Math.random().toString(36).slice(2, 8);

/** A fake node name unique to this test file: `n1` → `n1-<run>`, `ip-10-0-0-1.ec2.internal` → `ip-10-0-0-1-<run>.ec2.internal`. */
export function fakeNodeName(base: string): string {
  const dot = base.indexOf('.');
  return dot < 0 ? `${base}-${RUN_ID}` : `${base.slice(0, dot)}-${RUN_ID}${base.slice(dot)}`;
}

/** True for node names made by `fakeNodeName` in this file. */
export function isOwnFakeNode(name: string): boolean {
  return name.split('.')[0]?.endsWith(`-${RUN_ID}`) ?? false;
}

/** A running test environment. */
export interface KubeEnv {
  readonly kubeconfigPath: string;
  readonly url: string;
  /** Client configuration for the code under test (through the proxy on a real cluster). */
  readonly kubeConfig: k8s.KubeConfig;
  /** The simulator, or undefined on a real cluster. */
  readonly api: KubeApiSimulator | undefined;
  /** Request log and fault injection: the simulator's, or the proxy's in front of the real server. */
  readonly wire: KubeWire;
  readonly kubelet: KubeletSimulator;
  /** Namespace for the test's objects (created and deleted on a real cluster; 'default' on the simulator). */
  readonly namespace: string;
  /** Labels for the env's fake nodes (the workloads' nodeSelector; `stop` deletes nodes carrying them). */
  readonly nodeLabels: Readonly<Record<string, string>>;
  stop(): Promise<void>;
}

/** Options for `startKubeEnv`. */
export interface KubeEnvOptions {
  readonly simulator?: KubeApiSimulatorOptions;
  readonly kubelet?: Omit<KubeletSimulatorOptions, 'kubeConfig' | 'url'>;
  /** Start a kubelet simulator (default true); it serves this file's fake nodes unless told `nodeNames`. */
  readonly startKubelet?: boolean;
  /** Path of a real cluster's kubeconfig; default: the TEST_KUBECONFIG environment variable. */
  readonly realKubeconfig?: string;
}

/** True when scenario tests run against a real cluster (TEST_KUBECONFIG). */
export function onRealCluster(): boolean {
  return !!process.env['TEST_KUBECONFIG'];
}

/** Starts the environment. */
export async function startKubeEnv(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-env-'));
  const real = options.realKubeconfig ?? process.env['TEST_KUBECONFIG'];
  const kubeconfigPath = join(dir, 'kubeconfig');
  let api: KubeApiSimulator | undefined;
  let wire: KubeWire & { stop(): Promise<void> };
  let kubeletConfig: k8s.KubeConfig;
  let namespace = 'default';
  if (real) {
    kubeletConfig = new k8s.KubeConfig();
    kubeletConfig.loadFromFile(real);
    wire = await startKubeWireProxy(kubeletConfig);
    namespace = `spot-handler-test-${Math.random().toString(36).slice(2, 8)}`;
    await kubeletConfig
      .makeApiClient(k8s.CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  } else {
    api = await startKubeApiSimulator(options.simulator);
    wire = api;
    kubeletConfig = kubeConfigForUrl(api.url);
  }
  await writeFile(kubeconfigPath, kubeconfigFileText(wire.url), { mode: 0o600 });
  const kubeConfig = kubeConfigForUrl(wire.url);
  const kubeletOptions: KubeletSimulatorOptions = {
    defaultShutdownMs: 100,
    ownsNode: isOwnFakeNode,
    ...options.kubelet,
    kubeConfig: kubeletConfig,
  };
  const kubelet =
    options.startKubelet === false ? idleKubelet() : await startKubeletSimulator(kubeletOptions);
  const nodeLabels = { [FAKE_NODE_LABEL]: namespace === 'default' ? RUN_ID : namespace };
  const stop = async (): Promise<void> => {
    if (real) await removeTestObjects(kubeletConfig, namespace, nodeLabels);
    await kubelet.stop();
    await wire.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { kubeconfigPath, url: wire.url, kubeConfig, api, wire, kubelet, namespace, nodeLabels, stop };
}

/**
 * Deletes the env's namespace, then its pods at once (grace 0: no kubelet finishes them later; a
 * terminating namespace takes no new pods from a ReplicaSet), then its fake nodes.
 */
async function removeTestObjects(
  kc: k8s.KubeConfig,
  namespace: string,
  nodeLabels: Readonly<Record<string, string>>,
): Promise<void> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const ignore = (): undefined => undefined;
  await core.deleteNamespace({ name: namespace }).catch(ignore);
  await core
    .deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0 } })
    .catch(ignore);
  const labelSelector = Object.entries(nodeLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  await core.deleteCollectionNode({ labelSelector }).catch(ignore);
}

function idleKubelet(): KubeletSimulator {
  return {
    terminations: () => [],
    started: new Set(),
    ready: Promise.resolve(),
    idle: async () => undefined,
    stop: async () => undefined,
  };
}

/** The sandbox world with the env's wire (request log and faults on both servers). */
export type WorldOnKubeEnv = SandboxWorld & { readonly wire: KubeWire };

/** A node uptime file saying the host has been up for a day (reboot restore stays out of the way). */
async function longUptimeFile(dir: string): Promise<string> {
  const file = join(dir, 'uptime');
  await writeFile(file, '86400.00 172800.00\n');
  return file;
}

/**
 * The sandbox world (IMDS scenarios) on kube-env: the API simulator by default, a real cluster with
 * TEST_KUBECONFIG (fake nodes and a `<namespace>-system` namespace, removed at `stop`). The daemon reads
 * a node uptime of one day unless the test gives UPTIME_FROM_FILE (the host's own uptime never matters).
 */
export async function startSandboxWorldOnKubeEnv(
  options: Omit<WorldOptions, 'kube'> = {},
): Promise<WorldOnKubeEnv> {
  const env = await startKubeEnv({ simulator: { requestLogSize: 50_000 }, startKubelet: false });
  let world: SandboxWorld;
  const dir = await mkdtemp(join(tmpdir(), 'sandbox-env-'));
  try {
    world = await startSandboxWorld({ ...options, kube: env });
  } catch (err) {
    await env.stop();
    throw err;
  }
  const uptimeFile = await longUptimeFile(dir);
  const stopWorld = world.stop.bind(world);
  const daemonEnv = world.daemonEnv.bind(world);
  return Object.assign(world, {
    wire: env.wire,
    daemonEnv: (extra: Readonly<Record<string, string>> = {}) =>
      daemonEnv({ UPTIME_FROM_FILE: uptimeFile, ...extra }),
    stop: async () => {
      await stopWorld();
      await env.stop();
      await rm(dir, { recursive: true, force: true });
    },
  });
}
