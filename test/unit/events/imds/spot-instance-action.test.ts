import { describe, expect, it } from 'vitest';
import { parseSpotInstanceAction } from '../../../../src/events/imds/spot-instance-action.js';
import { CONTEXT, fixture, GARBAGE } from './imds-parse-fixtures.js';

const body = (o: unknown): string => JSON.stringify(o);

describe('parseSpotInstanceAction', () => {
  it('parses the fixture into a spot-interruption event with deadline = time', () => {
    const out = parseSpotInstanceAction(fixture('spot-instance-action.json'), CONTEXT);
    expect(out).toEqual({
      type: 'event',
      events: [
        {
          id: expect.stringMatching(/^spot-itn-[0-9a-f]{16}$/),
          kind: 'spot-interruption',
          instanceId: CONTEXT.instanceId,
          nodeName: CONTEXT.nodeName,
          noticedAtMs: CONTEXT.nowMs,
          deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
          source: 'imds',
          origin: { type: 'imds', path: '/latest/meta-data/spot/instance-action' },
          description: 'spot instance-action terminate at 2026-11-29T10:02:00.000Z',
          region: 'us-east-1',
          availabilityZone: 'us-east-1a',
          instanceType: 'm5.large',
        },
      ],
    });
  });

  it('gives the same id for the same notice on a later poll, another for another notice', () => {
    const id = (b: string, nowMs = CONTEXT.nowMs): string => {
      const out = parseSpotInstanceAction(b, { ...CONTEXT, nowMs });
      return out.type === 'event' ? (out.events[0]?.id ?? '') : '';
    };
    const a = id(body({ action: 'terminate', time: '2026-11-29T10:02:00Z' }));
    expect(id(body({ time: '2026-11-29T10:02:00Z', action: 'terminate' }), CONTEXT.nowMs + 5000)).toBe(a);
    expect(id(body({ action: 'stop', time: '2026-11-29T10:02:00Z' }))).not.toBe(a);
    expect(id(body({ action: 'terminate', time: '2026-11-29T10:03:00Z' }))).not.toBe(a);
  });

  it.each(['terminate', 'stop', 'hibernate'])('accepts action %s', (action) => {
    const out = parseSpotInstanceAction(body({ action, time: '2026-11-29T10:02:00Z' }), CONTEXT);
    expect(out.type === 'event' && out.events[0]?.description).toContain(action);
  });

  it.each<[string, string, string]>([
    ...GARBAGE.map(
      ([name, b]) =>
        [
          name,
          b,
          name.includes('json') || name === 'empty' || name.includes('html') ? 'malformed-json' : 'bad-field',
        ] as [string, string, string],
    ),
    ['array', '[]', 'bad-field'],
    ['no action', body({ time: '2026-11-29T10:02:00Z' }), 'missing-field'],
    ['no time', body({ action: 'terminate' }), 'missing-field'],
    ['unknown action', body({ action: 'explode', time: '2026-11-29T10:02:00Z' }), 'bad-field'],
    ['action not a string', body({ action: 1, time: '2026-11-29T10:02:00Z' }), 'bad-field'],
    ['time not a string', body({ action: 'terminate', time: 1764410520000 }), 'bad-field'],
    ['time not a date', body({ action: 'terminate', time: 'soon' }), 'bad-field'],
    ['time without zone', body({ action: 'terminate', time: '2026-11-29T10:02:00' }), 'bad-field'],
    ['time out of range', body({ action: 'terminate', time: '2026-13-45T10:02:00Z' }), 'bad-field'],
    [
      'huge body',
      body({ action: 'terminate', time: '2026-11-29T10:02:00Z', pad: 'x'.repeat(70_000) }),
      'too-large',
    ],
  ])('%s -> invalid %s', (_name, b, reason) => {
    expect(parseSpotInstanceAction(b, CONTEXT)).toMatchObject({ type: 'invalid', reason });
  });
});
