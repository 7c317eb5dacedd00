/**
 * The sandbox world's cluster objects, made through its backend (the API simulator or a real cluster):
 * labelled nodes, Deployments with their ReplicaSets and pods, PDBs and a DaemonSet. On a real cluster
 * no Deployment is made and the pods come first (the ReplicaSet adopts them); its controllers make the
 * DaemonSet's pods.
 */
import { SURGE_ANNOTATION } from '../actions/drain/surge-decision.js';
import type { KubeObject } from './kube-api/types.js';
import { SHUTDOWN_MS_ANNOTATION } from './kubelet.js';
import type { Backend } from './world-backend.js';

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

/** What the cluster holds besides its nodes. */
export interface ClusterObjectsOptions {
  readonly deployments?: readonly DeploymentSpec[];
  /** A DaemonSet with one pod per node (default true). */
  readonly daemonSet?: boolean;
  /** Pod terminationGracePeriodSeconds (default 30). */
  readonly graceSeconds?: number;
}

/** Creates the nodes (the first is `instanceId`), the Deployments, the DaemonSet, then starts the backend's watch. */
export async function buildCluster(
  backend: Backend,
  instanceId: string,
  options: ClusterObjectsOptions,
): Promise<void> {
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
