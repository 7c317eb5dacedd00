/** `/latest/meta-data/events/recommendations/rebalance`: `{"noticeTime":"2026-11-29T09:45:00Z"}`. */
import type { ParseOutcome } from '../interruption-event.js';
import {
  imdsEvent,
  invalid,
  isRecord,
  parseIsoTime,
  parseJsonBody,
  shortHash,
  type ImdsParseContext,
} from './imds-context.js';

/** IMDS path of the rebalance recommendation. */
export const REBALANCE_PATH = '/latest/meta-data/events/recommendations/rebalance';

/**
 * Parses a rebalance recommendation. It carries no deadline, so the deadline is noticeTime plus
 * `context.rebalanceHorizonMs`; id = `rebalance-` + hash(noticeTime), the same on every poll.
 */
export function parseRebalance(body: string, context: ImdsParseContext): ParseOutcome {
  const json = parseJsonBody(body);
  if (!json.ok) return json.outcome;
  const value = json.value;
  if (!isRecord(value)) return invalid('bad-field', 'rebalance recommendation is not a JSON object');
  if (value.noticeTime === undefined) return invalid('missing-field', 'noticeTime');
  const noticeMs = parseIsoTime(value.noticeTime);
  if (noticeMs === undefined) {
    return invalid('bad-field', `noticeTime: ${JSON.stringify(value.noticeTime).slice(0, 40)}`);
  }
  const event = imdsEvent(context, {
    id: `rebalance-${shortHash(String(noticeMs))}`,
    kind: 'rebalance-recommendation',
    path: REBALANCE_PATH,
    deadlineMs: noticeMs + context.rebalanceHorizonMs,
    description: `rebalance recommendation at ${new Date(noticeMs).toISOString()}`,
  });
  return { type: 'event', events: [{ ...event, issuedAtMs: noticeMs }] };
}
