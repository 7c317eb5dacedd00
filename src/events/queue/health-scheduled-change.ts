/** AWS Health Event (source aws.health) of category scheduledChange for EC2: one event per instance. */
import type { InterruptionEvent, ParseOutcome } from '../interruption-event.js';
import {
  FieldError,
  INSTANCE_ID,
  baseEvent,
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
  const startMs = optionalTime(detail, 'startTime');
  const code = optionalString(detail, 'eventTypeCode') ?? 'scheduled change';
  const events: InterruptionEvent[] = instances.map((instanceId) => ({
    ...baseEvent(envelope, context, instanceId),
    kind: 'scheduled-maintenance',
    deadlineMs: startMs ?? context.nowMs,
    description: code,
  }));
  return eventsOutcome(events);
};
