/**
 * AWS Health Event (source aws.health) of category scheduledChange for EC2: one event per instance.
 * The upcoming, open and closed notices of one Health event share its eventArn, so the event id comes
 * from it; `statusCode: closed` cancels what the earlier notices scheduled.
 */
import { createHash } from 'node:crypto';
import type { EventCancellation, InterruptionEvent, ParseOutcome } from '../interruption-event.js';
import {
  FieldError,
  INSTANCE_ID,
  baseEvent,
  eventId,
  eventsOutcome,
  isRecord,
  optionalString,
  optionalTime,
  type KindParser,
} from './queue-context.js';

/** Instance ids from detail.affectedEntities[].entityValue, else from the envelope resources. */
function affectedInstances(detail: Record<string, unknown>, resources: readonly string[]): string[] {
  const entities = Array.isArray(detail['affectedEntities']) ? (detail['affectedEntities'] as unknown[]) : [];
  const fromEntities = entities
    .map((e) => (isRecord(e) ? e['entityValue'] : undefined))
    .filter((v): v is string => typeof v === 'string');
  const candidates = fromEntities.length > 0 ? fromEntities : resources;
  return [...new Set(candidates.filter((v) => INSTANCE_ID.test(v)))];
}

/** The id every notice of one Health event shares: a digest of its eventArn (else the envelope id). */
function healthId(detail: Record<string, unknown>, fallback: string): string {
  const arn = optionalString(detail, 'eventArn');
  return arn ? `health-${createHash('sha256').update(arn).digest('hex').slice(0, 24)}` : fallback;
}

/** Parses a Health scheduledChange; deadline = detail.startTime when present, else now. */
export const parseHealthScheduledChange: KindParser = (envelope, context): ParseOutcome => {
  const { detail } = envelope;
  const service = optionalString(detail, 'service');
  if (service !== 'EC2') return { type: 'ignore', reason: 'not-ec2-service', detail: service ?? '' };
  const category = optionalString(detail, 'eventTypeCategory');
  if (category !== 'scheduledChange') {
    return { type: 'ignore', reason: 'not-scheduled-change', detail: category ?? '' };
  }
  const instances = affectedInstances(detail, envelope.resources);
  if (instances.length === 0) throw new FieldError('missing-field', 'affectedEntities (no instance ids)');
  const awsId = healthId(detail, envelope.id);
  const code = optionalString(detail, 'eventTypeCode') ?? 'scheduled change';
  if (optionalString(detail, 'statusCode') === 'closed') {
    const cancellations: EventCancellation[] = instances.map((instanceId) => ({
      eventId: eventId(awsId, instanceId),
      instanceId,
      kind: 'scheduled-maintenance',
      reason: `AWS Health event closed (${code})`,
    }));
    return { type: 'cancel', cancellations };
  }
  const startMs = optionalTime(detail, 'startTime');
  const endMs = optionalTime(detail, 'endTime');
  const events: InterruptionEvent[] = instances.map((instanceId) => ({
    ...baseEvent(envelope, context, instanceId),
    id: eventId(awsId, instanceId),
    kind: 'scheduled-maintenance',
    deadlineMs: startMs ?? context.nowMs,
    ...(endMs === undefined ? {} : { endAtMs: endMs }),
    description: code,
  }));
  return eventsOutcome(events);
};
