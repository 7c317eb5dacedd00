/**
 * Parses one SQS message body into a ParseOutcome. Bodies may be EventBridge events, direct Auto Scaling
 * lifecycle notifications, or either wrapped in an SNS envelope. One parser per (source, detail-type),
 * chosen by a lookup table; anything unknown is 'invalid' with a reason, never a throw.
 */
import type { ParseOutcome } from '../interruption-event.js';
import { parseAsgLifecycle } from './asg-lifecycle.js';
import { parseHealthScheduledChange } from './health-scheduled-change.js';
import {
  FieldError,
  isRecord,
  optionalString,
  optionalTime,
  requireString,
  type EventBridgeEnvelope,
  type KindParser,
  type QueueMessageContext,
  type QueueParseOptions,
} from './queue-context.js';
import { parseRebalanceRecommendation } from './rebalance-recommendation.js';
import { parseSpotInterruption } from './spot-interruption.js';
import { parseStateChange } from './state-change.js';

/** SQS's largest message body. */
export const MAX_BODY_BYTES = 256 * 1024;

/** Longest outcome detail and event description kept: they reach logs, Events and webhooks, not whole bodies. */
export const MAX_TEXT_CHARS = 256;

/**
 * Defaults for what payloads do not say. 300 s is the hook timeout NTH's setup guide uses (AWS's own
 * default is 3600 s): assuming the shorter one drains early rather than late; the pipeline may replace
 * it with the hook's real HeartbeatTimeout.
 */
export const DEFAULT_QUEUE_PARSE_OPTIONS: QueueParseOptions = {
  asgHookTimeoutSeconds: 300,
  rebalanceDeadlineSeconds: 1800,
};

/** detail-type we give direct (non-EventBridge) Auto Scaling notifications. */
const DIRECT_ASG = 'direct lifecycle notification';
const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';

/** (source, detail-type) → parser. */
const PARSERS: ReadonlyMap<string, KindParser> = new Map([
  ['aws.ec2|EC2 Spot Instance Interruption Warning', parseSpotInterruption],
  ['aws.ec2|EC2 Instance Rebalance Recommendation', parseRebalanceRecommendation],
  ['aws.ec2|EC2 Instance State-change Notification', parseStateChange],
  ['aws.health|AWS Health Event', parseHealthScheduledChange],
  ['aws.autoscaling|EC2 Instance-terminate Lifecycle Action', parseAsgLifecycle],
  ['aws.autoscaling|EC2 Instance-launch Lifecycle Action', parseAsgLifecycle],
  [`aws.autoscaling|${DIRECT_ASG}`, parseAsgLifecycle],
]);
const KNOWN_SOURCES = new Set([...PARSERS.keys()].map((key) => key.split('|')[0]));

/** Parses an SQS message body. Never throws. */
export function parseQueueMessage(
  body: string,
  context: QueueMessageContext,
  options: QueueParseOptions = DEFAULT_QUEUE_PARSE_OPTIONS,
): ParseOutcome {
  return boundText(parseBody(body, context, options));
}

function parseBody(body: string, context: QueueMessageContext, options: QueueParseOptions): ParseOutcome {
  if (Buffer.byteLength(body, 'utf8') > MAX_BODY_BYTES) {
    return { type: 'invalid', reason: 'too-large', detail: `body over ${MAX_BODY_BYTES} bytes` };
  }
  try {
    const json = unwrapSns(parseObject(body));
    const envelope = toEnvelope(json);
    if (envelope === 'test-notification') return { type: 'ignore', reason: 'test-notification' };
    const parser = PARSERS.get(`${envelope.source}|${envelope.detailType}`);
    if (parser === undefined) {
      return KNOWN_SOURCES.has(envelope.source)
        ? { type: 'invalid', reason: 'unknown-detail-type', detail: envelope.detailType }
        : { type: 'invalid', reason: 'unknown-source', detail: envelope.source };
    }
    return parser(envelope, context, options);
  } catch (err) {
    if (err instanceof FieldError) return { type: 'invalid', reason: err.reason, detail: err.message };
    throw err;
  }
}

const cut = (text: string): string =>
  text.length > MAX_TEXT_CHARS ? `${text.slice(0, MAX_TEXT_CHARS - 1)}…` : text;

/** Cuts payload-controlled text (details, descriptions) to MAX_TEXT_CHARS. */
function boundText(outcome: ParseOutcome): ParseOutcome {
  switch (outcome.type) {
    case 'invalid':
      return { ...outcome, detail: cut(outcome.detail) };
    case 'ignore':
      return outcome.detail === undefined ? outcome : { ...outcome, detail: cut(outcome.detail) };
    case 'event':
      return { ...outcome, events: outcome.events.map((e) => ({ ...e, description: cut(e.description) })) };
    default:
      return outcome;
  }
}

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new FieldError('malformed-json', err instanceof Error ? err.message : 'unparseable');
  }
  if (!isRecord(value)) throw new FieldError('malformed-json', 'not a JSON object');
  return value;
}

/** SNS notification envelope: {"Type":"Notification","Message":"<json>"} → the inner object. */
function unwrapSns(json: Record<string, unknown>): Record<string, unknown> {
  if (json['Type'] !== 'Notification' || typeof json['Message'] !== 'string') return json;
  return parseObject(json['Message']);
}

function toEnvelope(json: Record<string, unknown>): EventBridgeEnvelope | 'test-notification' {
  if (json['Event'] === TEST_NOTIFICATION || json['LifecycleTransition'] === TEST_NOTIFICATION) {
    return 'test-notification';
  }
  if (json['detail-type'] === undefined) {
    if (json['LifecycleTransition'] === undefined) {
      throw new FieldError('unknown-source', 'neither an EventBridge event nor a lifecycle notification');
    }
    return directAsgEnvelope(json);
  }
  const detail = json['detail'];
  if (!isRecord(detail)) throw new FieldError('missing-field', 'detail');
  const resources = Array.isArray(json['resources']) ? (json['resources'] as unknown[]) : [];
  const region = optionalString(json, 'region');
  const timeMs = optionalTime(json, 'time');
  return {
    id: requireString(json, 'id'),
    source: requireString(json, 'source'),
    detailType: requireString(json, 'detail-type'),
    resources: resources.filter((r): r is string => typeof r === 'string'),
    detail,
    ...(region === undefined ? {} : { region }),
    ...(timeMs === undefined ? {} : { timeMs }),
  };
}

/** A direct ASG notification, seen as an EventBridge event whose id is the RequestId. */
function directAsgEnvelope(json: Record<string, unknown>): EventBridgeEnvelope {
  const timeMs = optionalTime(json, 'Time');
  return {
    id: requireString(json, 'RequestId'),
    source: 'aws.autoscaling',
    detailType: DIRECT_ASG,
    resources: [],
    detail: json,
    ...(timeMs === undefined ? {} : { timeMs }),
  };
}
