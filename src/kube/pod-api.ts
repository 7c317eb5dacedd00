/**
 * PodApi (src/actions/kube-ports.ts) on client-node: paged list and one watch by spec.nodeName, policy/v1
 * eviction and delete with UID preconditions, the DaemonSet orphan check.
 */
import { Watch, type AppsV1Api, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { PodList, PodRef, PodWatchEvent } from '../actions/kube-types.js';
import type { PodApi } from '../actions/kube-ports.js';
import { NotFoundError } from '../errors.js';
import { apiCall, type ApiRequestCounter } from './api-call.js';
import { watchPodPath } from './pod-watch.js';
import { toKubePod } from './to-kube-types.js';

/** What the pod adapter is built from. */
export interface KubePodApiDeps {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly counter?: ApiRequestCounter;
  /** Only pods matching this label selector (the drain command's --pod-selector), on list and watch. */
  readonly labelSelector?: string;
}

/** Pod operations through CoreV1Api, AppsV1Api and Watch. */
export class KubePodApi implements PodApi {
  private readonly watcher: Watch;

  constructor(private readonly deps: KubePodApiDeps) {
    this.watcher = new Watch(deps.kubeConfig);
  }

  /**
   * Lists the pods bound to the node in one request, never paged: a real kube-apiserver (1.24) answers a
   * paged list with a field selector with only some of the matching pods and no continue token once the
   * cluster holds more pods than the page size (docs/adr/0009-unpaged-pod-list-per-node.md). One node's
   * pods (at most a few hundred) fit one answer, as in `kubectl drain`.
   */
  async listPods(nodeName: string): Promise<PodList> {
    const list = await apiCall(this.deps.counter, 'list', `list pods on ${nodeName}`, () =>
      this.deps.core.listPodForAllNamespaces({
        fieldSelector: `spec.nodeName=${nodeName}`,
        ...(this.deps.labelSelector ? { labelSelector: this.deps.labelSelector } : {}),
      }),
    );
    const pods: readonly V1Pod[] = list.items;
    return { pods: pods.map(toKubePod), resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /** Watches the node's pods until the server closes the stream, it fails, or the signal aborts. */
  async watchPods(
    nodeName: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    const query = {
      fieldSelector: `spec.nodeName=${nodeName}`,
      ...(this.deps.labelSelector ? { labelSelector: this.deps.labelSelector } : {}),
      resourceVersion,
      allowWatchBookmarks: true,
    };
    await watchPodPath(
      this.watcher,
      this.deps.counter,
      '/api/v1/pods',
      query,
      `watch pods on ${nodeName}`,
      onEvent,
      signal,
    );
  }

  /** POST pods/eviction (policy/v1) with grace and UID precondition. */
  async evictPod(pod: PodRef, gracePeriodSeconds: number): Promise<void> {
    await apiCall(this.deps.counter, 'evict', `evict pod ${pod.namespace}/${pod.name}`, () =>
      this.deps.core.createNamespacedPodEviction({
        name: pod.name,
        namespace: pod.namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name: pod.name, namespace: pod.namespace },
          deleteOptions: { gracePeriodSeconds, preconditions: { uid: pod.uid } },
        },
      }),
    );
  }

  /** DELETE the pod with grace and UID precondition. */
  async deletePod(pod: PodRef, gracePeriodSeconds: number): Promise<void> {
    await apiCall(this.deps.counter, 'delete', `delete pod ${pod.namespace}/${pod.name}`, () =>
      this.deps.core.deleteNamespacedPod({
        name: pod.name,
        namespace: pod.namespace,
        gracePeriodSeconds,
        body: { gracePeriodSeconds, preconditions: { uid: pod.uid } },
      }),
    );
  }

  /** GET the DaemonSet; false on 404. */
  async daemonSetExists(namespace: string, name: string): Promise<boolean> {
    try {
      await apiCall(this.deps.counter, 'get', `get daemonset ${namespace}/${name}`, () =>
        this.deps.apps.readNamespacedDaemonSet({ name, namespace }),
      );
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
