/**
 * What an event merged into a running node action changes for the run (issue #14 item 5). A stronger
 * event (a spot warning after a rebalance recommendation, after an ASG scale-in) upgrades a running
 * drain in place: the node's marks move to the stronger kind, the deadline shortens, the drain turns
 * urgent; the evictions already done stand and no second cordon, drain or start webhook follows. Only
 * a run that cannot take the new terms (waiting hours for maintenance, cordon-only, a drain that gave
 * up) is planned again. Pure.
 */
import { isUrgent, type InterruptionEvent } from '../events/interruption-event.js';
import type { DrainTermsValue } from './drain-terms.js';
import { drains, type PlanOptions } from './plan.js';

/** Where a run stands. */
export type RunStage = 'waiting' | 'before-drain' | 'draining' | 'drained' | 'drain-failed';

/** What the decision reads of the run under way. */
export interface RunningAction {
  readonly stage: RunStage;
  /** The run's plan drains. */
  readonly drains: boolean;
  readonly terms: DrainTermsValue;
  /** The event the node is (being) marked for; undefined before the cordon step began. */
  readonly markedEventId: string | undefined;
}

/** What to do with the run. */
export type Upgrade =
  | { readonly type: 'none' }
  | { readonly type: 'restart' }
  /** New terms for the run (and its drain); `remark`: the node's marks must name the new event. */
  | { readonly type: 'in-place'; readonly terms: DrainTermsValue; readonly remark: boolean };

/** Decides for the run under way given the action's primary event and the earliest merged deadline. */
export function decideUpgrade(
  running: RunningAction,
  primary: InterruptionEvent,
  deadlineMs: number,
  options: PlanOptions,
): Upgrade {
  const same = primary.id === running.terms.eventId;
  if (!running.drains || !drains(primary.kind, options) || running.stage === 'waiting')
    return same ? { type: 'none' } : { type: 'restart' };
  const terms: DrainTermsValue = {
    kind: primary.kind,
    eventId: primary.id,
    deadlineMs: Math.min(running.terms.deadlineMs, deadlineMs),
    urgent: running.terms.urgent || isUrgent(primary),
  };
  const old = running.terms;
  const changed =
    !same || terms.deadlineMs !== old.deadlineMs || terms.urgent !== old.urgent || terms.kind !== old.kind;
  if (!changed) return { type: 'none' };
  // a drain that gave up (a PDB held a non-urgent drain): the stronger event drains again
  if (running.stage === 'drain-failed') return { type: 'restart' };
  const remark = running.markedEventId !== undefined && running.markedEventId !== primary.id;
  return { type: 'in-place', terms, remark };
}
