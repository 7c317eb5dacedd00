/**
 * The port the executor drives a node through (STYLE rule 1: declared by its consumer).
 * src/actions/ implements it on the Kubernetes ports in src/kube/. Every method is idempotent:
 * calling it again after a crash or for a merged second message does no harm.
 */
import type { EventKind } from '../events/interruption-event.js';
import type { DrainTerms } from './drain-terms.js';

/** Node labels, annotations, taints and condition that record what spot-handler did (DESIGN §3). */
export const MARK = {
  /** Taint key prefix: `spot-handler/<kind>`. */
  taintPrefix: 'spot-handler/',
  /** Label: where the node action is (noticed, cordoned, draining, drained, drain-failed). */
  stateLabel: 'spot-handler/state',
  /** Label: the event kind being acted on. */
  kindLabel: 'spot-handler/kind',
  /** Annotation: id of the event being acted on. */
  eventIdAnnotation: 'spot-handler/event-id',
  /** Annotation: deadline, RFC 3339. */
  deadlineAnnotation: 'spot-handler/deadline',
  /** Annotation: when the notice was first seen, RFC 3339. */
  noticedAtAnnotation: 'spot-handler/noticed-at',
  /** Annotation "true" when we cordoned the node (so uncordon only undoes our own cordon). */
  cordonedAnnotation: 'spot-handler/cordoned',
  /** Annotation "true" when we set the exclude-from-external-load-balancers label. */
  lbExcludedAnnotation: 'spot-handler/lb-excluded',
  /** Annotation: comma list of webhook triggers already sent for this event (start,success,failure). */
  reportedAnnotation: 'spot-handler/reported',
  /** Node condition type showing the drain state. */
  conditionType: 'SpotHandlerDrain',
  /** Label value that opts a node out of any action. */
  optOutLabel: 'spot-handler/disabled',
} as const;

/** Where a node action stands, as recorded on the node. */
export type NodePhase = 'noticed' | 'cordoned' | 'draining' | 'drained' | 'drain-failed';

/** What we read back from a node: enough to resume after a restart. */
export interface NodeState {
  readonly name: string;
  readonly providerId?: string;
  readonly unschedulable: boolean;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** Our markers, when present. */
  readonly phase?: NodePhase;
  readonly eventId?: string;
  readonly kind?: EventKind;
  readonly deadlineMs?: number;
  readonly reported: readonly string[];
  readonly taintKeys: readonly string[];
}

/** What to record on the node when an action starts. */
export interface NodeMarking {
  readonly kind: EventKind;
  readonly eventId: string;
  readonly deadlineMs: number;
  readonly noticedAtMs: number;
}

/** A pod that stopped a drain from finishing, and why. */
export interface BlockingPod {
  readonly namespace: string;
  readonly name: string;
  /** PDB name when a PodDisruptionBudget refused the eviction. */
  readonly pdb?: string;
  /** daemonset / local-storage: kubectl's refusals (IGNORE_DAEMON_SETS=false, DELETE_LOCAL_DATA=false). */
  readonly reason:
    | 'pdb'
    | 'multiple-pdbs'
    | 'do-not-disrupt'
    | 'slow-termination'
    | 'api-error'
    | 'daemonset'
    | 'local-storage';
  readonly message: string;
}

/** Why a pod that opted in to surge-before-evict took the normal path (docs/surge-before-evict.md). */
export type SurgeSkipReason =
  | 'not-deployment'
  | 'recreate'
  | 'no-surge'
  | 'paused'
  | 'no-replicas'
  | 'selector'
  | 'too-late'
  | 'api-error';

/** What surge-before-evict did for one Deployment during a drain. */
export interface SurgeReport {
  /** Namespace and name of the Deployment (or of the pod's owner when it is not a Deployment). */
  readonly namespace: string;
  readonly name: string;
  /** The owner kind (Deployment, StatefulSet, ReplicaSet, Pod for a bare pod). */
  readonly kind: string;
  /** surged: replacement Ready first; fell_back: not Ready in time; not_eligible: normal path. */
  readonly result: 'surged' | 'fell_back' | 'not_eligible';
  readonly reason?: SurgeSkipReason;
  /** True when we joined a rollout already in progress instead of starting one. */
  readonly joined?: boolean;
  /** From the rollout start (or join) to the replacement being Ready (surged) or giving up (fell_back). */
  readonly replacementMs?: number;
}

/** Result of one drain. */
export interface DrainResult {
  readonly result: 'succeeded' | 'forced' | 'blocked' | 'timed_out' | 'failed';
  readonly podsEvicted: number;
  readonly podsForceDeleted: number;
  readonly podsRemaining: number;
  readonly blockedBy: readonly BlockingPod[];
  /** Pods deleted without eviction at the deadline, each with what blocked its eviction (a PDB, ...). */
  readonly forcedPods?: readonly BlockingPod[];
  /** Why the drain refused to start, in kubectl's words ("cannot delete DaemonSet-managed Pods …: ns/pod"). */
  readonly error?: string;
  readonly durationMs: number;
  /** Surge-before-evict outcomes, one per Deployment (absent when no pod opted in). */
  readonly surges?: readonly SurgeReport[];
  /** "namespace/name" of every pod the drain acted on or held back (webhooks: NTH's `.Pods`). */
  readonly pods?: readonly string[];
}

/** A drain request: the deadline and urgency decide grace periods and forcing. */
export interface DrainRequest {
  /** Live terms: a stronger event merged into the action tightens the running drain (drain-terms.ts). */
  readonly terms?: DrainTerms;
  readonly nodeName: string;
  /** The event kind, or 'manual' for the `spot-handler drain` command (only logged). */
  readonly kind: EventKind | 'manual';
  readonly eventId: string;
  readonly deadlineMs: number;
  readonly urgent: boolean;
  readonly signal: AbortSignal;
}

/** The node operations the executor needs. */
export interface NodeActuator {
  /** Reads the node; undefined when it does not exist. */
  getNode(nodeName: string): Promise<NodeState | undefined>;
  /**
   * One node write: the taint for the kind, our labels/annotations (state label = `phase`), the LB label
   * if configured, and spec.unschedulable (recording that the cordon is ours). Without a marking: the
   * cordon alone.
   */
  cordon(nodeName: string, marking?: NodeMarking, phase?: NodePhase): Promise<void>;
  /**
   * One node write moving the marks of a marked node to a stronger event merged into its action: the
   * kind taint, kind label, event id and deadline. The state, the cordon and the webhooks already
   * recorded stay as they are.
   */
  remark(nodeName: string, marking: NodeMarking): Promise<void>;
  /** One status write: the condition, the state label, and webhook triggers already sent (`reported`). */
  setPhase(nodeName: string, phase: NodePhase, message: string, reported?: readonly string[]): Promise<void>;
  /** Records webhook triggers sent for the current event (so a restart does not send them twice). */
  recordReported(nodeName: string, triggers: readonly string[]): Promise<void>;
  /** Evicts the node's pods within the deadline. */
  drain(request: DrainRequest): Promise<DrainResult>;
  /** Removes exactly what we added (taints, labels, annotations, condition, LB label) and uncordons if we cordoned. */
  unmark(nodeName: string): Promise<void>;
}
