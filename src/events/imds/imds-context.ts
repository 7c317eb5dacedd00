/** What every IMDS body parser needs besides the body, and the helpers they share. */
import { createHash } from 'node:crypto';
import type { EventKind, InterruptionEvent, InvalidReason, ParseOutcome } from '../interruption-event.js';

/** Facts about this instance and the settings that shape IMDS events. */
export interface ImdsParseContext {
  readonly instanceId: string;
  readonly nodeName?: string;
  /** When the body was read, ms since epoch (becomes noticedAtMs). */
  readonly nowMs: number;
  readonly region?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  /** Scheduled maintenance: act this long before NotBefore (SCHEDULED_EVENT_LEAD_SECONDS). */
  readonly scheduledLeadMs: number;
  /** Rebalance has no deadline: treat it as noticeTime + this (REBALANCE_CORDON_TTL_SECONDS, or 1800 s). */
  readonly rebalanceHorizonMs: number;
  /** ASG target-lifecycle-state Terminated has no deadline: treat it as first seen + this. */
  readonly asgTerminationHorizonMs: number;
}

/** Bodies larger than this are refused as `too-large` (real notices are under 1 KiB). */
export const MAX_IMDS_BODY_CHARS = 64 * 1024;

/** An `invalid` outcome. */
export function invalid(reason: InvalidReason, detail: string): ParseOutcome {
  return { type: 'invalid', reason, detail };
}

/** The first 16 hex digits of sha256(text): short, stable ids. */
export function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

/** The shared fields of an IMDS event. */
export function imdsEvent(
  context: ImdsParseContext,
  fields: { id: string; kind: EventKind; path: string; deadlineMs: number; description: string },
): InterruptionEvent {
  return {
    id: fields.id,
    kind: fields.kind,
    instanceId: context.instanceId,
    ...(context.nodeName !== undefined ? { nodeName: context.nodeName } : {}),
    noticedAtMs: context.nowMs,
    deadlineMs: fields.deadlineMs,
    source: 'imds',
    origin: { type: 'imds', path: fields.path },
    description: fields.description,
    ...(context.region !== undefined ? { region: context.region } : {}),
    ...(context.availabilityZone !== undefined ? { availabilityZone: context.availabilityZone } : {}),
    ...(context.instanceType !== undefined ? { instanceType: context.instanceType } : {}),
  };
}

/** Parses a JSON body, or says why it cannot be one (too large, not JSON). */
export function parseJsonBody(
  body: string,
): { ok: true; value: unknown } | { ok: false; outcome: ParseOutcome } {
  if (body.length > MAX_IMDS_BODY_CHARS) {
    return { ok: false, outcome: invalid('too-large', `body of ${body.length} chars`) };
  }
  try {
    return { ok: true, value: JSON.parse(body) as unknown };
  } catch {
    return { ok: false, outcome: invalid('malformed-json', `not JSON: ${body.slice(0, 80)}`) };
  }
}

/** True for a plain JSON object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Parses an RFC 3339 / ISO 8601 UTC timestamp as IMDS writes them (`2026-11-29T10:02:00Z`). */
export function parseIsoTime(value: unknown): number | undefined {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    return undefined;
  }
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}
