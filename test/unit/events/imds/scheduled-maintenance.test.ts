import { describe, expect, it } from 'vitest';
import {
  maintenanceEventId,
  parseMaintenanceDate,
  parseScheduledMaintenance,
} from '../../../../src/events/imds/scheduled-maintenance.js';
import { CONTEXT, fixture, GARBAGE } from './imds-parse-fixtures.js';

const entry = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  NotBefore: '02 Dec 2026 10:00:00 GMT',
  Code: 'system-reboot',
  Description: 'scheduled reboot',
  EventId: 'instance-event-0d59937288b749b32',
  NotAfter: '02 Dec 2026 12:00:00 GMT',
  State: 'active',
  ...o,
});
const parse = (entries: unknown) => parseScheduledMaintenance(JSON.stringify(entries), CONTEXT);

describe('parseMaintenanceDate', () => {
  it.each([
    ['02 Dec 2026 10:00:00 GMT', Date.parse('2026-12-02T10:00:00Z')],
    ['2 Jan 2027 00:00:59 GMT', Date.parse('2027-01-02T00:00:59Z')],
    ['29 Feb 2028 23:59:59 GMT', Date.parse('2028-02-29T23:59:59Z')],
    ['31 Feb 2026 10:00:00 GMT', undefined],
    ['02 Foo 2026 10:00:00 GMT', undefined],
    ['02 Dec 2026 25:00:00 GMT', undefined],
    ['02 Dec 2026 10:00:00 UTC', undefined],
    ['2026-12-02T10:00:00Z', undefined],
    ['', undefined],
    [42, undefined],
  ])('%j -> %s', (input, expected) => {
    expect(parseMaintenanceDate(input)).toBe(expected);
  });
});

describe('parseScheduledMaintenance', () => {
  it('parses the fixture: deadline = NotBefore, start = NotBefore - lead', () => {
    const notBefore = Date.parse('2026-12-02T10:00:00Z');
    expect(parseScheduledMaintenance(fixture('maintenance-scheduled.json'), CONTEXT)).toEqual([
      {
        type: 'event',
        events: [
          expect.objectContaining({
            id: 'maint-instance-event-0d59937288b749b32',
            kind: 'scheduled-maintenance',
            deadlineMs: notBefore,
            startAtMs: notBefore - CONTEXT.scheduledLeadMs,
            noticedAtMs: CONTEXT.nowMs,
            description: 'system-reboot: scheduled reboot',
            origin: { type: 'imds', path: '/latest/meta-data/events/maintenance/scheduled' },
          }),
        ],
      },
    ]);
  });

  it('ignores an empty list', () => {
    expect(parseScheduledMaintenance('[]', CONTEXT)).toEqual([{ type: 'ignore', reason: 'no-notice' }]);
  });

  it.each(['canceled', 'completed'])('turns %s into a cancellation of the same event id', (state) => {
    expect(parse([entry({ State: state })])).toEqual([
      {
        type: 'cancel',
        cancellations: [
          {
            eventId: maintenanceEventId('instance-event-0d59937288b749b32'),
            instanceId: CONTEXT.instanceId,
            kind: 'scheduled-maintenance',
            reason: state,
          },
        ],
      },
    ]);
  });

  it('returns events, cancellations and per-entry problems together', () => {
    const out = parse([
      entry({ EventId: 'e-1' }),
      entry({ EventId: 'e-2', State: 'canceled' }),
      entry({ EventId: 'e-3', NotBefore: 'next week' }),
      entry({ EventId: 'e-4', Code: 'instance-retirement' }),
      'junk',
    ]);
    expect(out.map((o) => o.type)).toEqual(['event', 'cancel', 'invalid', 'invalid']);
    expect(out[0]?.type === 'event' && out[0].events.map((e) => e.id)).toEqual(['maint-e-1', 'maint-e-4']);
    expect(out[2]).toMatchObject({
      reason: 'bad-field',
      detail: expect.stringContaining('entry 2: NotBefore'),
    });
    expect(out[3]).toMatchObject({ reason: 'bad-field', detail: 'entry 4: not a JSON object' });
  });

  it.each([
    ['no EventId', entry({ EventId: undefined }), 'missing-field'],
    ['EventId not a string', entry({ EventId: 7 }), 'bad-field'],
    ['no State', entry({ State: undefined }), 'missing-field'],
    ['unknown State', entry({ State: 'pending' }), 'bad-field'],
    ['no NotBefore', entry({ NotBefore: undefined }), 'missing-field'],
    ['NotBefore ISO', entry({ NotBefore: '2026-12-02T10:00:00Z' }), 'bad-field'],
  ])('entry with %s -> invalid %s', (_n, e, reason) => {
    expect(parse([e])).toEqual([{ type: 'invalid', reason, detail: expect.stringMatching(/^entry 0: /) }]);
  });

  it.each<[string, string, string]>([
    ...GARBAGE.filter(([n]) => !['null', 'number', 'string'].includes(n)).map(
      ([n, b]) => [n, b, 'malformed-json'] as [string, string, string],
    ),
    ['object', JSON.stringify(entry()), 'bad-field'],
    ['null', 'null', 'bad-field'],
    [
      'huge',
      JSON.stringify(Array.from({ length: 500 }, (_, i) => entry({ EventId: `e-${i}` }))),
      'too-large',
    ],
  ])('%s body -> invalid %s', (_n, b, reason) => {
    expect(parseScheduledMaintenance(b, CONTEXT)).toEqual([
      expect.objectContaining({ type: 'invalid', reason }),
    ]);
  });
});
