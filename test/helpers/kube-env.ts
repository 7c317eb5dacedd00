/**
 * Scenario harness: a Kubernetes API (the simulator, or a real cluster when TEST_KUBECONFIG is set),
 * a kubeconfig file for kubectl and the daemon, and a kubelet simulator for the fake nodes.
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

/** A running test environment. */
export interface KubeEnv {
  readonly kubeconfigPath: string;
  readonly url: string;
  readonly kubeConfig: k8s.KubeConfig;
  /** The simulator, or undefined on a real cluster. */
  readonly api: KubeApiSimulator | undefined;
  readonly kubelet: KubeletSimulator;
  /** Namespace for the test's objects (created and deleted on a real cluster; 'default' on the simulator). */
  readonly namespace: string;
  stop(): Promise<void>;
}

/** Options for `startKubeEnv`. */
export interface KubeEnvOptions {
  readonly simulator?: KubeApiSimulatorOptions;
  readonly kubelet?: Omit<KubeletSimulatorOptions, 'kubeConfig' | 'url'>;
  /** Start a kubelet simulator (default true). On a real cluster give `kubelet.nodeNames` (the fake nodes only). */
  readonly startKubelet?: boolean;
  /** Path of a real cluster's kubeconfig; default: the TEST_KUBECONFIG environment variable. */
  readonly realKubeconfig?: string;
}

/** True when scenario tests run against a real cluster (TEST_KUBECONFIG): simulator-only tests skip then. */
export function onRealCluster(): boolean {
  return !!process.env['TEST_KUBECONFIG'];
}

/** Starts the environment. */
export async function startKubeEnv(options: KubeEnvOptions = {}): Promise<KubeEnv> {
  const dir = await mkdtemp(join(tmpdir(), 'kube-env-'));
  const real = options.realKubeconfig ?? process.env['TEST_KUBECONFIG'];
  let api: KubeApiSimulator | undefined;
  let kubeConfig: k8s.KubeConfig;
  let kubeconfigPath: string;
  let namespace = 'default';
  if (real) {
    kubeConfig = new k8s.KubeConfig();
    kubeConfig.loadFromFile(real);
    kubeconfigPath = real;
    namespace = `spot-handler-test-${Math.random().toString(36).slice(2, 8)}`;
    await kubeConfig
      .makeApiClient(k8s.CoreV1Api)
      .createNamespace({ body: { metadata: { name: namespace } } });
  } else {
    api = await startKubeApiSimulator(options.simulator);
    kubeConfig = kubeConfigForUrl(api.url);
    kubeconfigPath = join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfigFileText(api.url));
  }
  const url = kubeConfig.getCurrentCluster()?.server ?? '';
  const kubeletOptions = { defaultShutdownMs: 100, ...options.kubelet, kubeConfig };
  if (real && options.startKubelet !== false && !kubeletOptions.nodeNames) {
    throw new Error(
      'on a real cluster, give kubelet.nodeNames (the fake nodes the kubelet simulator may act for)',
    );
  }
  const kubelet =
    options.startKubelet === false ? idleKubelet() : await startKubeletSimulator(kubeletOptions);
  const stop = async (): Promise<void> => {
    await kubelet.stop();
    if (real)
      await kubeConfig
        .makeApiClient(k8s.CoreV1Api)
        .deleteNamespace({ name: namespace })
        .catch(() => undefined);
    await api?.stop();
    await rm(dir, { recursive: true, force: true });
  };
  return { kubeconfigPath, url, kubeConfig, api, kubelet, namespace, stop };
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

/**
 * The sandbox world (IMDS scenarios) on kube-env: the API simulator by default, a real cluster with
 * TEST_KUBECONFIG (fake nodes and a `<namespace>-system` namespace, removed at `stop`).
 */
export async function startSandboxWorldOnKubeEnv(
  options: Omit<WorldOptions, 'kube'> = {},
): Promise<SandboxWorld> {
  const env = await startKubeEnv({ simulator: { requestLogSize: 50_000 }, startKubelet: false });
  let world: SandboxWorld;
  try {
    world = await startSandboxWorld({ ...options, kube: env });
  } catch (err) {
    await env.stop();
    throw err;
  }
  const stopWorld = world.stop.bind(world);
  world.stop = async () => {
    await stopWorld();
    await env.stop();
  };
  return world;
}
