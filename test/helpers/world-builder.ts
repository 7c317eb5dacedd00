/**
 * One way to build a test world through the API, the same on the simulator and on a real cluster:
 * fake nodes (labelled for the env; the kubelet simulator makes them Ready), ReplicaSets with their pods
 * bound round-robin to given nodes, loose pods, PDBs, and the waits a real control plane needs before a
 * drain may start: every pod created, owned, Running and Ready, every PDB's status settled.
 *
 * Real-cluster differences handled here: the ReplicaSet controller would create pods of its own for a
 * new ReplicaSet, so there the pods come first and the ReplicaSet adopts them (the simulator's controller
 * only replaces pods, so there the ReplicaSet comes first and the pods carry its ownerReference); pod
 * templates select the env's nodes, so replacements never land on another test's nodes.
 */
import type {
  AppsV1Api,
  CoreV1Api,
  PolicyV1Api,
  V1ObjectMeta,
  V1Pod,
  V1PodSpec,
} from '@kubernetes/client-node';
import { SHUTDOWN_MS_ANNOTATION } from '../../src/sandbox/kubelet.js';

/** What the builders need: clients, the namespace, the env's node labels and whether it is a real cluster. */
export interface WorldTarget {
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly policy: PolicyV1Api;
  readonly namespace: string;
  readonly nodeLabels: Readonly<Record<string, string>>;
  /** True on a real cluster (its controllers run). */
  readonly real: boolean;
}

const IMAGE = 'registry.k8s.io/pause:3.10';

/** Creates nodes (the kubelet simulator makes them Ready); `extraLabels` on top of the env's. */
export async function createNodes(
  t: WorldTarget,
  names: readonly string[],
  extra: { labels?: Readonly<Record<string, string>>; providerIds?: readonly string[] } = {},
): Promise<void> {
  for (const [i, name] of names.entries()) {
    const providerID = extra.providerIds?.[i];
    await t.core.createNode({
      body: {
        metadata: { name, labels: { 'kubernetes.io/hostname': name, ...t.nodeLabels, ...extra.labels } },
        ...(providerID ? { spec: { providerID } } : {}),
      },
    });
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
  /** Mount an emptyDir volume. */
  readonly emptyDir?: boolean;
}

/** A policy/v1 PDB selecting `app=<app>`. */
export interface PdbSpec {
  readonly name: string;
  readonly app: string;
  readonly minAvailable?: number;
  readonly maxUnavailable?: number;
}

function podSpec(t: WorldTarget, app: AppSpec): V1PodSpec {
  return {
    terminationGracePeriodSeconds: app.graceSeconds ?? 30,
    nodeSelector: { ...t.nodeLabels },
    containers: [
      {
        name: 'c',
        image: IMAGE,
        ...(app.emptyDir ? { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] } : {}),
      },
    ],
    ...(app.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
  };
}

/** Pod creations in flight at once for apps of more than 50 pods. */
const PARALLEL_CREATES = 16;

/** Creates a ReplicaSet and its pods (bound to the given nodes, owned by it); returns the pod names. */
export async function createApp(t: WorldTarget, app: AppSpec): Promise<string[]> {
  const labels = { app: app.name };
  const annotations = {
    ...(app.shutdownMs !== undefined ? { [SHUTDOWN_MS_ANNOTATION]: String(app.shutdownMs) } : {}),
    ...app.annotations,
  };
  const spec = podSpec(t, app);
  const names = Array.from({ length: app.replicas }, (_, i) => `${app.name}-${i}`);
  const createPods = async (owner?: { uid: string }): Promise<void> => {
    const create = async (i: number, name: string): Promise<void> => {
      const ownerReferences = owner
        ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: app.name, uid: owner.uid, controller: true }]
        : undefined;
      await t.core.createNamespacedPod({
        namespace: t.namespace,
        body: {
          metadata: { name, labels, annotations, ...(ownerReferences ? { ownerReferences } : {}) },
          spec: { ...spec, nodeName: app.nodes[i % app.nodes.length] ?? '' },
        },
      });
    };
    // one by one for the small apps of tests; big ones (benchmarks) PARALLEL_CREATES at a time
    const step = names.length > 50 ? PARALLEL_CREATES : 1;
    for (let from = 0; from < names.length; from += step)
      await Promise.all(names.slice(from, from + step).map((name, k) => create(from + k, name)));
  };
  if (t.real) await createPods();
  const rs = await t.apps.createNamespacedReplicaSet({
    namespace: t.namespace,
    body: {
      metadata: { name: app.name, labels },
      spec: {
        replicas: app.replicas,
        selector: { matchLabels: labels },
        template: { metadata: { labels, annotations }, spec },
      },
    },
  });
  if (!t.real) await createPods({ uid: rs.metadata?.uid ?? '' });
  return names;
}

/** Creates one pod bound to `node` with the given metadata (owners, annotations); 50 ms shutdown. */
export async function createPod(t: WorldTarget, node: string, metadata: V1ObjectMeta): Promise<void> {
  await t.core.createNamespacedPod({
    namespace: t.namespace,
    body: {
      metadata: { ...metadata, annotations: { [SHUTDOWN_MS_ANNOTATION]: '50', ...metadata.annotations } },
      spec: { nodeName: node, containers: [{ name: 'c', image: IMAGE }] },
    },
  });
}

/**
 * Creates a DaemonSet over the env's nodes and returns the name of its pod on each of `nodes`. On the
 * simulator (no DaemonSet controller) the pods are made here, owned by it, named `<name>-<i>`; on a real
 * cluster its controller makes them (generated names) and this waits until each node has one.
 */
export async function createDaemonSet(
  t: WorldTarget,
  name: string,
  nodes: readonly string[],
): Promise<Map<string, string>> {
  const labels = { app: name };
  const spec: V1PodSpec = { nodeSelector: { ...t.nodeLabels }, containers: [{ name: 'c', image: IMAGE }] };
  const ds = await t.apps.createNamespacedDaemonSet({
    namespace: t.namespace,
    body: {
      metadata: { name, labels },
      spec: {
        selector: { matchLabels: labels },
        template: { metadata: { labels, annotations: { [SHUTDOWN_MS_ANNOTATION]: '50' } }, spec },
      },
    },
  });
  const onNode = new Map<string, string>();
  if (!t.real) {
    const owner = { apiVersion: 'apps/v1', kind: 'DaemonSet', name, uid: ds.metadata?.uid ?? '' };
    for (const [i, node] of nodes.entries()) {
      const podName = `${name}-${i}`;
      await createPod(t, node, { name: podName, labels, ownerReferences: [{ ...owner, controller: true }] });
      onNode.set(node, podName);
    }
    return onNode;
  }
  await waitUntil(
    `DaemonSet ${name} pods on ${nodes.join(', ')}`,
    async () => {
      const list = await t.core.listNamespacedPod({ namespace: t.namespace, labelSelector: `app=${name}` });
      for (const p of list.items) {
        const owned = p.metadata?.ownerReferences?.some((o) => o.uid === ds.metadata?.uid);
        if (owned && p.spec?.nodeName) onNode.set(p.spec.nodeName, p.metadata?.name ?? '');
      }
      return nodes.every((n) => onNode.has(n));
    },
    30_000,
  );
  return onNode;
}

/** Creates a policy/v1 PDB selecting `app=<app>`. */
export async function createPdb(t: WorldTarget, pdb: PdbSpec): Promise<void> {
  const { name, app, ...budget } = pdb;
  await t.policy.createNamespacedPodDisruptionBudget({
    namespace: t.namespace,
    body: { metadata: { name }, spec: { selector: { matchLabels: { app } }, ...budget } },
  });
}

/** True when the pod's Ready condition is True. */
export function isReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Polls until `check` is true (every 20 ms; 50 ms on a real cluster), failing after `timeoutMs`. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Waits until the namespace is settled for a drain: every ReplicaSet has exactly its replicas, each
 * owned by it; every pod is Running and Ready; every PDB's status has observed its generation and counts
 * every Ready pod it selects (a real server lets Pending pods through a PDB, so a drain must not start
 * earlier).
 */
export async function waitSettled(t: WorldTarget, timeoutMs = t.real ? 90_000 : 5000): Promise<void> {
  await waitUntil(
    'pods owned, Running and Ready, PDB status settled',
    async () => {
      const [pods, sets, pdbs] = await Promise.all([
        t.core.listNamespacedPod({ namespace: t.namespace }),
        t.apps.listNamespacedReplicaSet({ namespace: t.namespace }),
        t.policy.listNamespacedPodDisruptionBudget({ namespace: t.namespace }),
      ]);
      const live = pods.items.filter((p) => !p.metadata?.deletionTimestamp);
      if (!live.every((p) => p.status?.phase === 'Running' && isReady(p))) return false;
      for (const rs of sets.items) {
        const owned = live.filter((p) =>
          p.metadata?.ownerReferences?.some((o) => o.controller && o.uid === rs.metadata?.uid),
        );
        if (owned.length !== rs.spec?.replicas) return false;
      }
      return pdbs.items.every((pdb) => {
        const selector = pdb.spec?.selector?.matchLabels ?? {};
        const selected = live.filter((p) =>
          Object.entries(selector).every(([k, v]) => p.metadata?.labels?.[k] === v),
        );
        const s = pdb.status;
        return (
          (s?.observedGeneration ?? 0) >= (pdb.metadata?.generation ?? 1) &&
          s?.currentHealthy === selected.length &&
          s.expectedPods === selected.length
        );
      });
    },
    timeoutMs,
  );
}

/** Pods bound to the node (terminating ones included). */
export async function podsOn(t: WorldTarget, node: string): Promise<V1Pod[]> {
  const list = await t.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
  return list.items;
}
