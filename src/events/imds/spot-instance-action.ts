/** `/latest/meta-data/spot/instance-action`: `{"action":"terminate","time":"2026-11-29T10:02:00Z"}`. */
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

/** IMDS path of the spot interruption notice. */
export const SPOT_INSTANCE_ACTION_PATH = '/latest/meta-data/spot/instance-action';

const ACTIONS = new Set(['terminate', 'stop', 'hibernate']);

/** Parses a spot instance-action body; deadline = `time`, id = `spot-itn-` + hash(action, time). */
export function parseSpotInstanceAction(body: string, context: ImdsParseContext): ParseOutcome {
  const json = parseJsonBody(body);
  if (!json.ok) return json.outcome;
  const value = json.value;
  if (!isRecord(value)) return invalid('bad-field', 'instance-action is not a JSON object');
  const { action, time } = value;
  if (action === undefined) return invalid('missing-field', 'action');
  if (time === undefined) return invalid('missing-field', 'time');
  if (typeof action !== 'string' || !ACTIONS.has(action)) {
    return invalid('bad-field', `action: ${JSON.stringify(action).slice(0, 40)}`);
  }
  const deadlineMs = parseIsoTime(time);
  if (deadlineMs === undefined) return invalid('bad-field', `time: ${JSON.stringify(time).slice(0, 40)}`);
  const event = imdsEvent(context, {
    id: `spot-itn-${shortHash(`${action}|${deadlineMs}`)}`,
    kind: 'spot-interruption',
    path: SPOT_INSTANCE_ACTION_PATH,
    deadlineMs,
    description: `spot instance-action ${action} at ${new Date(deadlineMs).toISOString()}`,
  });
  return { type: 'event', events: [event] };
}
