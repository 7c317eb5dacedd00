/**
 * The Kubernetes operations surge-before-evict needs (docs/surge-before-evict.md), declared by their
 * consumer (STYLE rule 1). src/kube/deployment-api.ts implements them; tests use stateful fakes.
 * Every method throws typed errors from src/errors.ts.
 */
import type { KubePod, PodWatchEvent } from '../kube-types.js';

/** A Deployment's rolling-update knobs as written (int or percent string), unresolved. */
export type IntOrPercent = number | string;

/** What surge reads from a Deployment. */
export interface KubeDeployment {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly generation: number;
  readonly annotations: Readonly<Record<string, string>>;
  /** Annotations of spec.template.metadata. */
  readonly templateAnnotations: Readonly<Record<string, string>>;
  readonly replicas: number;
  readonly paused: boolean;
  readonly strategy: 'RollingUpdate' | 'Recreate';
  readonly maxSurge: IntOrPercent;
  readonly maxUnavailable: IntOrPercent;
  /** spec.selector.matchLabels as a label selector string; undefined when it uses matchExpressions. */
  readonly labelSelector?: string;
  readonly status: {
    readonly observedGeneration: number;
    readonly replicas: number;
    readonly updatedReplicas: number;
    readonly availableReplicas: number;
  };
}

/** Pods of one Deployment at one resourceVersion. */
export interface SelectedPods {
  readonly pods: readonly KubePod[];
  readonly resourceVersion: string;
}

/** Deployment and pod calls of the surge path. */
export interface SurgeApi {
  /** The controller owner (kind/name) of a ReplicaSet; undefined when the ReplicaSet is gone or has none. */
  replicaSetOwner(namespace: string, name: string): Promise<{ kind: string; name: string } | undefined>;
  /** Reads a Deployment; undefined when it does not exist. */
  getDeployment(namespace: string, name: string): Promise<KubeDeployment | undefined>;
  /**
   * Starts a rollout like `kubectl rollout restart`: merge patch of the pod template annotation
   * kubectl.kubernetes.io/restartedAt (plus spot-handler/surged-at on the Deployment). Returns the patched object.
   */
  restartDeployment(deployment: KubeDeployment, restartedAt: string): Promise<KubeDeployment>;
  /** Pods matching the selector in the namespace. */
  listSelectedPods(namespace: string, labelSelector: string, signal?: AbortSignal): Promise<SelectedPods>;
  /** Watches pods matching the selector from resourceVersion; resolves when the watch ends or the signal aborts. */
  watchSelectedPods(
    namespace: string,
    labelSelector: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** True when the node exists and is schedulable (not cordoned). */
  nodeSchedulable(name: string): Promise<boolean>;
}
