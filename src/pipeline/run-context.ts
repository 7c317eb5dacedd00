/** The state of one run of a node action, and what is derived from it for markers and reports. */
import { isUrgent, type InterruptionEvent } from '../events/interruption-event.js';
import type { DrainResult, NodeMarking, NodeState } from './node-actuator-port.js';
import type { ActionReport } from './executor-ports.js';
import type { NodeAction } from './event-store.js';
import { DrainTerms } from './drain-terms.js';
import type { Step } from './plan.js';
import type { RunStage } from './upgrade-decision.js';

/** One run of a node action. */
export interface RunContext {
  readonly action: NodeAction;
  /** The driving event; a stronger merged event replaces it in place (upgrade-decision.ts). */
  primary: InterruptionEvent;
  readonly nodeName: string;
  readonly node: NodeState | undefined;
  readonly signal: AbortSignal;
  /** The plan drains after cordoning. */
  readonly drains: boolean;
  drain?: DrainResult;
  /** The drain ended blocked at a lifecycle hook's deadline; the failure is reported, the hook completed. */
  drainGaveUp?: boolean;
  /** Resolves when the drain returns (or the run ends): the phase write after the start webhook stops waiting. */
  readonly drainReturned: Promise<void>;
  readonly endDrainWait: () => void;
  /** The status write that follows the cordon (condition, start webhook recorded), once it is under way. */
  phaseWrite?: Promise<void>;
  /** Where the run stands (what an event merged now can change). */
  stage: RunStage;
  /** The drain's live terms (deadline, urgency), tightened in place by a stronger event. */
  readonly terms: DrainTerms;
  /** The event the node is marked for, once the cordon step began. */
  markedEventId?: string;
  /** The mark writes in order: the cordon, then any re-marking for a stronger event. */
  marks?: Promise<void>;
}

/** What a run starts from. */
export interface RunStart {
  readonly action: NodeAction;
  readonly primary: InterruptionEvent;
  readonly nodeName: string;
  readonly node: NodeState | undefined;
  readonly signal: AbortSignal;
  /** The planned steps (whether and how urgently the run drains). */
  readonly steps: readonly Step[];
}

/** A new run: its drain terms from the plan and the merged events, registered on the action. */
export function createRunContext(start: RunStart): RunContext {
  const { action, primary, steps } = start;
  const drainStep = steps.find((st) => st.type === 'drain');
  let endDrainWait = (): void => undefined;
  const drainReturned = new Promise<void>((resolve) => (endDrainWait = resolve));
  const terms = new DrainTerms({
    kind: primary.kind,
    eventId: primary.id,
    deadlineMs: action.deadlineMs,
    urgent: drainStep?.urgent ?? isUrgent(primary),
  });
  const ctx: RunContext = {
    ...start,
    drains: drainStep !== undefined,
    drainReturned,
    endDrainWait,
    terms,
    stage: 'before-drain',
  };
  action.run = ctx;
  return ctx;
}

/** The run was superseded by a stronger event: plan again. */
export class Superseded extends Error {}
/** This replica lost the leadership: stop (raised by the executor's checks and by the fenced APIs). */
export { NotLeader } from '../errors.js';

/** What is recorded on the node for the primary event. */
export function marking(primary: InterruptionEvent, action: NodeAction): NodeMarking {
  return {
    kind: primary.kind,
    eventId: primary.id,
    deadlineMs: primary.deadlineMs,
    noticedAtMs: action.noticedAtMs,
  };
}

/** The webhook report of the run. */
export function report(ctx: RunContext): ActionReport {
  const p = ctx.primary;
  return {
    kind: p.kind,
    eventId: p.id,
    instanceId: p.instanceId,
    nodeName: ctx.nodeName,
    description: p.description,
    region: p.region,
    availabilityZone: p.availabilityZone,
    instanceType: p.instanceType,
    deadlineMs: p.deadlineMs,
    ...(p.endAtMs === undefined ? {} : { endAtMs: p.endAtMs }),
    noticedAtMs: ctx.action.noticedAtMs,
    mergedEventIds: ctx.action.events.map((e) => e.id),
    source: p.source,
    autoScalingGroupName:
      p.autoScalingGroupName ?? (p.origin.type === 'sqs' ? p.origin.lifecycle?.groupName : undefined),
    providerId: ctx.node?.providerId,
    nodeLabels: ctx.node?.labels,
  };
}

/** The condition message of the phase that follows the cordon. */
export function phaseMessage(drains: boolean, primary: InterruptionEvent): string {
  return `${drains ? 'draining' : 'cordoned'} for ${primary.kind} ${primary.id}`;
}

/** Milliseconds as seconds (metrics). */
export function seconds(ms: number): number {
  return ms / 1000;
}
