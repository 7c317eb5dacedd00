/**
 * Property-based fuzzing of every parser that reads outside input (SQS bodies, IMDS bodies): no exception
 * escapes, and every outcome keeps the ParseOutcome contract (see fuzz-support.ts outcomeProblems).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImdsParseContext } from '../../src/events/imds/imds-context.js';
import { parseRebalance } from '../../src/events/imds/rebalance.js';
import { parseScheduledMaintenance } from '../../src/events/imds/scheduled-maintenance.js';
import { parseSpotInstanceAction } from '../../src/events/imds/spot-instance-action.js';
import { parseTargetLifecycleState } from '../../src/events/imds/target-lifecycle-state.js';
import type { ParseOutcome } from '../../src/events/interruption-event.js';
import {
  MAX_BODY_BYTES,
  MAX_TEXT_CHARS,
  parseQueueMessage,
} from '../../src/events/queue/parse-queue-message.js';
import type { QueueMessageContext } from '../../src/events/queue/queue-context.js';
import {
  fixtureTexts,
  mutate,
  mutations,
  outcomeProblems,
  RUNS,
  wrap,
  wrapping,
  type Mutation,
  type Wrapping,
} from './fuzz-support.js';

const QUEUE_CONTEXT: QueueMessageContext = {
  messageId: 'm-1',
  receiptHandle: 'r-1',
  sentAtMs: Date.parse('2026-11-29T10:00:01Z'),
  nowMs: Date.parse('2026-11-29T10:00:02Z'),
};
const IMDS_CONTEXT: ImdsParseContext = {
  instanceId: 'i-0123456789abcdef0',
  nodeName: 'ip-10-0-0-1.ec2.internal',
  nowMs: Date.parse('2026-11-29T10:00:00Z'),
  scheduledLeadMs: 300_000,
  rebalanceHorizonMs: 1_800_000,
  asgTerminationHorizonMs: 120_000,
};

const QUEUE_FIXTURES = [...fixtureTexts('eventbridge').values(), ...fixtureTexts('asg-direct').values()].map(
  (t) => JSON.parse(t) as unknown,
);
const IMDS = fixtureTexts('imds');

/** Parses and checks; returns the problems (a thrown error is one). */
function check(parse: () => ParseOutcome | ParseOutcome[], labelSafeIds: boolean): string[] {
  let result: ParseOutcome | ParseOutcome[];
  try {
    result = parse();
  } catch (err) {
    return [`threw ${String(err)}`];
  }
  const list = Array.isArray(result) ? result : [result];
  if (list.length === 0) return ['no outcome'];
  return list.flatMap((o) => outcomeProblems(o, labelSafeIds));
}

const options = { numRuns: RUNS };

/** Fails the property with the problems found (plain throw: expect() per run costs more than the parse). */
function assertClean(problems: readonly string[], body: string): void {
  if (problems.length > 0) throw new Error(`${problems.join('; ')} for body ${body.slice(0, 300)}`);
}

/** Arbitrary text, arbitrary JSON, or a mutated fixture (fields removed, retyped, huge; SNS-wrapped, garbage). */
const queueBody: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 120 }),
  fc.json({ maxDepth: 2 }),
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...QUEUE_FIXTURES), mutations, wrapping)
      .map(([doc, changes, how]: [unknown, Mutation[], Wrapping]) => wrap(mutate(doc, changes), how)),
    weight: 4,
  },
);

describe('parseQueueMessage under fuzzing', () => {
  it('never throws and keeps the outcome contract for 10,000 generated bodies', () => {
    fc.assert(
      fc.property(queueBody, (body) => {
        assertClean(
          check(() => parseQueueMessage(body, QUEUE_CONTEXT), true),
          body,
        );
      }),
      options,
    );
  });

  it('turns every unmutated fixture into an event or a test-notification ignore, plain or SNS-wrapped', () => {
    for (const doc of QUEUE_FIXTURES) {
      for (const how of ['plain', 'sns'] as const) {
        const outcome = parseQueueMessage(wrap(doc, how), QUEUE_CONTEXT);
        expect(['event', 'ignore']).toContain(outcome.type);
        expect(outcomeProblems(outcome, true)).toEqual([]);
      }
    }
  });

  it('refuses event times a Date cannot hold once the notice lead is added (found by fuzzing)', () => {
    const spot = QUEUE_FIXTURES.find((d) => JSON.stringify(d).includes('Spot Instance Interruption'));
    for (const time of ['+275760-09-13T00:00:00.000Z', '+010000-01-01T00:00:00Z', '1969-12-31T23:59:59Z']) {
      const outcome = parseQueueMessage(JSON.stringify({ ...(spot as object), time }), QUEUE_CONTEXT);
      expect(outcome).toMatchObject({ type: 'invalid', reason: 'bad-field' });
    }
    const edge = parseQueueMessage(
      JSON.stringify({ ...(spot as object), time: '9999-12-31T23:59:59Z' }),
      QUEUE_CONTEXT,
    );
    expect(outcomeProblems(edge, true)).toEqual([]);
    expect(edge.type).toBe('event');
  });

  it('cuts payload-controlled text to MAX_TEXT_CHARS (found by fuzzing: a 4 KiB field was echoed whole)', () => {
    const long = 'y'.repeat(4096);
    const find = (t: string): Record<string, unknown> =>
      QUEUE_FIXTURES.find((d) => JSON.stringify(d).includes(t)) as Record<string, unknown>;
    const health = find('AWS Health Event');
    const spot = find('Spot Instance Interruption');
    const asg = find('Instance-terminate Lifecycle Action');
    const outcomes = [
      { ...health, detail: { ...(health.detail as object), service: long } },
      { ...spot, 'detail-type': long },
      { ...asg, detail: { ...(asg.detail as object), LifecycleHookName: long } },
    ].map((doc) => parseQueueMessage(JSON.stringify(doc), QUEUE_CONTEXT));
    expect(outcomes.map((o) => o.type)).toEqual(['ignore', 'invalid', 'event']);
    for (const o of outcomes) {
      const texts = o.type === 'event' ? o.events.map((e) => e.description) : 'detail' in o ? [o.detail] : [];
      for (const text of texts) expect(text?.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
      expect(JSON.stringify(o)).toContain('yyyy');
    }
  });

  it('refuses bodies over MAX_BODY_BYTES counted in UTF-8 bytes, not characters', () => {
    const doc = QUEUE_FIXTURES[0] as Record<string, unknown>;
    const pad = (n: number): string => JSON.stringify({ ...doc, pad: 'é'.repeat(n) });
    const base = Buffer.byteLength(pad(0));
    const fits = pad(Math.floor((MAX_BODY_BYTES - base) / 2));
    const over = pad(Math.floor((MAX_BODY_BYTES - base) / 2) + 1);
    expect(Buffer.byteLength(fits)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    expect(over.length).toBeLessThan(MAX_BODY_BYTES);
    expect(parseQueueMessage(fits, QUEUE_CONTEXT).type).toBe('event');
    expect(parseQueueMessage(over, QUEUE_CONTEXT)).toMatchObject({ type: 'invalid', reason: 'too-large' });
  });

  it('gives the same outcome for the same body (stable ids across redelivery)', () => {
    fc.assert(
      fc.property(queueBody, (body) => {
        expect(parseQueueMessage(body, QUEUE_CONTEXT)).toEqual(parseQueueMessage(body, QUEUE_CONTEXT));
      }),
      { numRuns: 500 },
    );
  });
});

const IMDS_PARSERS: readonly [string, string, (body: string) => ParseOutcome | ParseOutcome[]][] = [
  ['spot instance-action', 'spot-instance-action.json', (b) => parseSpotInstanceAction(b, IMDS_CONTEXT)],
  ['rebalance', 'rebalance-recommendation.json', (b) => parseRebalance(b, IMDS_CONTEXT)],
  ['scheduled maintenance', 'maintenance-scheduled.json', (b) => parseScheduledMaintenance(b, IMDS_CONTEXT)],
  ['target lifecycle state', 'target-lifecycle-state.txt', (b) => parseTargetLifecycleState(b, IMDS_CONTEXT)],
];

/** Arbitrary text, arbitrary JSON, or the fixture mutated (JSON: fields; text: spliced). */
function imdsBody(text: string): fc.Arbitrary<string> {
  const mutated =
    text.trimStart().startsWith('[') || text.trimStart().startsWith('{')
      ? mutations.map((changes) => JSON.stringify(mutate(JSON.parse(text), changes)))
      : fc
          .tuple(fc.nat(text.length), fc.nat(4), fc.string({ unit: 'binary', maxLength: 12 }))
          .map(([at, cut, insert]) => text.slice(0, at) + insert + text.slice(at + cut));
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 120 }),
    fc.json({ maxDepth: 2 }),
    { arbitrary: mutated, weight: 3 },
    fc.constant(`${text}${' '.repeat(70_000)}`),
  );
}

describe.each(IMDS_PARSERS)('IMDS %s parser under fuzzing', (_name, fixture, parse) => {
  const text = IMDS.get(fixture) ?? '';

  it('never throws and keeps the outcome contract for 10,000 generated bodies', () => {
    fc.assert(
      fc.property(imdsBody(text), (body) => {
        assertClean(
          check(() => parse(body), false),
          body,
        );
      }),
      options,
    );
  });

  it('turns the unmutated fixture into an event', () => {
    const outcomes = [parse(text)].flat();
    expect(outcomes.map((o) => o.type)).toEqual(['event']);
  });
});

describe('IMDS scheduled maintenance text bounds', () => {
  it('cuts a huge Code (found by fuzzing) so the description stays short', () => {
    const entry = { ...(JSON.parse(IMDS.get('maintenance-scheduled.json') ?? '[]') as object[])[0] };
    const [outcome] = parseScheduledMaintenance(
      JSON.stringify([{ ...entry, Code: 'y'.repeat(4096) }]),
      IMDS_CONTEXT,
    );
    expect(outcome?.type).toBe('event');
    const description = outcome?.type === 'event' ? outcome.events[0]?.description : undefined;
    expect(description?.length).toBeLessThanOrEqual(64 + 2 + 200);
    expect(description).toMatch(/^y{64}: /);
  });
});
