/**
 * Options of node actions and the drain. The config module maps the validated config onto this shape;
 * units are in the names (STYLE rule 5).
 */
import type { TaintEffect } from './kube-types.js';

/** Everything the actuator and the drain can be told. */
export interface ActuatorOptions {
  /** Log every action instead of changing anything. */
  readonly dryRun: boolean;
  /** Add the `spot-handler/<kind>` taint (TAINT_NODE). */
  readonly taintNode: boolean;
  readonly taintEffect: TaintEffect;
  /** After a successful drain add `node.kubernetes.io/out-of-service=nodeshutdown:NoExecute`. */
  readonly outOfServiceTaint: boolean;
  /** Add `node.kubernetes.io/exclude-from-external-load-balancers` when marking. */
  readonly excludeFromLoadBalancers: boolean;
  /** Leave DaemonSet pods alone (true), or evict them last (false). */
  readonly ignoreDaemonSets: boolean;
  /** Evict pods with emptyDir volumes (their data is lost). */
  readonly deleteEmptyDirData: boolean;
  /** Evict pods with no controller (they are not recreated). */
  readonly evictUnmanagedPods: boolean;
  /** Grace period for every pod in seconds; -1 uses each pod's terminationGracePeriodSeconds. */
  readonly podGracePeriodOverrideSeconds: number;
  /** Overall drain timeout (node-termination-grace-period). */
  readonly drainTimeoutMs: number;
  /** Pods must be gone this long before the deadline: grace periods are shortened to fit. */
  readonly deadlineMarginMs: number;
  /** For urgent kinds, delete PDB-blocked pods when the deadline is near. */
  readonly forceAtDeadline: boolean;
  /** How long before the deadline forcing starts. */
  readonly forceLeadMs: number;
  /** Eviction/delete requests in flight at once, across all drains. */
  readonly evictionConcurrency: number;
  /** Pods with at least this priority are critical and evicted after the others. */
  readonly criticalPriorityThreshold: number;
  /** Our own pod, never evicted (IMDS mode runs on the node it drains). */
  readonly selfPodName?: string;
  readonly selfPodNamespace?: string;
  /** Retry backoff while a PDB refuses an eviction (or on transient errors). */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /**
   * Surge before evict for every eligible Deployment (SURGE_BEFORE_EVICT); without it only workloads
   * annotated spot-handler/surge-before-evict="true" surge.
   */
  readonly surgeBeforeEvict: boolean;
}

/** Defaults matching docs/plan/contracts.md. */
export const DEFAULT_ACTUATOR_OPTIONS: ActuatorOptions = Object.freeze({
  dryRun: false,
  taintNode: true,
  taintEffect: 'NoSchedule',
  outOfServiceTaint: false,
  excludeFromLoadBalancers: false,
  ignoreDaemonSets: true,
  deleteEmptyDirData: true,
  evictUnmanagedPods: true,
  podGracePeriodOverrideSeconds: -1,
  drainTimeoutMs: 120_000,
  deadlineMarginMs: 5_000,
  forceAtDeadline: true,
  forceLeadMs: 15_000,
  evictionConcurrency: 200,
  criticalPriorityThreshold: 1_000_000_000,
  retryInitialMs: 200,
  retryMaxMs: 1_000,
  surgeBeforeEvict: false,
});
