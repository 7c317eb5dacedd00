/**
 * The pure decision of what to do for an event (DESIGN §2): ordered steps as data. The executor runs
 * them through ports; every step is idempotent, so running a plan twice does no harm.
 */
import { isUrgent, type EventKind, type InterruptionEvent } from '../events/interruption-event.js';
import type { NodeState } from './node-actuator-port.js';

/** The part of the configuration the planner reads. */
export interface PlanOptions {
  readonly mode: 'imds' | 'queue';
  /** Cordon, never drain (NTH CORDON_ONLY). */
  readonly cordonOnly: boolean;
  /** Drain on rebalance recommendations (otherwise cordon only). */
  readonly rebalanceDrain: boolean;
  /** After a cordon-only rebalance, uncordon this long after the notice unless something else came (0 = keep). */
  readonly rebalanceCordonTtlMs: number;
}

/** One step of a node action. */
export type Step =
  | { readonly type: 'wait-until'; readonly atMs: number }
  | { readonly type: 'notify'; readonly trigger: 'start' }
  /** Taint, label and cordon the node: one node write. */
  | { readonly type: 'cordon' }
  | { readonly type: 'drain'; readonly urgent: boolean }
  | { readonly type: 'wait-node-ready' }
  | { readonly type: 'complete-lifecycle' }
  | { readonly type: 'uncordon-at'; readonly atMs: number };

/** Why an event needs no node action. */
export type NoActionReason = 'expired' | 'node-opted-out' | 'already-done' | 'past-deadline';

/** What the planner decided. */
export type Plan =
  | { readonly type: 'act'; readonly steps: readonly Step[] }
  | { readonly type: 'none'; readonly reason: NoActionReason };

/** How strongly a plan acts on the node: a stronger event supersedes a weaker running action. */
export function strength(event: InterruptionEvent, options: PlanOptions): number {
  if (event.kind === 'asg-launch') return 0;
  if (!drains(event.kind, options)) return 1;
  return isUrgent(event) ? 3 : 2;
}

/** True when the event kind leads to a drain under these options. */
export function drains(kind: EventKind, options: PlanOptions): boolean {
  if (options.cordonOnly || kind === 'asg-launch') return false;
  if (kind === 'rebalance-recommendation') return options.rebalanceDrain;
  return true;
}

/** Decides the steps for an event given the node as it is now. */
export function plan(
  event: InterruptionEvent,
  options: PlanOptions,
  node: NodeState | undefined,
  nowMs: number,
): Plan {
  if (event.kind === 'asg-launch') {
    return { type: 'act', steps: [{ type: 'wait-node-ready' }, { type: 'complete-lifecycle' }] };
  }
  if (node?.labels['spot-handler/disabled'] === 'true') return { type: 'none', reason: 'node-opted-out' };

  const cordonOnlyRebalance = event.kind === 'rebalance-recommendation' && !options.rebalanceDrain;
  if (cordonOnlyRebalance && options.rebalanceCordonTtlMs > 0) {
    const expiresAt = (event.issuedAtMs ?? event.noticedAtMs) + options.rebalanceCordonTtlMs;
    if (expiresAt <= nowMs) return { type: 'none', reason: 'expired' };
  }

  const sameEvent = node?.eventId === event.id;
  if (sameEvent && node?.phase === 'drain-failed' && nowMs >= event.deadlineMs) {
    // A redelivery after our drain for this very notice gave up, and its deadline has passed: the
    // instance is gone or going, a second drain cannot help. Acknowledge it.
    return { type: 'none', reason: 'past-deadline' };
  }
  if (sameEvent && node?.phase === 'drained' && !cordonOnlyRebalance) {
    // A restarted handler or a redelivered message: the work is done; only acknowledgements remain.
    return { type: 'act', steps: lifecycleSteps(event) };
  }

  const steps: Step[] = [];
  if (event.startAtMs !== undefined && event.startAtMs > nowMs)
    steps.push({ type: 'wait-until', atMs: event.startAtMs });
  // Cordon first: notifications must never delay it.
  steps.push({ type: 'cordon' }, { type: 'notify', trigger: 'start' });
  if (drains(event.kind, options)) steps.push({ type: 'drain', urgent: isUrgent(event) });
  steps.push(...lifecycleSteps(event));
  if (cordonOnlyRebalance && options.rebalanceCordonTtlMs > 0 && options.mode === 'imds') {
    steps.push({
      type: 'uncordon-at',
      atMs: (event.issuedAtMs ?? event.noticedAtMs) + options.rebalanceCordonTtlMs,
    });
  }
  return { type: 'act', steps };
}

/** Completing lifecycle hooks covers every merged message's hook, so the step is always planned in queue mode. */
function lifecycleSteps(event: InterruptionEvent): Step[] {
  return event.source === 'sqs' ? [{ type: 'complete-lifecycle' }] : [];
}
