/**
 * Pure decisions of surge-before-evict (docs/surge-before-evict.md): who opted in, whether a
 * Deployment can surge, whether a rollout is already running, and when to give up and fall back.
 */
import type { SurgeSkipReason } from '../../pipeline/node-actuator-port.js';
import type { KubePod } from '../kube-types.js';
import type { IntOrPercent, KubeDeployment } from './surge-port.js';

/** Opt-in annotation on a Deployment or its pod template: "true" opts in, "false" opts out. */
export const SURGE_ANNOTATION = 'spot-handler/surge-before-evict';
/** The pod-template annotation `kubectl rollout restart` sets. */
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';

/**
 * True when the workload wants surge-before-evict: an explicit "false" on the Deployment or the pod
 * (its template) wins, then an explicit "true", then the cluster-wide default.
 */
export function surgeOptedIn(
  podAnnotations: Readonly<Record<string, string>>,
  deploymentAnnotations: Readonly<Record<string, string>>,
  clusterWide: boolean,
): boolean {
  const values = [deploymentAnnotations[SURGE_ANNOTATION], podAnnotations[SURGE_ANNOTATION]];
  if (values.some((v) => v?.trim().toLowerCase() === 'false')) return false;
  if (values.some((v) => v?.trim().toLowerCase() === 'true')) return true;
  return clusterWide;
}

/** True when the pod's annotations alone already opt it out (no API call needed). */
export function podOptedOut(pod: KubePod): boolean {
  return pod.annotations[SURGE_ANNOTATION]?.trim().toLowerCase() === 'false';
}

/** Resolves an int-or-percent against `total` like the Deployment controller (surge rounds up, unavailable down). */
export function resolveIntOrPercent(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (typeof value === 'number') return Math.max(0, Math.floor(value));
  const match = /^(\d+)%$/.exec(value.trim());
  if (!match) {
    const n = Number(value);
    return Number.isFinite(n) ? Math.max(0, Math.floor(n)) : 0;
  }
  const exact = (Number(match[1]) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

/** What to do for a Deployment: start a rollout, join the one running, or take the normal path. */
export type SurgePlan =
  | { readonly kind: 'restart' }
  | { readonly kind: 'join' }
  | { readonly kind: 'not-eligible'; readonly reason: SurgeSkipReason };

/** True while a rollout has not finished: a new generation not yet observed, or old replicas left. */
export function rolloutInProgress(d: KubeDeployment): boolean {
  const s = d.status;
  return (
    s.observedGeneration < d.generation || s.updatedReplicas < d.replicas || s.replicas > s.updatedReplicas
  );
}

/**
 * Decides for one Deployment. Recreate, a maxSurge that resolves to 0, zero replicas, a paused
 * Deployment (its controller would not roll) and selectors we cannot express as a label selector
 * take the normal path. A rollout already in progress is joined, not restarted: a second restart
 * would replace the new ReplicaSet the first one is bringing up.
 */
export function planSurge(d: KubeDeployment): SurgePlan {
  if (d.strategy === 'Recreate') return { kind: 'not-eligible', reason: 'recreate' };
  if (d.replicas < 1) return { kind: 'not-eligible', reason: 'no-replicas' };
  if (resolveIntOrPercent(d.maxSurge, d.replicas, true) < 1)
    return { kind: 'not-eligible', reason: 'no-surge' };
  if (d.paused) return { kind: 'not-eligible', reason: 'paused' };
  if (d.labelSelector === undefined) return { kind: 'not-eligible', reason: 'selector' };
  return rolloutInProgress(d) ? { kind: 'join' } : { kind: 'restart' };
}

/** Inputs of the fall-back time. */
export interface FallBackInput {
  readonly deadlineMs: number;
  /** When the drain gives up (drain timeout). */
  readonly endAtMs: number;
  readonly graceSeconds: number;
  readonly forceLeadMs: number;
}

/**
 * The latest time to wait for a replacement: the normal path must still have the pod's grace and the
 * force lead before the deadline (and the grace before the drain's own timeout).
 */
export function fallBackAtMs(input: FallBackInput): number {
  const graceMs = input.graceSeconds * 1000;
  return Math.min(input.deadlineMs - graceMs - input.forceLeadMs, input.endAtMs - graceMs);
}

/**
 * True when the pod's Deployment would have no available replica once this node's pods go: no other
 * Ready pod of it runs on a schedulable node other than the one being drained.
 */
export function lastAvailableReplica(
  pods: readonly KubePod[],
  drainingNode: string,
  schedulable: ReadonlySet<string>,
): boolean {
  return !pods.some(
    (p) =>
      p.ready &&
      p.deletionTimestampMs === undefined &&
      p.nodeName !== undefined &&
      p.nodeName !== drainingNode &&
      schedulable.has(p.nodeName),
  );
}

/** A replacement: a Ready, non-terminating pod not seen before the surge, on another node. */
export function isReplacement(pod: KubePod, before: ReadonlySet<string>, drainingNode: string): boolean {
  return (
    pod.ready &&
    pod.deletionTimestampMs === undefined &&
    !before.has(pod.uid) &&
    pod.nodeName !== undefined &&
    pod.nodeName !== drainingNode
  );
}
