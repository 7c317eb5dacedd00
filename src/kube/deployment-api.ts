/**
 * SurgeApi (src/actions/drain/surge-port.ts) on client-node: ReplicaSet owner and Deployment reads, the
 * `kubectl rollout restart` patch, and a list + watch of a Deployment's pods by label selector.
 */
import {
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type AppsV1Api,
  type CoreV1Api,
  type KubeConfig,
  type V1Deployment,
} from '@kubernetes/client-node';
import type { PodWatchEvent } from '../actions/kube-types.js';
import type { KubeDeployment, SelectedPods, SurgeApi } from '../actions/drain/surge-port.js';
import { NotFoundError } from '../errors.js';
import { apiCall, type ApiRequestCounter } from './api-call.js';
import { watchPodPath } from './pod-watch.js';
import { toKubePod } from './to-kube-types.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Annotation on the Deployment recording when spot-handler restarted it. */
export const SURGED_AT_ANNOTATION = 'spot-handler/surged-at';

/** What the Deployment adapter is built from. */
export interface KubeDeploymentApiDeps {
  readonly kubeConfig: KubeConfig;
  readonly core: CoreV1Api;
  readonly apps: AppsV1Api;
  readonly counter?: ApiRequestCounter;
}

/** matchLabels as `k=v,k2=v2`; undefined when the selector has matchExpressions (not needed so far). */
function labelSelectorOf(d: V1Deployment): string | undefined {
  const sel = d.spec?.selector;
  if (!sel || (sel.matchExpressions?.length ?? 0) > 0) return undefined;
  const labels = Object.entries(sel.matchLabels ?? {});
  return labels.length > 0 ? labels.map(([k, v]) => `${k}=${v}`).join(',') : undefined;
}

/** A V1Deployment as a KubeDeployment (defaults as the API server fills them in). */
export function toKubeDeployment(d: V1Deployment): KubeDeployment {
  const meta = d.metadata ?? {};
  const spec = d.spec;
  const rolling = spec?.strategy?.rollingUpdate;
  const selector = labelSelectorOf(d);
  return {
    namespace: meta.namespace ?? 'default',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    generation: meta.generation ?? 0,
    annotations: meta.annotations ?? {},
    templateAnnotations: spec?.template.metadata?.annotations ?? {},
    replicas: spec?.replicas ?? 1,
    paused: spec?.paused === true,
    strategy: spec?.strategy?.type === 'Recreate' ? 'Recreate' : 'RollingUpdate',
    maxSurge: rolling?.maxSurge ?? '25%',
    maxUnavailable: rolling?.maxUnavailable ?? '25%',
    ...(selector !== undefined ? { labelSelector: selector } : {}),
    status: {
      observedGeneration: d.status?.observedGeneration ?? 0,
      replicas: d.status?.replicas ?? 0,
      updatedReplicas: d.status?.updatedReplicas ?? 0,
      availableReplicas: d.status?.availableReplicas ?? 0,
    },
  };
}

/** Deployment and selected-pod calls through AppsV1Api, CoreV1Api and Watch. */
export class KubeDeploymentApi implements SurgeApi {
  private readonly watcher: Watch;

  constructor(private readonly deps: KubeDeploymentApiDeps) {
    this.watcher = new Watch(deps.kubeConfig);
  }

  /** GET the ReplicaSet; its controller owner, or undefined (404 or no controller). */
  async replicaSetOwner(
    namespace: string,
    name: string,
  ): Promise<{ kind: string; name: string } | undefined> {
    try {
      const rs = await apiCall(this.deps.counter, 'get', `get replicaset ${namespace}/${name}`, () =>
        this.deps.apps.readNamespacedReplicaSet({ name, namespace }),
      );
      const owner = (rs.metadata?.ownerReferences ?? []).find((o) => o.controller === true);
      return owner ? { kind: owner.kind, name: owner.name } : undefined;
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** GET the Deployment; undefined on 404. */
  async getDeployment(namespace: string, name: string): Promise<KubeDeployment | undefined> {
    try {
      const d = await apiCall(this.deps.counter, 'get', `get deployment ${namespace}/${name}`, () =>
        this.deps.apps.readNamespacedDeployment({ name, namespace }),
      );
      return toKubeDeployment(d);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** PATCH (merge) the pod template's restartedAt annotation, as `kubectl rollout restart` does. */
  async restartDeployment(deployment: KubeDeployment, restartedAt: string): Promise<KubeDeployment> {
    const { namespace, name } = deployment;
    const body = {
      metadata: { annotations: { [SURGED_AT_ANNOTATION]: restartedAt } },
      spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
    };
    const d = await apiCall(this.deps.counter, 'patch', `restart deployment ${namespace}/${name}`, () =>
      this.deps.apps.patchNamespacedDeployment({ name, namespace, body }, MERGE_PATCH),
    );
    return toKubeDeployment(d);
  }

  /** Lists the pods matching the selector in the namespace (one page: a Deployment's pods). */
  async listSelectedPods(namespace: string, labelSelector: string): Promise<SelectedPods> {
    const list = await apiCall(this.deps.counter, 'list', `list pods ${namespace} ${labelSelector}`, () =>
      this.deps.core.listNamespacedPod({ namespace, labelSelector }),
    );
    return { pods: list.items.map(toKubePod), resourceVersion: list.metadata?.resourceVersion ?? '' };
  }

  /** Watches the selected pods from resourceVersion. */
  async watchSelectedPods(
    namespace: string,
    labelSelector: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    await watchPodPath(
      this.watcher,
      this.deps.counter,
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector, resourceVersion, allowWatchBookmarks: true },
      `watch pods ${namespace} ${labelSelector}`,
      onEvent,
      signal,
    );
  }

  /** GET the node: true when it exists and is not cordoned. */
  async nodeSchedulable(name: string): Promise<boolean> {
    try {
      const node = await apiCall(this.deps.counter, 'get', `get node ${name}`, () =>
        this.deps.core.readNode({ name }),
      );
      return node.spec?.unschedulable !== true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }
}
