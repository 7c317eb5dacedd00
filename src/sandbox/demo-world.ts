/**
 * The sandbox world: the Kubernetes API simulator, the kubelet simulator and the IMDS simulator in this
 * process, a kubeconfig file the daemon reads, and a small cluster (nodes, Deployments with their
 * ReplicaSets and pods, a PDB, a DaemonSet). Used by `spot-handler sandbox`, scenario tests and benchmarks.
 */
import * as k8s from '@kubernetes/client-node';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SURGE_ANNOTATION } from '../actions/drain/surge-decision.js';
import { startImdsServer, type ImdsServer } from './imds-server.js';
import type { KubeApiSimulator } from './kube-api/server.js';
import type { KubeObject } from './kube-api/types.js';
import { SHUTDOWN_MS_ANNOTATION, startKubeletSimulator, type KubeletSimulator } from './kubelet.js';
import { openBackend, type Backend, type WorldKube } from './world-backend.js';

export type { WorldKube } from './world-backend.js';

/** One Deployment of the sandbox cluster. */
export interface DeploymentSpec {
  readonly name: string;
  readonly replicas: number;
  /** A PDB with this minAvailable is created when set. */
  readonly pdbMinAvailable?: number;
  /** Simulated shutdown time of its pods (ms). */
  readonly shutdownMs?: number;
  /** Pods go to the interrupted node only (default: spread round-robin over all nodes). */
  readonly onlyOnFirstNode?: boolean;
  /** Annotated `spot-handler/surge-before-evict: "true"` (docs/surge-before-evict.md). */
  readonly surgeBeforeEvict?: boolean;
}

/** What to build. */
export interface WorldOptions {
  readonly nodeCount?: number;
  readonly deployments?: readonly DeploymentSpec[];
  /** A DaemonSet with one pod per node (default true). */
  readonly daemonSet?: boolean;
  /** Pod terminationGracePeriodSeconds (default 30). */
  readonly graceSeconds?: number;
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

/** The default demo cluster: three Deployments (one behind a PDB) and a DaemonSet on three nodes. */
export const DEMO_DEPLOYMENTS: readonly DeploymentSpec[] = [
  { name: 'web', replicas: 6, shutdownMs: 400 },
  { name: 'api', replicas: 4, pdbMinAvailable: 3, shutdownMs: 800 },
  { name: 'worker', replicas: 3, shutdownMs: 1500 },
];

/** What `npm run demo -- --surge` adds: a one-replica Deployment behind a PDB, opted in to surge before evict. */
export const SURGE_DEMO_DEPLOYMENT: DeploymentSpec = {
  name: 'checkout',
  replicas: 1,
  pdbMinAvailable: 1,
  shutdownMs: 300,
  onlyOnFirstNode: true,
  surgeBeforeEvict: true,
};

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

async function buildCluster(backend: Backend, instanceId: string, options: WorldOptions): Promise<void> {
  const { nodeNames } = backend;
  for (const [i, name] of nodeNames.entries()) {
    const id = i === 0 ? instanceId : `i-0sandbox${String(i).padStart(8, '0')}`;
    const labels = {
      'kubernetes.io/hostname': name,
      'node.kubernetes.io/instance-type': 'm5.large',
      'topology.kubernetes.io/zone': 'us-east-1a',
      'karpenter.sh/capacity-type': 'spot',
      ...backend.nodeSelector,
    };
    await backend.create('', 'nodes', '', {
      metadata: { name, labels },
      spec: { providerID: `aws:///us-east-1a/${id}` },
    });
  }
  const grace = options.graceSeconds ?? 30;
  let slot = 0;
  for (const d of options.deployments ?? DEMO_DEPLOYMENTS) {
    const targets = d.onlyOnFirstNode ? nodeNames.slice(0, 1) : nodeNames;
    const nodes = Array.from({ length: d.replicas }, () => targets[slot++ % targets.length] ?? '');
    await createWorkload(backend, d, grace, nodes);
  }
  if (options.daemonSet ?? true) await createDaemonSet(backend);
  await backend.watch();
}

function suffix(i: number): string {
  return `7d4b9c-${String(i).padStart(3, '0')}`;
}

/** Deployment, ReplicaSet, pods and PDB; on a real cluster no Deployment and the pods first (adopted). */
async function createWorkload(
  backend: Backend,
  d: DeploymentSpec,
  grace: number,
  nodes: readonly string[],
): Promise<void> {
  const ns = backend.namespace;
  const labels = { app: d.name };
  const nodeSelector = backend.remote ? { nodeSelector: backend.nodeSelector } : {};
  const template = {
    metadata: { labels, annotations: { [SHUTDOWN_MS_ANNOTATION]: String(d.shutdownMs ?? 500) } },
    spec: {
      terminationGracePeriodSeconds: grace,
      containers: [{ name: d.name, image: `sandbox/${d.name}:1` }],
      ...nodeSelector,
    },
  };
  const createPods = async (rs?: KubeObject): Promise<void> => {
    for (const [i, node] of nodes.entries())
      await backend.create('', 'pods', ns, podBody(`${d.name}-${suffix(i)}`, node, d, grace, rs));
  };
  if (backend.remote) await createPods();
  const deploy = backend.remote
    ? undefined
    : await backend.create('apps', 'deployments', ns, {
        metadata: {
          name: d.name,
          labels,
          ...(d.surgeBeforeEvict ? { annotations: { [SURGE_ANNOTATION]: 'true' } } : {}),
        },
        spec: { replicas: d.replicas, selector: { matchLabels: labels }, template },
      });
  const owner = deploy && {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: d.name,
    uid: deploy.metadata.uid,
    controller: true,
  };
  const rs = await backend.create('apps', 'replicasets', ns, {
    metadata: { name: `${d.name}-7d4b9c`, labels, ...(owner ? { ownerReferences: [owner] } : {}) },
    spec: { replicas: d.replicas, selector: { matchLabels: labels }, template },
  });
  if (!backend.remote) await createPods(rs);
  if (d.pdbMinAvailable !== undefined) {
    await backend.create('policy', 'poddisruptionbudgets', ns, {
      metadata: { name: `${d.name}-pdb` },
      spec: { minAvailable: d.pdbMinAvailable, selector: { matchLabels: labels } },
    });
  }
}

function podBody(name: string, node: string, d: DeploymentSpec, grace: number, rs?: KubeObject): unknown {
  const owner = rs && {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: rs.metadata.name,
    uid: rs.metadata.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  return {
    metadata: {
      name,
      labels: { app: d.name },
      annotations: { [SHUTDOWN_MS_ANNOTATION]: String(d.shutdownMs ?? 500) },
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: grace,
      containers: [{ name: d.name, image: `sandbox/${d.name}:1` }],
    },
    status: { phase: 'Pending' },
  };
}

/** The DaemonSet; on the simulator with one pod per node, on a real cluster its controller makes them. */
async function createDaemonSet(backend: Backend): Promise<void> {
  const labels = { app: 'node-agent' };
  const podSpec = { containers: [{ name: 'agent', image: 'sandbox/agent:1' }] };
  const nodeSelector = backend.remote ? { nodeSelector: backend.nodeSelector } : {};
  const ds = await backend.create('apps', 'daemonsets', backend.systemNamespace, {
    metadata: { name: 'node-agent', labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { ...podSpec, ...nodeSelector } },
    },
  });
  if (backend.remote) return;
  const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'node-agent', uid: ds.metadata.uid };
  for (const node of backend.nodeNames) {
    await backend.create('', 'pods', backend.systemNamespace, {
      metadata: {
        name: `node-agent-${node.slice(-1)}`,
        labels,
        ownerReferences: [{ ...owner, controller: true }],
      },
      spec: { nodeName: node, ...podSpec },
      status: { phase: 'Pending' },
    });
  }
}
