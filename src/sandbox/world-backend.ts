/**
 * Where the sandbox world's objects live: the API simulator (its store read synchronously), or a real
 * API server (scenario tests with TEST_KUBECONFIG): objects go through the API, synchronous views come
 * from informer caches, and everything made here is removed at `stop`.
 * Differences from the simulator build, because a real cluster runs its controllers: no Deployment
 * objects (the Deployment controller would add a second ReplicaSet), pods are created before their
 * ReplicaSet (which adopts them instead of making more), and the DaemonSet controller creates the
 * DaemonSet pods itself on the fake nodes (selected by `SANDBOX_NODE_LABEL`).
 */
import * as k8s from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubeConfigForUrl, kubeconfigFileText } from './kube-api/client-config.js';
import { resourceOf } from './kube-api/resources.js';
import { startKubeApiSimulator, type KubeApiSimulator } from './kube-api/server.js';
import type { KubeObject } from './kube-api/types.js';

/** Label on the sandbox's fake nodes, value the world's namespace (its DaemonSet and replacement pods select it). */
export const SANDBOX_NODE_LABEL = 'sandbox.spot-handler/fake-node';

/** Creates one object; resolves with the stored object. */
type CreateObject = (
  apiVersion: string,
  kind: string,
  namespace: string,
  body: unknown,
) => Promise<KubeObject>;

/** Views of a cluster the sandbox built through the API. */
interface RemoteCluster {
  readonly create: CreateObject;
  podsOn(nodeName: string): KubeObject[];
  node(name: string): KubeObject | undefined;
  /** Pods in the sandbox namespaces. */
  pods(): KubeObject[];
  /** Starts the informers (call after the namespaces exist). */
  watch(): Promise<void>;
  /** Stops the informers and deletes the fake nodes and the system namespace. */
  stop(): Promise<void>;
}

/** Prepares a real cluster: creates `systemNamespace`; the caller owns `namespace`. */
async function openRemoteCluster(
  kc: k8s.KubeConfig,
  namespaces: { readonly namespace: string; readonly systemNamespace: string },
  nodeNames: readonly string[],
): Promise<RemoteCluster> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  await core.createNamespace({ body: { metadata: { name: namespaces.systemNamespace } } });
  const podInformers = [namespaces.namespace, namespaces.systemNamespace].map((ns) =>
    k8s.makeInformer(kc, `/api/v1/namespaces/${ns}/pods`, () => core.listNamespacedPod({ namespace: ns })),
  );
  const nodeInformer = k8s.makeInformer(kc, '/api/v1/nodes', () =>
    core.listNode({ labelSelector: `${SANDBOX_NODE_LABEL}=${namespaces.namespace}` }),
  );
  const asObject = (o: k8s.KubernetesObject): KubeObject => o as unknown as KubeObject;
  const pods = (): KubeObject[] => podInformers.flatMap((i) => i.list().map(asObject));
  const informers = [...podInformers, nodeInformer];
  return {
    create: async (apiVersion, kind, namespace, body) => {
      const spec = { apiVersion, kind, ...(body as object) } as k8s.KubernetesObject;
      if (namespace) spec.metadata = { ...spec.metadata, namespace };
      return asObject(await objects.create(spec));
    },
    pods,
    podsOn: (nodeName) => pods().filter((p) => p.spec?.['nodeName'] === nodeName),
    node: (name) => {
      const n = nodeInformer.get(name);
      return n ? asObject(n) : undefined;
    },
    watch: async () => {
      await Promise.all(informers.map((i) => i.start()));
    },
    stop: async () => {
      await Promise.all(informers.map((i) => i.stop()));
      // The namespace first (a terminating namespace takes no new pods from the DaemonSet controller),
      // then its pods with grace 0: no kubelet finishes a terminating pod later, and the namespace would hang.
      const namespace = namespaces.systemNamespace;
      await core.deleteNamespace({ name: namespace }).catch(() => undefined);
      const grace = { gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0 } };
      await core.deleteCollectionNamespacedPod({ namespace, ...grace }).catch(() => undefined);
      await Promise.all(nodeNames.map((name) => core.deleteNode({ name }).catch(() => undefined)));
    },
  };
}

/** An existing Kubernetes environment (test/helpers/kube-env.ts `KubeEnv` fits). */
export interface WorldKube {
  /** Kubeconfig file for the daemon. */
  readonly kubeconfigPath: string;
  readonly kubeConfig: k8s.KubeConfig;
  /** The simulator behind it; undefined for a real cluster. */
  readonly api: KubeApiSimulator | undefined;
  /** Namespace for the apps (on a real cluster the owner creates and deletes it). */
  readonly namespace: string;
}

/** Where the world's objects live and how they are read. */
export interface Backend {
  readonly api: KubeApiSimulator | undefined;
  /** True on a real cluster (its controllers run; see remote-world.ts). */
  readonly remote: boolean;
  /** Labels of this world's nodes that its pod templates select (empty on the simulator). */
  readonly nodeSelector: Readonly<Record<string, string>>;
  readonly kubeConfig: k8s.KubeConfig;
  readonly kubeconfigPath: string;
  readonly namespace: string;
  readonly systemNamespace: string;
  readonly nodeNames: readonly string[];
  create(group: string, plural: string, namespace: string, body: unknown): Promise<KubeObject>;
  pods(): KubeObject[];
  podsOn(nodeName: string): KubeObject[];
  node(name: string): KubeObject | undefined;
  /** Starts the views (after the build) */
  watch(): Promise<void>;
  stop(): Promise<void>;
}

const KINDS: Readonly<Record<string, readonly [string, string]>> = {
  nodes: ['v1', 'Node'],
  pods: ['v1', 'Pod'],
  deployments: ['apps/v1', 'Deployment'],
  replicasets: ['apps/v1', 'ReplicaSet'],
  daemonsets: ['apps/v1', 'DaemonSet'],
  poddisruptionbudgets: ['policy/v1', 'PodDisruptionBudget'],
};

/** The backend for `kube` (a real cluster when it has no simulator), or a new API simulator. */
export async function openBackend(kube: WorldKube | undefined, count: number, dir: string): Promise<Backend> {
  const names = (prefix: string): string[] => Array.from({ length: count }, (_, i) => `${prefix}-${i + 1}`);
  if (kube && !kube.api) {
    const nodeNames = names(`${kube.namespace}-node`);
    const systemNamespace = `${kube.namespace}-system`;
    const remote = await openRemoteCluster(
      kube.kubeConfig,
      { namespace: kube.namespace, systemNamespace },
      nodeNames,
    );
    return remoteBackend(kube, remote, systemNamespace, nodeNames);
  }
  const api = kube?.api ?? (await startKubeApiSimulator({ requestLogSize: 50_000 }));
  let kubeconfigPath = kube?.kubeconfigPath;
  if (!kubeconfigPath) {
    kubeconfigPath = join(dir, 'kubeconfig');
    writeFileSync(kubeconfigPath, kubeconfigFileText(api.url), { mode: 0o600 });
  }
  return {
    api,
    remote: false,
    nodeSelector: {},
    kubeConfig: kube?.kubeConfig ?? kubeConfigForUrl(api.url),
    kubeconfigPath,
    namespace: kube?.namespace ?? 'default',
    systemNamespace: 'kube-system',
    nodeNames: names('sandbox-node'),
    create: (group, plural, namespace, body) =>
      Promise.resolve(api.ops.create(resourceOf(group, plural), namespace, body)),
    pods: () => api.store.list('pods'),
    podsOn: (nodeName) => api.store.list('pods', { nodeName }),
    node: (name) => api.store.get('nodes', '', name),
    watch: () => Promise.resolve(),
    stop: async () => {
      if (!kube) await api.stop();
    },
  };
}

function remoteBackend(
  kube: WorldKube,
  remote: RemoteCluster,
  systemNamespace: string,
  nodeNames: readonly string[],
): Backend {
  return {
    api: undefined,
    remote: true,
    nodeSelector: { [SANDBOX_NODE_LABEL]: kube.namespace },
    kubeConfig: kube.kubeConfig,
    kubeconfigPath: kube.kubeconfigPath,
    namespace: kube.namespace,
    systemNamespace,
    nodeNames,
    create: (_group, plural, namespace, body) => {
      const [apiVersion, kind] = KINDS[plural] ?? ['v1', plural];
      return remote.create(apiVersion, kind, namespace, body);
    },
    pods: () => remote.pods(),
    podsOn: (nodeName) => remote.podsOn(nodeName),
    node: (name) => remote.node(name),
    watch: () => remote.watch(),
    stop: () => remote.stop(),
  };
}
