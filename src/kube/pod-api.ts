/**
 * PodApi (src/actions/kube-ports.ts) on client-node: paged list and one watch by spec.nodeName, policy/v1
 * eviction and delete with UID preconditions, the DaemonSet orphan check.
 */
import { Watch, type AppsV1Api, type CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { PodList, PodRef, PodWatchEvent } from '../actions/kube-types.js';
import type { PodApi } from '../actions/kube-ports.js';
import { NotFoundError, TransientError } from '../errors.js';
import { apiCall, type ApiRequestCounter } from './api-call.js';
import { mapKubeError } from './map-error.js';
import { toKubePod } from './to-kube-types.js';

/** Page size of pod lists (kubectl's default chunk size). */
export const POD_PAGE_SIZE = 500;

/** What the pod adapter is built from. */
export interface KubePodApiDeps {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly counter?: ApiRequestCounter;
  /** Only pods matching this label selector (the drain command's --pod-selector), on list and watch. */
  readonly labelSelector?: string;
}

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);

/** Pod operations through CoreV1Api, AppsV1Api and Watch. */
export class KubePodApi implements PodApi {
  private readonly watcher: Watch;

  constructor(private readonly deps: KubePodApiDeps) {
    this.watcher = new Watch(deps.kubeConfig);
  }

  /** Lists every page of pods bound to the node. */
  async listPods(nodeName: string): Promise<PodList> {
    const fieldSelector = `spec.nodeName=${nodeName}`;
    const pods: V1Pod[] = [];
    let token: string | undefined;
    let resourceVersion = '';
    do {
      const page = await apiCall(this.deps.counter, 'list', `list pods on ${nodeName}`, () =>
        this.deps.core.listPodForAllNamespaces({
          fieldSelector,
          ...(this.deps.labelSelector ? { labelSelector: this.deps.labelSelector } : {}),
          limit: POD_PAGE_SIZE,
          ...(token ? { _continue: token } : {}),
        }),
      );
      pods.push(...page.items);
      resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      token = page.metadata?._continue || undefined;
    } while (token);
    return { pods: pods.map(toKubePod), resourceVersion };
  }

  /** Watches the node's pods until the server closes the stream, it fails, or the signal aborts. */
  async watchPods(
    nodeName: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (signal.aborted) return;
    this.deps.counter?.apiRequests.inc({ verb: 'watch', code: '2xx' });
    await new Promise<void>((resolve, reject) => {
      const finish = (err: unknown): void => {
        signal.removeEventListener('abort', onAbort);
        if (err === null || err === undefined || signal.aborted) resolve();
        else reject(mapKubeError(err, `watch pods on ${nodeName}`));
      };
      let controller: AbortController | undefined;
      const onAbort = (): void => controller?.abort();
      signal.addEventListener('abort', onAbort, { once: true });
      const query = {
        fieldSelector: `spec.nodeName=${nodeName}`,
        ...(this.deps.labelSelector ? { labelSelector: this.deps.labelSelector } : {}),
        resourceVersion,
        allowWatchBookmarks: true,
      };
      this.watcher
        .watch(
          '/api/v1/pods',
          query,
          (type: string, object: unknown) => {
            if (type === 'ERROR') {
              controller?.abort();
              finish(new TransientError(`watch pods on ${nodeName}: ${JSON.stringify(object)}`));
              return;
            }
            if (!WATCH_TYPES.has(type)) return;
            const pod = object as V1Pod;
            const rv = pod.metadata?.resourceVersion;
            onEvent({
              type: type as PodWatchEvent['type'],
              pod: toKubePod(pod),
              ...(rv ? { resourceVersion: rv } : {}),
            });
          },
          finish,
        )
        .then((c) => {
          controller = c;
          if (signal.aborted) c.abort();
        }, finish);
    });
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
