/**
 * `/latest/meta-data/events/maintenance/scheduled`: a JSON array of
 * `{NotBefore, NotAfter, Code, Description, EventId, State}` with dates like `02 Dec 2026 10:00:00 GMT`
 * (`[]` while none). One body can hold several entries in different states, so this parser returns a
 * list of outcomes: one `event` outcome with every active entry, one `cancel` outcome with every
 * canceled/completed entry, and one `invalid` outcome per broken entry (the good entries still count).
 */
import type { EventCancellation, InterruptionEvent, ParseOutcome } from '../interruption-event.js';
import { imdsEvent, invalid, isRecord, parseJsonBody, type ImdsParseContext } from './imds-context.js';

/** IMDS path of scheduled maintenance events. */
export const SCHEDULED_MAINTENANCE_PATH = '/latest/meta-data/events/maintenance/scheduled';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DATE = /^(\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) GMT$/;

/** Parses `02 Dec 2026 10:00:00 GMT` (the IMDS maintenance date form) to ms since epoch. */
export function parseMaintenanceDate(value: unknown): number | undefined {
  const m = typeof value === 'string' ? DATE.exec(value) : null;
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2] ?? '');
  const [day = 0, year = 0, hh = 0, mm = 0, ss = 0] = [m[1], m[3], m[4], m[5], m[6]].map(Number);
  if (month < 0 || hh > 23 || mm > 59 || ss > 59) return undefined;
  const ms = Date.UTC(year, month, day, hh, mm, ss);
  // Date.UTC rolls 31 Feb over into March; refuse instead.
  return new Date(ms).getUTCDate() === day ? ms : undefined;
}

/** The event id for a maintenance EventId; cancellations use the same id. */
export function maintenanceEventId(eventId: string): string {
  return `maint-${eventId}`;
}

type EntryResult =
  | { type: 'event'; event: InterruptionEvent }
  | { type: 'cancel'; cancellation: EventCancellation }
  | { type: 'invalid'; outcome: ParseOutcome };

function parseEntry(entry: unknown, index: number, context: ImdsParseContext): EntryResult {
  const bad = (reason: 'missing-field' | 'bad-field', what: string): EntryResult => ({
    type: 'invalid',
    outcome: invalid(reason, `entry ${index}: ${what}`),
  });
  if (!isRecord(entry)) return bad('bad-field', 'not a JSON object');
  const { EventId: eventId, State: state, Code: code, NotBefore: notBefore } = entry;
  if (eventId === undefined) return bad('missing-field', 'EventId');
  if (typeof eventId !== 'string' || eventId.length === 0) return bad('bad-field', 'EventId');
  if (state === undefined) return bad('missing-field', 'State');
  const id = maintenanceEventId(eventId);
  if (state === 'canceled' || state === 'completed') {
    const cancellation = {
      eventId: id,
      instanceId: context.instanceId,
      kind: 'scheduled-maintenance',
      reason: state,
    };
    return { type: 'cancel', cancellation: cancellation as EventCancellation };
  }
  if (state !== 'active') return bad('bad-field', `State ${JSON.stringify(state).slice(0, 40)}`);
  if (notBefore === undefined) return bad('missing-field', 'NotBefore');
  const notBeforeMs = parseMaintenanceDate(notBefore);
  if (notBeforeMs === undefined)
    return bad('bad-field', `NotBefore ${JSON.stringify(notBefore).slice(0, 40)}`);
  const codeText = typeof code === 'string' ? code.slice(0, 64) : 'maintenance';
  const text = typeof entry.Description === 'string' ? `: ${entry.Description.slice(0, 200)}` : '';
  const event = imdsEvent(context, {
    id,
    kind: 'scheduled-maintenance',
    path: SCHEDULED_MAINTENANCE_PATH,
    deadlineMs: notBeforeMs,
    description: `${codeText}${text}`,
  });
  const notAfterMs = parseMaintenanceDate(entry.NotAfter);
  const window = notAfterMs === undefined ? {} : { endAtMs: notAfterMs };
  return {
    type: 'event',
    event: { ...event, ...window, startAtMs: notBeforeMs - context.scheduledLeadMs },
  };
}

/** Parses the scheduled maintenance list into a list of outcomes (see the file comment). */
export function parseScheduledMaintenance(body: string, context: ImdsParseContext): ParseOutcome[] {
  const json = parseJsonBody(body);
  if (!json.ok) return [json.outcome];
  if (!Array.isArray(json.value)) return [invalid('bad-field', 'scheduled events is not a JSON array')];
  if (json.value.length === 0) return [{ type: 'ignore', reason: 'no-notice' }];
  const results = json.value.map((entry, i) => parseEntry(entry, i, context));
  const events = results.flatMap((r) => (r.type === 'event' ? [r.event] : []));
  const cancellations = results.flatMap((r) => (r.type === 'cancel' ? [r.cancellation] : []));
  const outcomes: ParseOutcome[] = [];
  if (events.length > 0) outcomes.push({ type: 'event', events });
  if (cancellations.length > 0) outcomes.push({ type: 'cancel', cancellations });
  for (const r of results) if (r.type === 'invalid') outcomes.push(r.outcome);
  return outcomes;
}
