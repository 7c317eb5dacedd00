/** The state of one run of a node action, and what is derived from it for markers and reports. */
import type { InterruptionEvent } from '../events/interruption-event.js';
import type { DrainResult, NodeMarking, NodeState } from './node-actuator-port.js';
import type { ActionReport } from './executor-ports.js';
import type { NodeAction } from './event-store.js';

/** One run of a node action. */
export interface RunContext {
  readonly action: NodeAction;
  readonly primary: InterruptionEvent;
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
    noticedAtMs: ctx.action.noticedAtMs,
    mergedEventIds: ctx.action.events.map((e) => e.id),
    source: p.source,
    autoScalingGroupName:
      p.autoScalingGroupName ?? (p.origin.type === 'sqs' ? p.origin.lifecycle?.groupName : undefined),
    providerId: ctx.node?.providerId,
    nodeLabels: ctx.node?.labels,
  };
}

/** Milliseconds as seconds (metrics). */
export function seconds(ms: number): number {
  return ms / 1000;
}
