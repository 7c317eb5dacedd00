/** Shared types and field readers for the queue message parsers (one parser per kind). */
import type {
  InterruptionEvent,
  InvalidReason,
  LifecycleHookRef,
  ParseOutcome,
} from '../interruption-event.js';

/** What the SQS consumer knows about the message being parsed. */
export interface QueueMessageContext {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** SentTimestamp, ms since epoch. */
  readonly sentAtMs?: number;
  /** The clock's now, ms since epoch. */
  readonly nowMs: number;
}

/** Deadlines the payloads do not carry, in seconds (see parse-queue-message.ts for the defaults). */
export interface QueueParseOptions {
  /** Assumed ASG lifecycle hook timeout when the hook's HeartbeatTimeout is not known. */
  readonly asgHookTimeoutSeconds: number;
  /** How far ahead a rebalance recommendation's deadline is put (it has none of its own). */
  readonly rebalanceDeadlineSeconds: number;
}

/** An EventBridge event envelope (schema: "Amazon EventBridge events", version 0). */
export interface EventBridgeEnvelope {
  readonly id: string;
  readonly source: string;
  readonly detailType: string;
  readonly timeMs?: number;
  readonly region?: string;
  readonly resources: readonly string[];
  readonly detail: Record<string, unknown>;
}

/** A parser for one (source, detail-type). */
export type KindParser = (
  envelope: EventBridgeEnvelope,
  context: QueueMessageContext,
  options: QueueParseOptions,
) => ParseOutcome;

/** EC2 instance ids as AWS issues them: 8 (old) or 17 hex digits. */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** Thrown inside parsers for a missing or bad field; turned into an 'invalid' outcome at the top. */
export class FieldError extends Error {
  constructor(
    readonly reason: InvalidReason,
    message: string,
  ) {
    super(message);
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A required non-empty string field. */
export function requireString(record: Record<string, unknown>, key: string): string {
  const value = record[key];
  if (value === undefined || value === null || value === '') throw new FieldError('missing-field', key);
  if (typeof value !== 'string') throw new FieldError('bad-field', `${key} is not a string`);
  return value;
}

/** An optional string field (non-strings count as absent). */
export function optionalString(record: Record<string, unknown>, key: string): string | undefined {
  const value = record[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A required EC2 instance id field. */
export function requireInstanceId(record: Record<string, unknown>, key: string): string {
  const id = requireString(record, key);
  if (!INSTANCE_ID.test(id)) throw new FieldError('bad-field', `${key} is not an EC2 instance id`);
  return id;
}

/** The latest time a payload may carry (9999-12-31T23:59:59.999Z): deadlines built on it stay valid Dates. */
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/**
 * Parses an optional time (RFC 3339 or RFC 1123); absent → undefined, unparseable or outside 1970–9999
 * (where adding a lead could leave the range a Date can hold) → bad-field.
 */
export function optionalTime(record: Record<string, unknown>, key: string): number | undefined {
  const text = optionalString(record, key);
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new FieldError('bad-field', `${key} is not a time`);
  if (ms < 0 || ms > MAX_TIME_MS) throw new FieldError('bad-field', `${key} is outside 1970–9999`);
  return ms;
}

/** A stable event id that is also a valid label value (taint value): [A-Za-z0-9-.]. */
export function eventId(awsId: string, instanceId: string): string {
  const clean = awsId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40);
  return `${clean || 'x'}-${instanceId}`;
}

/** The fields every queue event shares. */
export function baseEvent(
  envelope: EventBridgeEnvelope,
  context: QueueMessageContext,
  instanceId: string,
  lifecycle?: LifecycleHookRef,
): Pick<InterruptionEvent, 'id' | 'instanceId' | 'noticedAtMs' | 'source' | 'origin'> & {
  issuedAtMs?: number;
  region?: string;
} {
  const message = { messageId: context.messageId, receiptHandle: context.receiptHandle };
  const withSent = context.sentAtMs === undefined ? message : { ...message, sentAtMs: context.sentAtMs };
  return {
    id: eventId(envelope.id, instanceId),
    instanceId,
    noticedAtMs: context.nowMs,
    source: 'sqs',
    origin: lifecycle ? { type: 'sqs', message: withSent, lifecycle } : { type: 'sqs', message: withSent },
    ...(envelope.timeMs === undefined ? {} : { issuedAtMs: envelope.timeMs }),
    ...(envelope.region === undefined ? {} : { region: envelope.region }),
  };
}

/** Wraps events into an outcome. */
export function eventsOutcome(events: readonly InterruptionEvent[]): ParseOutcome {
  return { type: 'event', events };
}
