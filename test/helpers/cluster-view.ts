/**
 * Synchronous views of a test env's nodes and pods, the same on the simulator and a real cluster:
 * informers (list + watch through the API) on the env's namespace and fake nodes, so `until(() => ...)`
 * style checks need no await.
 */
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/sandbox/kube-api/types.js';

/** A running view. */
export interface ClusterView {
  /** Pods of the namespace bound to the node (terminating ones included). */
  podsOn(nodeName: string): KubeObject[];
  node(name: string): KubeObject | undefined;
  stop(): Promise<void>;
}

/** Starts informers on `namespace`'s pods and the nodes with `nodeLabels`; resolves once both listed. */
export async function startClusterView(
  kc: k8s.KubeConfig,
  namespace: string,
  nodeLabels: Readonly<Record<string, string>>,
): Promise<ClusterView> {
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const labelSelector = Object.entries(nodeLabels)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const pods = k8s.makeInformer(kc, `/api/v1/namespaces/${namespace}/pods`, () =>
    core.listNamespacedPod({ namespace }),
  );
  const nodes = k8s.makeInformer(kc, '/api/v1/nodes', () => core.listNode({ labelSelector }), labelSelector);
  const informers = [pods, nodes];
  await Promise.all(informers.map((i) => i.start()));
  const asObject = (o: k8s.KubernetesObject): KubeObject => o as unknown as KubeObject;
  return {
    podsOn: (nodeName) =>
      pods
        .list()
        .filter((p) => p.spec?.nodeName === nodeName)
        .map(asObject),
    node: (name) => {
      const n = nodes.get(name);
      return n ? asObject(n) : undefined;
    },
    stop: async () => {
      await Promise.all(informers.map((i) => i.stop()));
    },
  };
}
