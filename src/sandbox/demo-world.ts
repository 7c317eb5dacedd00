/**
 * The sandbox world: the Kubernetes API simulator, the kubelet simulator and the IMDS simulator in this
 * process, a kubeconfig file the daemon reads, and a small cluster (nodes, Deployments with their
 * ReplicaSets and pods, a PDB, a DaemonSet). Used by `spot-handler sandbox`, scenario tests and benchmarks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startImdsServer, type ImdsServer } from './imds-server.js';
import { kubeconfigFileText } from './kube-api/client-config.js';
import { resourceOf } from './kube-api/resources.js';
import { startKubeApiSimulator, type KubeApiSimulator } from './kube-api/server.js';
import type { KubeObject } from './kube-api/types.js';
import { SHUTDOWN_MS_ANNOTATION, startKubeletSimulator, type KubeletSimulator } from './kubelet.js';

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
}

/** What to build. */
export interface WorldOptions {
  readonly nodeCount?: number;
  readonly deployments?: readonly DeploymentSpec[];
  /** A DaemonSet with one pod per node (default true). */
  readonly daemonSet?: boolean;
  /** Pod terminationGracePeriodSeconds (default 30). */
  readonly graceSeconds?: number;
}

/** A running sandbox world. */
export interface SandboxWorld {
  readonly kube: KubeApiSimulator;
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
  stop(): Promise<void>;
}

/** The default demo cluster: three Deployments (one behind a PDB) and a DaemonSet on three nodes. */
export const DEMO_DEPLOYMENTS: readonly DeploymentSpec[] = [
  { name: 'web', replicas: 6, shutdownMs: 400 },
  { name: 'api', replicas: 4, pdbMinAvailable: 3, shutdownMs: 800 },
  { name: 'worker', replicas: 3, shutdownMs: 1500 },
];

const NS = 'default';

/** Starts the simulators, builds the cluster and waits until the kubelet runs every pod. */
export async function startSandboxWorld(options: WorldOptions = {}): Promise<SandboxWorld> {
  const nodeCount = options.nodeCount ?? 3;
  const nodeNames = Array.from({ length: nodeCount }, (_, i) => `sandbox-node-${i + 1}`);
  const kube = await startKubeApiSimulator({ requestLogSize: 50_000 });
  const imds = await startImdsServer({ identity: { localIpv4: '10.0.1.1' } });
  const dir = mkdtempSync(join(tmpdir(), 'spot-handler-sandbox-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigFileText(kube.url), { mode: 0o600 });
  const nodeName = nodeNames[0] ?? 'sandbox-node-1';
  buildCluster(kube, nodeNames, imds.identity.instanceId, options);
  const kubelet = await startKubeletSimulator({ url: kube.url, defaultShutdownMs: 500 });
  await waitFor(() => allRunning(kube), 10_000, 'the kubelet simulator to run every pod');
  await kubelet.idle();

  const podsOn = (name: string): KubeObject[] => kube.store.list('pods', { nodeName: name });
  return {
    kube,
    kubelet,
    imds,
    kubeconfigPath,
    nodeName,
    nodeNames,
    daemonEnv: (extra = {}) => ({
      NODE_NAME: nodeName,
      KUBECONFIG: kubeconfigPath,
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
      POD_NAME: `spot-handler-${nodeName}`,
      POD_NAMESPACE: 'kube-system',
      LOG_FORMAT: 'json',
      ...extra,
    }),
    podsOn,
    node: (name) => kube.store.get('nodes', '', name),
    stop: async () => {
      await kubelet.stop();
      await kube.stop();
      await imds.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function allRunning(kube: KubeApiSimulator): boolean {
  return kube.store.list('pods').every((p) => p.status?.['phase'] === 'Running');
}

/** Polls `check` every 20 ms until true. */
export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function buildCluster(
  kube: KubeApiSimulator,
  nodeNames: readonly string[],
  instanceId: string,
  options: WorldOptions,
): void {
  const ops = kube.ops;
  nodeNames.forEach((name, i) => {
    const id = i === 0 ? instanceId : `i-0sandbox${String(i).padStart(8, '0')}`;
    ops.create(resourceOf('', 'nodes'), '', {
      metadata: {
        name,
        labels: {
          'kubernetes.io/hostname': name,
          'node.kubernetes.io/instance-type': 'm5.large',
          'topology.kubernetes.io/zone': 'us-east-1a',
          'karpenter.sh/capacity-type': 'spot',
        },
      },
      spec: { providerID: `aws:///us-east-1a/${id}` },
    });
  });
  const grace = options.graceSeconds ?? 30;
  let slot = 0;
  for (const d of options.deployments ?? DEMO_DEPLOYMENTS) {
    const targets = d.onlyOnFirstNode ? nodeNames.slice(0, 1) : nodeNames;
    const rs = createWorkload(kube, d, grace);
    for (let i = 0; i < d.replicas; i++) {
      const node = targets[slot++ % targets.length] ?? '';
      ops.create(resourceOf('', 'pods'), NS, podBody(`${d.name}-${suffix(i)}`, node, rs, d, grace));
    }
  }
  if (options.daemonSet ?? true) createDaemonSet(kube, nodeNames);
}

function suffix(i: number): string {
  return `7d4b9c-${String(i).padStart(3, '0')}`;
}

function createWorkload(kube: KubeApiSimulator, d: DeploymentSpec, grace: number): KubeObject {
  const labels = { app: d.name };
  const template = {
    metadata: { labels, annotations: { [SHUTDOWN_MS_ANNOTATION]: String(d.shutdownMs ?? 500) } },
    spec: {
      terminationGracePeriodSeconds: grace,
      containers: [{ name: d.name, image: `sandbox/${d.name}:1` }],
    },
  };
  const deploy = kube.ops.create(resourceOf('apps', 'deployments'), NS, {
    metadata: { name: d.name, labels },
    spec: { replicas: d.replicas, selector: { matchLabels: labels }, template },
  });
  const rs = kube.ops.create(resourceOf('apps', 'replicasets'), NS, {
    metadata: {
      name: `${d.name}-7d4b9c`,
      labels,
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: d.name,
          uid: deploy.metadata.uid,
          controller: true,
        },
      ],
    },
    spec: { replicas: d.replicas, selector: { matchLabels: labels }, template },
  });
  if (d.pdbMinAvailable !== undefined) {
    kube.ops.create(resourceOf('policy', 'poddisruptionbudgets'), NS, {
      metadata: { name: `${d.name}-pdb` },
      spec: { minAvailable: d.pdbMinAvailable, selector: { matchLabels: labels } },
    });
  }
  return rs;
}

function podBody(name: string, node: string, rs: KubeObject, d: DeploymentSpec, grace: number): unknown {
  return {
    metadata: {
      name,
      labels: { app: d.name },
      annotations: { [SHUTDOWN_MS_ANNOTATION]: String(d.shutdownMs ?? 500) },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          name: rs.metadata.name,
          uid: rs.metadata.uid,
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: {
      nodeName: node,
      terminationGracePeriodSeconds: grace,
      containers: [{ name: d.name, image: `sandbox/${d.name}:1` }],
    },
    status: { phase: 'Pending' },
  };
}

function createDaemonSet(kube: KubeApiSimulator, nodeNames: readonly string[]): void {
  const labels = { app: 'node-agent' };
  const ds = kube.ops.create(resourceOf('apps', 'daemonsets'), 'kube-system', {
    metadata: { name: 'node-agent', labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'agent', image: 'sandbox/agent:1' }] } },
    },
  });
  for (const node of nodeNames) {
    kube.ops.create(resourceOf('', 'pods'), 'kube-system', {
      metadata: {
        name: `node-agent-${node.slice(-1)}`,
        labels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'DaemonSet',
            name: 'node-agent',
            uid: ds.metadata.uid,
            controller: true,
          },
        ],
      },
      spec: { nodeName: node, containers: [{ name: 'agent', image: 'sandbox/agent:1' }] },
      status: { phase: 'Pending' },
    });
  }
}
