/**
 * The Kubernetes operations src/actions/ needs, declared by their consumer (STYLE rule 1).
 * src/kube/node-api.ts and src/kube/pod-api.ts implement them; tests use stateful fakes.
 * Every method throws typed errors from src/errors.ts.
 */
import type {
  KubeNode,
  NodeMergePatch,
  NodeStatusPatch,
  PodList,
  PodRef,
  PodWatchEvent,
} from './kube-types.js';

/** Node reads and patches. */
export interface NodeApi {
  /** Reads a node; undefined when it does not exist. */
  getNode(name: string): Promise<KubeNode | undefined>;
  /** JSON merge patch of the node; ConflictError when metadata.resourceVersion is stale. */
  patchNode(name: string, patch: NodeMergePatch): Promise<KubeNode>;
  /** JSON merge patch of the nodes/status subresource; ConflictError when stale. */
  patchNodeStatus(name: string, patch: NodeStatusPatch): Promise<KubeNode>;
}

/** Pod operations of the drain. */
export interface PodApi {
  /** Every pod bound to the node (field selector spec.nodeName, all pages). */
  listPods(nodeName: string, signal?: AbortSignal): Promise<PodList>;
  /**
   * Watches pods of the node from resourceVersion, calling onEvent for each change. Resolves when the
   * server closes the watch or the signal aborts; rejects on errors (410 Gone included): re-list then.
   */
  watchPods(
    nodeName: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
  /** policy/v1 Eviction with the UID precondition; EvictionBlockedError on PDB refusal. */
  evictPod(pod: PodRef, gracePeriodSeconds: number): Promise<void>;
  /** DELETE with the UID precondition. */
  deletePod(pod: PodRef, gracePeriodSeconds: number): Promise<void>;
  /** True when the DaemonSet exists (kubectl's orphan check). */
  daemonSetExists(namespace: string, name: string): Promise<boolean>;
}
