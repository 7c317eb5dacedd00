/** What spot-handler acts on: plain immutable data, no closures (DESIGN §2, STYLE rule 4). */

/** The kinds of interruption we handle; each maps to one taint `spot-handler/<kind>`. */
export const EVENT_KINDS = [
  'spot-interruption',
  'rebalance-recommendation',
  'scheduled-maintenance',
  'asg-termination',
  'asg-launch',
  'state-change',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Where an event came from. */
export const EVENT_SOURCES = ['imds', 'sqs'] as const;
export type EventSource = (typeof EVENT_SOURCES)[number];

/** An ASG lifecycle hook that must be completed (CONTINUE) when the node action ends. */
export interface LifecycleHookRef {
  readonly hookName: string;
  readonly groupName: string;
  readonly token?: string;
  readonly instanceId: string;
  /** Seconds the hook waits without a heartbeat; heartbeats are sent at half of it. */
  readonly heartbeatTimeoutSeconds?: number;
}

/** An SQS message that must be deleted when the node action ends. */
export interface SqsMessageRef {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** SentTimestamp in ms since epoch, when SQS gave it. */
  readonly sentAtMs?: number;
}

/** What must be acknowledged once the action for this event is done. */
export type EventOrigin =
  | { readonly type: 'imds'; readonly path: string }
  | { readonly type: 'sqs'; readonly message: SqsMessageRef; readonly lifecycle?: LifecycleHookRef };

/** One interruption notice for one instance. */
export interface InterruptionEvent {
  /** Stable id: the same notice seen again (next poll, redelivery) has the same id. */
  readonly id: string;
  readonly kind: EventKind;
  readonly instanceId: string;
  /** Known in IMDS mode (NODE_NAME); resolved from the node index in queue mode. */
  readonly nodeName?: string;
  /** When we first saw it, ms since epoch. */
  readonly noticedAtMs: number;
  /** When AWS said it was issued (event `time`, notice time), ms since epoch. */
  readonly issuedAtMs?: number;
  /** When the instance is expected to go, ms since epoch. */
  readonly deadlineMs: number;
  /** Act no earlier than this (scheduled maintenance: NotBefore minus the lead time). */
  readonly startAtMs?: number;
  /** When a scheduled change's window ends (IMDS NotAfter, Health endTime): NTH's `EndTime`. */
  readonly endAtMs?: number;
  readonly source: EventSource;
  readonly origin: EventOrigin;
  /** Human-readable detail: instance action, EC2 state, maintenance code, ASG transition. */
  readonly description: string;
  /** Extra facts from the payload (region, AZ, instance type, ASG name), all optional. */
  readonly region?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  readonly autoScalingGroupName?: string;
}

/** A notice that an earlier event no longer applies (maintenance canceled or completed). */
export interface EventCancellation {
  readonly eventId: string;
  readonly instanceId: string;
  readonly kind: EventKind;
  readonly reason: string;
}

/** The outcome of parsing one input: an event, a cancellation, a typed ignore, or a typed error. */
export type ParseOutcome =
  | { readonly type: 'event'; readonly events: readonly InterruptionEvent[] }
  | { readonly type: 'cancel'; readonly cancellations: readonly EventCancellation[] }
  | { readonly type: 'ignore'; readonly reason: IgnoreReason; readonly detail?: string }
  | { readonly type: 'invalid'; readonly reason: InvalidReason; readonly detail: string };

/** Inputs that are valid but need no action. Bounded: used as a metric label. */
export const IGNORE_REASONS = [
  'test-notification',
  'state-not-actionable',
  'not-ec2-service',
  'not-scheduled-change',
  'no-notice',
  'kind-disabled',
  'unsupported-transition',
] as const;
export type IgnoreReason = (typeof IGNORE_REASONS)[number];

/** Inputs that can never become valid. Bounded: used as a metric label. */
export const INVALID_REASONS = [
  'malformed-json',
  'unknown-source',
  'unknown-detail-type',
  'missing-field',
  'bad-field',
  'too-large',
] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/**
 * Events that must finish before the instance goes: PDBs yield to the deadline. An ASG scale-in seen
 * through the queue is not urgent: the instance waits for CompleteLifecycleAction (heartbeats extend
 * the hook), so PDBs and full grace periods are respected and a blocked drain is reported, never
 * forced. Seen through IMDS (target-lifecycle-state Terminated) it stays urgent: IMDS mode holds no AWS
 * credentials, cannot heartbeat or see the hook's timeout, and the instance goes when the hook expires
 * (docs/adr/0004-asg-scale-in-not-urgent.md).
 */
export function isUrgent(event: Pick<InterruptionEvent, 'kind' | 'source'>): boolean {
  if (event.kind === 'asg-termination') return event.source !== 'sqs';
  return event.kind === 'spot-interruption' || event.kind === 'state-change';
}
