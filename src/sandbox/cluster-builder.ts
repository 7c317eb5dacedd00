/**
 * Builds a sandbox cluster: nodes with EC2 identities, Deployments → ReplicaSets → pods, DaemonSets,
 * mirror and unmanaged pods, PDBs. `buildCluster` goes through the REST API (works on a real cluster);
 * `seedSimulator` loads the same objects straight into a simulator's store for large benchmarks.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeApiSimulator } from './kube-api/server.js';
import type { ClusterPlan, ClusterSpec, PlannedNode, PlannedPod } from './kube-api/cluster-plan.js';
import type { KubeObject, OwnerReference } from './kube-api/types.js';
import { podNodeName } from './kube-api/types.js';
import { planCluster } from './kube-api/cluster-plan.js';
import { closeKeepAlive, kubeConfigForUrl, withKeepAlive } from './kube-api/client-config.js';
import { nodeReadyStatus, podRunningStatus } from './kube-api/kubelet-status.js';
import { Limiter } from './kube-api/limiter.js';
import { core } from './kube-api/object-ops.js';
import { resourceOf } from './kube-api/resources.js';

export type { ClusterSpec } from './kube-api/cluster-plan.js';

/** A created pod. */
export interface BuiltPod {
  readonly namespace: string;
  readonly name: string;
  readonly nodeName: string;
  readonly uid: string;
  readonly ownerKind?: string;
}

/** What was created. */
export interface BuiltCluster {
  readonly nodes: readonly PlannedNode[];
  readonly pods: readonly BuiltPod[];
  readonly replicaSets: readonly string[];
  readonly deployments: readonly string[];
  readonly daemonSets: readonly string[];
  readonly pdbs: readonly string[];
}

/** Options for building. */
export interface BuildOptions {
  /** Mark nodes Ready and pods Running + Ready as a kubelet would (default true). Leave it to a kubelet simulator with false. */
  readonly markReady?: boolean;
  /** API calls in flight at most (default 32). */
  readonly concurrency?: number;
}

const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function ownerRef(owner: NonNullable<PlannedPod['owner']>, uid: string): OwnerReference {
  return {
    apiVersion: owner.apiVersion,
    kind: owner.kind,
    name: owner.name,
    uid,
    controller: true,
    blockOwnerDeletion: true,
  };
}

function summary(plan: ClusterPlan, pods: BuiltPod[]): BuiltCluster {
  const names = (objs: readonly KubeObject[]) => objs.map((o) => o.metadata.name ?? '');
  return {
    nodes: plan.nodes,
    pods,
    replicaSets: names(plan.replicaSets),
    deployments: names(plan.deployments),
    daemonSets: names(plan.daemonSets),
    pdbs: names(plan.pdbs),
  };
}

async function ignoreExists<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if ((err as { code?: number }).code === 409) return undefined;
    throw err;
  }
}

/** Creates the cluster through the REST API with bounded parallelism. */
export async function buildCluster(
  target: k8s.KubeConfig | string,
  spec: ClusterSpec,
  options: BuildOptions = {},
): Promise<BuiltCluster> {
  const kc = withKeepAlive(typeof target === 'string' ? kubeConfigForUrl(target) : target);
  const coreApi = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const policy = kc.makeApiClient(k8s.PolicyV1Api);
  const limiter = new Limiter(options.concurrency ?? 32);
  const all = <T>(items: readonly T[], job: (item: T) => Promise<unknown>) =>
    Promise.all(items.map((i) => limiter.run(() => job(i))));
  const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  const merge = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch);
  const markReady = options.markReady ?? true;
  const plan = planCluster(spec);
  try {
    await all(plan.namespaces, (name) =>
      ignoreExists(coreApi.createNamespace({ body: { metadata: { name } } })),
    );
    await all(plan.nodeObjects, async (obj) => {
      const created = await coreApi.createNode({ body: obj as k8s.V1Node });
      if (!markReady) return;
      await coreApi.patchNodeStatus(
        { name: obj.metadata.name ?? '', body: { status: nodeReadyStatus(now()) } },
        strategic,
      );
      const taints = (created.spec?.taints ?? []).filter((t) => t.key !== 'node.kubernetes.io/not-ready');
      await coreApi.patchNode(
        { name: obj.metadata.name ?? '', body: { spec: { taints: taints.length ? taints : null } } },
        merge,
      );
    });
    const uids = new Map<string, string>();
    for (const n of plan.nodeObjects) uids.set(`Node/${n.metadata.name ?? ''}`, '');
    const deployUid = new Map<string, string>();
    await all(plan.deployments, async (d) => {
      const created = await apps.createNamespacedDeployment({
        namespace: d.metadata.namespace ?? '',
        body: pausedCopy(d) as k8s.V1Deployment,
      });
      deployUid.set(d.metadata.name ?? '', created.metadata?.uid ?? '');
    });
    await all(plan.replicaSets, async (rs) => {
      const deployName = rs.metadata.labels?.['app'] ?? '';
      const owner = {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: deployName,
        uid: deployUid.get(deployName) ?? '',
        controller: true,
        blockOwnerDeletion: true,
      };
      const body = { ...rs, metadata: { ...rs.metadata, ownerReferences: [owner] } } as k8s.V1ReplicaSet;
      const created = await apps.createNamespacedReplicaSet({ namespace: rs.metadata.namespace ?? '', body });
      uids.set(`ReplicaSet/${rs.metadata.name ?? ''}`, created.metadata?.uid ?? '');
    });
    await all(plan.daemonSets, async (ds) => {
      const created = await apps.createNamespacedDaemonSet({
        namespace: ds.metadata.namespace ?? '',
        body: ds as k8s.V1DaemonSet,
      });
      uids.set(`DaemonSet/${ds.metadata.name ?? ''}`, created.metadata?.uid ?? '');
    });
    if (plan.pods.some((p) => p.owner?.kind === 'Node')) {
      for (const n of (await coreApi.listNode()).items)
        uids.set(`Node/${n.metadata?.name ?? ''}`, n.metadata?.uid ?? '');
    }
    await all(plan.pdbs, (p) =>
      policy.createNamespacedPodDisruptionBudget({
        namespace: p.metadata.namespace ?? '',
        body: p as k8s.V1PodDisruptionBudget,
      }),
    );
    const pods: BuiltPod[] = [];
    await all(plan.pods, async (p) => {
      const obj = withOwner(p, uids);
      const ns = obj.metadata.namespace ?? '';
      const created = await coreApi.createNamespacedPod({ namespace: ns, body: obj as k8s.V1Pod });
      if (markReady) {
        const body = {
          status: podRunningStatus(obj, now(), pods.length + 1),
        };
        await coreApi.patchNamespacedPodStatus(
          { name: obj.metadata.name ?? '', namespace: ns, body },
          strategic,
        );
      }
      pods.push(builtPod(obj, created.metadata?.uid ?? '', p));
    });
    await all(plan.deployments, (d) =>
      apps.patchNamespacedDeployment(
        {
          name: d.metadata.name ?? '',
          namespace: d.metadata.namespace ?? '',
          body: { spec: { paused: null } },
        },
        merge,
      ),
    );
    return summary(plan, pods);
  } finally {
    closeKeepAlive(kc);
  }
}

/**
 * Deployments are created paused and resumed once their ReplicaSets and pods exist: a paused Deployment
 * does not get a ReplicaSet from the Deployment controller, which then finds ours (same template).
 */
function pausedCopy(d: KubeObject): KubeObject {
  return { ...d, spec: { ...d.spec, paused: true } };
}

function withOwner(p: PlannedPod, uids: ReadonlyMap<string, string>): KubeObject {
  if (!p.owner) return p.obj;
  const uid = uids.get(`${p.owner.kind}/${p.owner.name}`) ?? '';
  return { ...p.obj, metadata: { ...p.obj.metadata, ownerReferences: [ownerRef(p.owner, uid)] } };
}

function builtPod(obj: KubeObject, uid: string, p: PlannedPod): BuiltPod {
  return {
    namespace: obj.metadata.namespace ?? '',
    name: obj.metadata.name ?? '',
    nodeName: podNodeName(obj),
    uid,
    ...(p.owner ? { ownerKind: p.owner.kind } : {}),
  };
}

/**
 * Loads the cluster straight into a simulator's store (no HTTP; for benchmarks with thousands of pods).
 * Objects get the same defaults, uids and resourceVersions as API-created ones; watchers see them.
 */
export function seedSimulator(
  sim: KubeApiSimulator,
  spec: ClusterSpec,
  options: BuildOptions = {},
): BuiltCluster {
  const { ops } = sim;
  const markReady = options.markReady ?? true;
  const plan = planCluster(spec);
  const create = (group: string, plural: string, obj: KubeObject) =>
    ops.create(resourceOf(group, plural), obj.metadata.namespace ?? '', obj);
  for (const name of plan.namespaces)
    if (!sim.store.get('namespaces', '', name)) create('', 'namespaces', { metadata: { name } });
  const uids = new Map<string, string>();
  for (const n of plan.nodeObjects) {
    const created = create('', 'nodes', n);
    uids.set(`Node/${n.metadata.name ?? ''}`, created.metadata.uid ?? '');
    if (markReady) {
      const taints = ((created.spec?.['taints'] ?? []) as { key?: string }[]).filter(
        (t) => t.key !== 'node.kubernetes.io/not-ready',
      );
      const spec = { ...created.spec, ...(taints.length ? { taints } : {}) };
      if (!taints.length) delete spec['taints'];
      sim.store.put(core.nodes.storage, {
        ...created,
        metadata: { ...created.metadata },
        spec,
        status: nodeReadyStatus(now()),
      });
    }
  }
  const deployUid = new Map<string, string>();
  for (const d of plan.deployments)
    deployUid.set(d.metadata.name ?? '', create('apps', 'deployments', pausedCopy(d)).metadata.uid ?? '');
  for (const rs of plan.replicaSets) {
    const deployName = rs.metadata.labels?.['app'] ?? '';
    const owner = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      name: deployName,
      uid: deployUid.get(deployName) ?? '',
      controller: true,
    };
    const created = create('apps', 'replicasets', {
      ...rs,
      metadata: { ...rs.metadata, ownerReferences: [owner] },
    });
    uids.set(`ReplicaSet/${rs.metadata.name ?? ''}`, created.metadata.uid ?? '');
  }
  for (const ds of plan.daemonSets)
    uids.set(`DaemonSet/${ds.metadata.name ?? ''}`, create('apps', 'daemonsets', ds).metadata.uid ?? '');
  for (const p of plan.pdbs) create('policy', 'poddisruptionbudgets', p);
  const pods: BuiltPod[] = [];
  for (const p of plan.pods) {
    const obj = withOwner(p, uids);
    const pod = obj as { spec?: { containers?: { name: string }[] } };
    const ready = markReady ? { status: podRunningStatus(pod, now(), pods.length + 1) } : {};
    const created = create('', 'pods', { ...obj, ...ready });
    pods.push(builtPod(created, created.metadata.uid ?? '', p));
  }
  for (const d of plan.deployments) {
    const current = ops.get(core.deployments, d.metadata.namespace ?? '', d.metadata.name ?? '');
    const spec = { ...current.spec };
    delete spec['paused'];
    ops.write(core.deployments, current, { ...current, spec });
  }
  return summary(plan, pods);
}
