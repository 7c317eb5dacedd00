/**
 * The sandbox world: the Kubernetes API simulator, the kubelet simulator and the IMDS simulator in this
 * process, a kubeconfig file the daemon reads, and a small cluster (nodes, Deployments with their
 * ReplicaSets and pods, a PDB, a DaemonSet). Used by `spot-handler sandbox`, scenario tests and benchmarks.
 */
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startImdsServer, type ImdsServer } from './imds-server.js';
import type { KubeApiSimulator } from './kube-api/server.js';
import type { KubeObject } from './kube-api/types.js';
import { startKubeletSimulator, type KubeletSimulator } from './kubelet.js';
import { buildCluster, DEMO_DEPLOYMENTS, type ClusterObjectsOptions } from './demo-cluster-objects.js';
import { openBackend, type Backend, type WorldKube } from './world-backend.js';

export type { WorldKube } from './world-backend.js';
export { DEMO_DEPLOYMENTS, SURGE_DEMO_DEPLOYMENT, type DeploymentSpec } from './demo-cluster-objects.js';

/** What to build. */
export interface WorldOptions extends ClusterObjectsOptions {
  readonly nodeCount?: number;
  /** Build in this existing environment (its owner stops it) instead of starting an API simulator. */
  readonly kube?: WorldKube;
}

/** A running sandbox world. */
export interface SandboxWorld {
  /** The API simulator; throws on a real cluster (guard simulator-only checks with `api`). */
  readonly kube: KubeApiSimulator;
  /** The API simulator, or undefined on a real cluster. */
  readonly api: KubeApiSimulator | undefined;
  /** Namespace of the Deployments' pods, and of the DaemonSet's. */
  readonly namespace: string;
  readonly systemNamespace: string;
  readonly kubelet: KubeletSimulator;
  readonly imds: ImdsServer;
  /** The kubeconfig file pointing at the API simulator. */
  readonly kubeconfigPath: string;
  /** The node the IMDS simulator speaks for (the daemon's NODE_NAME). */
  readonly nodeName: string;
  readonly nodeNames: readonly string[];
  /** Environment for a daemon in IMDS mode for `nodeName`. */
  daemonEnv(extra?: Readonly<Record<string, string>>): Record<string, string>;
  /** Pods (namespace/name) bound to a node, terminating or not. */
  podsOn(nodeName: string): KubeObject[];
  /** The node object as stored. */
  node(name: string): KubeObject | undefined;
  /** Reasons of the core/v1 Events about the object `name`, read through the API. */
  eventReasons(name: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** Starts the simulators, builds the cluster and waits until the kubelet runs every pod. */
export async function startSandboxWorld(options: WorldOptions = {}): Promise<SandboxWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'spot-handler-sandbox-'));
  const backend = await openBackend(options.kube, options.nodeCount ?? 3, dir);
  const { nodeNames } = backend;
  const imds = await startImdsServer({ identity: { localIpv4: '10.0.1.1' } });
  const nodeName = nodeNames[0] ?? 'sandbox-node-1';
  let kubelet: KubeletSimulator | undefined;
  const stop = async (): Promise<void> => {
    await kubelet?.stop();
    await backend.stop();
    await imds.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    kubelet = await buildAndRun(backend, imds.identity.instanceId, options);
  } catch (err) {
    await stop();
    throw err;
  }
  const api = backend.api;
  return {
    get kube(): KubeApiSimulator {
      if (!api) throw new Error('simulator-only check on a real cluster (guard it with world.api)');
      return api;
    },
    api,
    namespace: backend.namespace,
    systemNamespace: backend.systemNamespace,
    kubelet,
    imds,
    kubeconfigPath: backend.kubeconfigPath,
    nodeName,
    nodeNames,
    daemonEnv: (extra = {}) => ({
      NODE_NAME: nodeName,
      KUBECONFIG: backend.kubeconfigPath,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      POD_NAME: `spot-handler-${nodeName}`,
      POD_NAMESPACE: backend.systemNamespace,
      LOG_FORMAT: 'json',
      ...extra,
    }),
    podsOn: (name) => backend.podsOn(name),
    node: (name) => backend.node(name),
    eventReasons: async (name) => {
      const list = await backend.kubeConfig.makeApiClient(k8s.CoreV1Api).listEventForAllNamespaces();
      return list.items.filter((e) => e.involvedObject.name === name).map((e) => e.reason ?? '');
    },
    stop,
  };
}

/** Builds the cluster, starts the kubelet simulator and waits until it runs every pod. */
async function buildAndRun(
  backend: Backend,
  instanceId: string,
  options: WorldOptions,
): Promise<KubeletSimulator> {
  await buildCluster(backend, instanceId, options);
  const kubelet = await startKubeletSimulator({
    kubeConfig: backend.kubeConfig,
    nodeNames: backend.nodeNames,
    defaultShutdownMs: 500,
  });
  const expected =
    (options.deployments ?? DEMO_DEPLOYMENTS).reduce((n, d) => n + d.replicas, 0) +
    ((options.daemonSet ?? true) ? backend.nodeNames.length : 0);
  const allRunning = (): boolean => {
    const pods = backend.pods();
    return pods.length >= expected && pods.every((p) => p.status?.['phase'] === 'Running');
  };
  try {
    await waitFor(allRunning, backend.remote ? 30_000 : 10_000, 'the kubelet simulator to run every pod');
    await kubelet.idle();
  } catch (err) {
    await kubelet.stop();
    throw err;
  }
  return kubelet;
}

/** Polls `check` every 20 ms until true. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
