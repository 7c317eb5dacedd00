import { describe, expect, it } from 'vitest';
import { parseRebalance } from '../../../../src/events/imds/rebalance.js';
import { CONTEXT, fixture, GARBAGE } from './imds-parse-fixtures.js';

describe('parseRebalance', () => {
  it('parses the fixture; deadline = noticeTime + horizon', () => {
    const out = parseRebalance(fixture('rebalance-recommendation.json'), CONTEXT);
    const noticeMs = Date.parse('2026-11-29T09:45:00Z');
    expect(out).toMatchObject({
      type: 'event',
      events: [
        {
          id: expect.stringMatching(/^rebalance-[0-9a-f]{16}$/),
          kind: 'rebalance-recommendation',
          issuedAtMs: noticeMs,
          noticedAtMs: CONTEXT.nowMs,
          deadlineMs: noticeMs + CONTEXT.rebalanceHorizonMs,
          origin: { type: 'imds', path: '/latest/meta-data/events/recommendations/rebalance' },
        },
      ],
    });
  });

  it('keeps the id and deadline stable across polls', () => {
    const a = parseRebalance(fixture('rebalance-recommendation.json'), CONTEXT);
    const b = parseRebalance(fixture('rebalance-recommendation.json'), {
      ...CONTEXT,
      nowMs: CONTEXT.nowMs + 60_000,
    });
    const c = parseRebalance('{"noticeTime":"2026-11-29T09:50:00Z"}', CONTEXT);
    const first = (o: typeof a) => (o.type === 'event' ? o.events[0] : undefined);
    expect(first(b)?.id).toBe(first(a)?.id);
    expect(first(b)?.deadlineMs).toBe(first(a)?.deadlineMs);
    expect(first(c)?.id).not.toBe(first(a)?.id);
  });

  it.each<[string, string, string]>([
    ...GARBAGE.filter(([n]) => n !== 'null' && n !== 'number' && n !== 'string').map(
      ([n, b]) => [n, b, 'malformed-json'] as [string, string, string],
    ),
    ['null', 'null', 'bad-field'],
    ['array', '[{"noticeTime":"2026-11-29T09:45:00Z"}]', 'bad-field'],
    ['no noticeTime', '{"time":"2026-11-29T09:45:00Z"}', 'missing-field'],
    ['noticeTime number', '{"noticeTime":1764409500}', 'bad-field'],
    ['noticeTime garbage', '{"noticeTime":"yesterday"}', 'bad-field'],
    ['huge body', `{"noticeTime":"2026-11-29T09:45:00Z","x":"${'y'.repeat(70_000)}"}`, 'too-large'],
  ])('%s -> invalid %s', (_n, b, reason) => {
    expect(parseRebalance(b, CONTEXT)).toMatchObject({ type: 'invalid', reason });
  });
});
