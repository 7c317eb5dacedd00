import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseQueueMessage, MAX_BODY_BYTES } from '../../../../src/events/queue/parse-queue-message.js';
import type { InterruptionEvent, ParseOutcome } from '../../../../src/events/interruption-event.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures', import.meta.url));
const NOW = Date.parse('2026-11-29T10:00:30Z');
const CTX = { messageId: 'm-1', receiptHandle: 'rh-1', sentAtMs: NOW - 500, nowMs: NOW };

/** A fixture body as an editable object. */
type Msg = Record<string, unknown> & { detail: Record<string, unknown> };

function fixture(path: string): Msg {
  return JSON.parse(readFileSync(`${FIXTURES}/${path}`, 'utf8'));
}
/** A fixture with some fields changed (undefined deletes). */
function variant(path: string, change: (m: Msg) => void): string {
  const m = fixture(path);
  change(m);
  return JSON.stringify(m);
}
function sns(inner: string): string {
  return JSON.stringify({
    Type: 'Notification',
    MessageId: 'sns-1',
    TopicArn: 'arn:aws:sns:x',
    Message: inner,
  });
}
function events(outcome: ParseOutcome): readonly InterruptionEvent[] {
  if (outcome.type !== 'event') throw new Error(`expected events, got ${JSON.stringify(outcome)}`);
  return outcome.events;
}
const parse = (body: string) => parseQueueMessage(body, CTX);
const t = (iso: string) => Date.parse(iso);

describe('parseQueueMessage: fixtures', () => {
  it.each([
    [
      'eventbridge/spot-interruption-warning.json',
      'spot-interruption',
      'i-0a1b2c3d4e5f60001',
      t('2026-11-29T10:02:00Z'),
    ],
    [
      'eventbridge/rebalance-recommendation.json',
      'rebalance-recommendation',
      'i-0a1b2c3d4e5f60002',
      t('2026-11-29T10:15:00Z'),
    ],
    [
      'eventbridge/instance-state-change-stopping.json',
      'state-change',
      'i-0a1b2c3d4e5f60003',
      t('2026-11-29T10:07:00Z'),
    ],
    [
      'eventbridge/asg-terminate-lifecycle-action.json',
      'asg-termination',
      'i-0a1b2c3d4e5f60004',
      t('2026-11-29T10:15:00Z'),
    ],
    [
      'eventbridge/asg-launch-lifecycle-action.json',
      'asg-launch',
      'i-0a1b2c3d4e5f60005',
      t('2026-11-29T10:17:00Z'),
    ],
    [
      'eventbridge/health-scheduled-change.json',
      'scheduled-maintenance',
      'i-0a1b2c3d4e5f60006',
      t('2026-12-02T10:00:00Z'),
    ],
    [
      'asg-direct/terminate-lifecycle-hook.json',
      'asg-termination',
      'i-0a1b2c3d4e5f60007',
      t('2026-11-29T10:15:00.123Z'),
    ],
  ])('%s → %s', (path, kind, instanceId, deadlineMs) => {
    const [event, ...rest] = events(parse(readFileSync(`${FIXTURES}/${path}`, 'utf8')));
    expect(rest).toEqual([]);
    expect(event).toMatchObject({ kind, instanceId, deadlineMs, source: 'sqs', noticedAtMs: NOW });
    expect(event?.origin).toMatchObject({
      type: 'sqs',
      message: { messageId: 'm-1', receiptHandle: 'rh-1', sentAtMs: NOW - 500 },
    });
    expect(event?.id).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]*[A-Za-z0-9]$/);
    expect(event?.id.length).toBeLessThanOrEqual(63);
  });

  it('the ASG hook reference travels in the origin', () => {
    const [event] = events(parse(JSON.stringify(fixture('eventbridge/asg-terminate-lifecycle-action.json'))));
    expect(event?.origin).toMatchObject({
      lifecycle: {
        hookName: 'node-drain',
        groupName: 'eks-spot-workers',
        token: '87654321-4321-4321-4321-210987654321',
        instanceId: 'i-0a1b2c3d4e5f60004',
      },
    });
    expect(event?.autoScalingGroupName).toBe('eks-spot-workers');
  });

  it('the test notification is ignored, direct or wrapped', () => {
    const body = readFileSync(`${FIXTURES}/asg-direct/test-notification.json`, 'utf8');
    expect(parse(body)).toEqual({ type: 'ignore', reason: 'test-notification' });
    expect(parse(sns(body))).toEqual({ type: 'ignore', reason: 'test-notification' });
  });

  it.each([
    'eventbridge/spot-interruption-warning.json',
    'eventbridge/asg-terminate-lifecycle-action.json',
    'asg-direct/terminate-lifecycle-hook.json',
  ])('SNS-wrapped %s parses like the bare body', (path) => {
    const body = readFileSync(`${FIXTURES}/${path}`, 'utf8');
    expect(parse(sns(body))).toEqual(parse(body));
  });

  it('event ids are stable across redelivery and differ between messages', () => {
    const body = readFileSync(`${FIXTURES}/eventbridge/spot-interruption-warning.json`, 'utf8');
    const first = events(parse(body))[0];
    const again = events(parseQueueMessage(body, { ...CTX, receiptHandle: 'rh-2', nowMs: NOW + 60_000 }))[0];
    expect(again?.id).toBe(first?.id);
    const other = events(
      parse(variant('eventbridge/spot-interruption-warning.json', (m) => (m.id = 'other-id'))),
    )[0];
    expect(other?.id).not.toBe(first?.id);
  });
});

describe('parseQueueMessage: health events', () => {
  const health = 'eventbridge/health-scheduled-change.json';
  it('makes one event per affected instance, with distinct ids', () => {
    const body = variant(health, (m) => {
      m.detail.affectedEntities = [
        { entityValue: 'i-0000000000000000a' },
        { entityValue: 'i-0000000000000000b' },
        { entityValue: 'vol-0123' },
      ];
    });
    const list = events(parse(body));
    expect(list.map((e) => e.instanceId)).toEqual(['i-0000000000000000a', 'i-0000000000000000b']);
    expect(new Set(list.map((e) => e.id)).size).toBe(2);
  });
  it('falls back to now without a start time', () => {
    const [event] = events(parse(variant(health, (m) => delete m.detail.startTime)));
    expect(event?.deadlineMs).toBe(NOW);
  });
  it.each([
    ['RDS service', (m: Msg) => (m.detail.service = 'RDS'), 'not-ec2-service'],
    ['issue category', (m: Msg) => (m.detail.eventTypeCategory = 'issue'), 'not-scheduled-change'],
  ])('ignores %s', (_name, change, reason) => {
    expect(parse(variant(health, change))).toMatchObject({ type: 'ignore', reason });
  });
});

describe('parseQueueMessage: state changes (exact match)', () => {
  const path = 'eventbridge/instance-state-change-stopping.json';
  it.each([
    ['stopping', 'event'],
    ['stopped', 'event'],
    ['shutting-down', 'event'],
    ['terminated', 'event'],
    ['running', 'ignore'],
    ['pending', 'ignore'],
    ['stop', 'ignore'],
    ['STOPPING', 'ignore'],
  ])('%s → %s', (state, type) => {
    const outcome = parse(variant(path, (m) => (m.detail.state = state)));
    expect(outcome.type).toBe(type);
    if (type === 'ignore') expect(outcome).toMatchObject({ reason: 'state-not-actionable' });
  });
});

describe('parseQueueMessage: bad input', () => {
  const spot = 'eventbridge/spot-interruption-warning.json';
  const hook = 'asg-direct/terminate-lifecycle-hook.json';
  it.each([
    ['not JSON', '{"detail-type":', 'malformed-json'],
    ['a JSON array', '[1,2]', 'malformed-json'],
    ['a JSON string', '"hello"', 'malformed-json'],
    ['SNS with a bad inner message', sns('{nope'), 'malformed-json'],
    ['an empty object', '{}', 'unknown-source'],
    ['unknown source', variant(spot, (m) => (m.source = 'aws.s3')), 'unknown-source'],
    [
      'unknown ec2 detail-type',
      variant(spot, (m) => (m['detail-type'] = 'EC2 Something Else')),
      'unknown-detail-type',
    ],
    ['no detail', variant(spot, (m) => delete (m as Record<string, unknown>).detail), 'missing-field'],
    ['no id', variant(spot, (m) => delete m.id), 'missing-field'],
    ['no instance id', variant(spot, (m) => delete m.detail['instance-id']), 'missing-field'],
    ['bad instance id', variant(spot, (m) => (m.detail['instance-id'] = 'i-XYZ')), 'bad-field'],
    [
      'instance id with suffix',
      variant(spot, (m) => (m.detail['instance-id'] = 'i-0a1b2c3d4e5f60001; rm')),
      'bad-field',
    ],
    ['numeric instance id', variant(spot, (m) => (m.detail['instance-id'] = 42)), 'bad-field'],
    ['unparseable time', variant(spot, (m) => (m.time = 'yesterday')), 'bad-field'],
    ['hook without group', variant(hook, (m) => delete m.AutoScalingGroupName), 'missing-field'],
    ['hook without RequestId', variant(hook, (m) => delete m.RequestId), 'missing-field'],
    ['too large', JSON.stringify({ pad: 'x'.repeat(MAX_BODY_BYTES) }), 'too-large'],
  ])('%s → invalid %s', (_name, body, reason) => {
    const outcome = parse(body);
    expect(outcome).toMatchObject({ type: 'invalid', reason });
  });

  it('ignores unsupported lifecycle transitions', () => {
    const body = variant(hook, (m) => (m.LifecycleTransition = 'autoscaling:EC2_INSTANCE_LAUNCH_ERROR'));
    expect(parse(body)).toMatchObject({ type: 'ignore', reason: 'unsupported-transition' });
  });

  it('never throws on arbitrary JSON values in fields', () => {
    for (const value of [null, 1, true, [], {}, 'x']) {
      for (const key of ['id', 'source', 'detail-type', 'time', 'detail', 'resources', 'region']) {
        const outcome = parse(variant(spot, (m) => (m[key] = value)));
        expect(['event', 'invalid', 'ignore']).toContain(outcome.type);
      }
    }
  });
});
