/**
 * The plain shapes src/actions/ works on. Adapters in src/kube/ translate client-node objects into these,
 * so nothing here depends on the SDK (STYLE rule 1).
 */

/** Taint effects Kubernetes knows. */
export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

/** A node taint. */
export interface Taint {
  readonly key: string;
  readonly value?: string;
  readonly effect: TaintEffect;
  readonly timeAdded?: string;
}

/** A node condition as stored in status.conditions. */
export interface NodeCondition {
  readonly type: string;
  readonly status: string;
  readonly reason?: string;
  readonly message?: string;
  readonly lastTransitionTime?: string;
  readonly lastHeartbeatTime?: string;
}

/** What we read from a Node. */
export interface KubeNode {
  readonly name: string;
  readonly resourceVersion: string;
  readonly providerId?: string;
  readonly unschedulable: boolean;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly taints: readonly Taint[];
  readonly conditions: readonly NodeCondition[];
}

/** The controller owner reference of a pod (`controller: true`). */
export interface PodController {
  readonly kind: string;
  readonly name: string;
  readonly apiVersion?: string;
}

/** What the drain needs to know about a pod. */
export interface KubePod {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName?: string;
  readonly phase: string;
  readonly ready: boolean;
  readonly deletionTimestampMs?: number;
  readonly terminationGracePeriodSeconds?: number;
  readonly priority?: number;
  readonly priorityClassName?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly controller?: PodController;
  readonly hasEmptyDir: boolean;
}

/** Identifies one incarnation of a pod: the UID guards against acting on a replacement with the same name. */
export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** A merge patch for a Node: `null` values remove keys. resourceVersion makes it conditional (409 when stale). */
export interface NodeMergePatch {
  readonly metadata?: {
    readonly resourceVersion?: string;
    readonly labels?: Readonly<Record<string, string | null>>;
    readonly annotations?: Readonly<Record<string, string | null>>;
  };
  readonly spec?: { readonly unschedulable?: boolean | null; readonly taints?: readonly Taint[] };
}

/** A merge patch of the node status subresource (conditions replaced as a whole, guarded by resourceVersion). */
export interface NodeStatusPatch {
  readonly metadata: {
    readonly resourceVersion: string;
    /** A node's status write also sets its labels and annotations (the real API server keeps them). */
    readonly labels?: Readonly<Record<string, string>>;
    readonly annotations?: Readonly<Record<string, string>>;
  };
  readonly status?: { readonly conditions: readonly NodeCondition[] };
}

/** One change seen by a pod watch. */
export interface PodWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
  readonly pod: KubePod;
  readonly resourceVersion?: string;
}

/** Pods on a node at one resourceVersion. */
export interface PodList {
  readonly pods: readonly KubePod[];
  readonly resourceVersion: string;
}
