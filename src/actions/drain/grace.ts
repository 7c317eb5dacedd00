/**
 * Deadline-aware grace periods (DESIGN §3): each pod gets min(its own grace, time left before the
 * deadline minus the margin), never less than 1 s. Pure.
 */
import type { KubePod } from '../kube-types.js';

/** Kubernetes' default terminationGracePeriodSeconds. */
export const DEFAULT_POD_GRACE_SECONDS = 30;

/** Inputs of the grace computation. */
export interface GraceInput {
  readonly nowMs: number;
  readonly deadlineMs: number;
  readonly deadlineMarginMs: number;
  /** -1: use the pod's own grace. */
  readonly overrideSeconds: number;
}

/** The grace the pod asks for (or the override). */
export function requestedGraceSeconds(pod: KubePod, overrideSeconds: number): number {
  if (overrideSeconds >= 0) return overrideSeconds;
  return pod.terminationGracePeriodSeconds ?? DEFAULT_POD_GRACE_SECONDS;
}

/**
 * The grace to evict with. Never 0: gracePeriodSeconds=0 makes the API server drop the pod at once
 * while its containers may still run (a forced delete), so even a pod asking for 0, or a drain past
 * its deadline, gets 1 s: SIGTERM, then SIGKILL a second later.
 */
export function graceSeconds(pod: KubePod, input: GraceInput): number {
  const requested = requestedGraceSeconds(pod, input.overrideSeconds);
  const leftSeconds = Math.floor((input.deadlineMs - input.deadlineMarginMs - input.nowMs) / 1000);
  return Math.max(1, Math.min(requested, leftSeconds));
}

/** True when the pod is already terminating and will be gone before the deadline (minus the margin). */
export function terminatesInTime(pod: KubePod, deadlineMs: number, deadlineMarginMs: number): boolean {
  return pod.deletionTimestampMs !== undefined && pod.deletionTimestampMs <= deadlineMs - deadlineMarginMs;
}
