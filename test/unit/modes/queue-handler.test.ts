import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../../../src/clock.js';
import type { EventCancellation, InterruptionEvent } from '../../../src/events/interruption-event.js';
import { disposition, queueMessageHandler } from '../../../src/modes/queue-handler.js';
import type { ActionOutcome } from '../../../src/pipeline/event-store.js';
import { createMetrics } from '../../../src/report/metrics.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const o = (status: ActionOutcome['status']): ActionOutcome => ({ status, detail: status });

describe('disposition', () => {
  it.each([
    [[o('done')], true, { action: 'delete', reason: 'done' }],
    [[o('ignored')], true, { action: 'delete', reason: 'ignored' }],
    [[o('failed')], true, 'retry'],
    [[o('aborted')], true, 'retry'],
    [[o('foreign')], true, { action: 'delete', reason: 'foreign' }],
    [[o('foreign')], false, 'retry'],
    [[o('done'), o('foreign')], true, { action: 'delete', reason: 'done' }],
    [[o('done'), o('failed')], true, 'retry'],
  ] as const)('%j with deleteForeign=%s → %j', (outcomes, deleteForeign, expected) => {
    expect(disposition(outcomes, { deleteForeign })).toEqual(expected);
  });
});

describe('queueMessageHandler', () => {
  function setup(outcome: ActionOutcome = o('done')) {
    const submitted: InterruptionEvent[] = [];
    const canceled: EventCancellation[] = [];
    const metrics = createMetrics(new Registry(), { version: 't', mode: 'queue' }, { defaultMetrics: false });
    const handler = queueMessageHandler(
      {
        sink: {
          submit: async (e) => {
            submitted.push(e);
            return outcome;
          },
          cancel: async (c) => {
            canceled.push(c);
            return true;
          },
        },
        clock: new FakeClock(),
        logger: pino({ level: 'silent' }),
        metrics,
      },
      { deleteForeign: true },
    );
    const ac = new AbortController();
    const handle = (body: string) => handler({ messageId: 'm-1', receiptHandle: 'rh-1', body }, ac.signal);
    return { submitted, canceled, metrics, handle };
  }

  it('submits a spot interruption and deletes the message when the action is done', async () => {
    const t = setup();
    await expect(t.handle(fixture('eventbridge/spot-interruption-warning.json'))).resolves.toEqual({
      action: 'delete',
      reason: 'done',
    });
    expect(t.submitted).toHaveLength(1);
    expect(t.submitted[0]).toMatchObject({ kind: 'spot-interruption', source: 'sqs' });
  });

  it('an AWS Health event with statusCode closed cancels what its upcoming notice scheduled', async () => {
    const t = setup();
    const upcoming = fixture('eventbridge/health-scheduled-change.json');
    const closed = JSON.parse(upcoming) as { id: string; detail: Record<string, unknown> };
    closed.id = 'another-eventbridge-id';
    closed.detail['statusCode'] = 'closed';
    await t.handle(upcoming);
    await expect(t.handle(JSON.stringify(closed))).resolves.toEqual({ action: 'delete', reason: 'done' });
    expect(t.canceled).toEqual([
      expect.objectContaining({ eventId: t.submitted[0]?.id, instanceId: 'i-0a1b2c3d4e5f60006' }),
    ]);
    expect(t.submitted[0]).toMatchObject({ endAtMs: Date.parse('2026-12-02T12:00:00Z') });
  });

  it('keeps the message when the action failed', async () => {
    const t = setup(o('failed'));
    await expect(t.handle(fixture('eventbridge/spot-interruption-warning.json'))).resolves.toBe('retry');
  });

  it('deletes malformed and unknown messages at once, counted by reason', async () => {
    const t = setup();
    await expect(t.handle('{not json')).resolves.toEqual({ action: 'delete', reason: 'invalid' });
    await expect(
      t.handle(
        JSON.stringify({
          version: '0',
          id: 'e-1',
          source: 'aws.s3',
          'detail-type': 'Object Created',
          account: '123456789012',
          time: '2026-11-29T10:00:00Z',
          region: 'us-east-1',
          resources: [],
          detail: {},
        }),
      ),
    ).resolves.toEqual({
      action: 'delete',
      reason: 'invalid',
    });
    expect(t.submitted).toHaveLength(0);
    const text = await t.metrics.inputsInvalid.get();
    const reasons = text.values.map((v) => v.labels.reason).sort();
    expect(reasons).toEqual(['malformed-json', 'unknown-source']);
  });

  it('deletes ASG test notifications without acting', async () => {
    const t = setup();
    await expect(t.handle(fixture('asg-direct/test-notification.json'))).resolves.toEqual({
      action: 'delete',
      reason: 'ignored',
    });
    expect(t.submitted).toHaveLength(0);
  });
});
