/** Generators and outcome checks shared by the fuzz tests (fast-check): cheap inputs, strict contracts. */
import { fileURLToPath } from 'node:url';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  EVENT_KINDS,
  EVENT_SOURCES,
  IGNORE_REASONS,
  INVALID_REASONS,
  type ParseOutcome,
} from '../../src/events/interruption-event.js';

/** Generated inputs per property (the brief: 10,000 each, with cheap generators). */
export const RUNS = 10_000;
/** EC2 instance ids as AWS issues them. */
export const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** Longest `detail` an invalid outcome may carry: it goes to logs, so it must not echo a whole body. */
export const MAX_DETAIL_CHARS = 1024;

const FIXTURES = fileURLToPath(new URL('../fixtures', import.meta.url));

/** Fixture texts of one directory, by file name. */
export function fixtureTexts(dir: string): Map<string, string> {
  const path = join(FIXTURES, dir);
  return new Map(readdirSync(path).map((name) => [name, readFileSync(join(path, name), 'utf8')]));
}

/** A 260 KiB string, built once (bigger than every body limit). */
export const HUGE = 'x'.repeat(260 * 1024);

/** Time texts around the edges of what Date can hold, and some near-misses. */
const TIMES = [
  '2026-11-29T10:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '+275760-09-13T00:00:00.001Z',
  '9999-12-31T23:59:59Z',
  '0000-01-01T00:00:00Z',
  '1970-01-01T00:00:00Z',
  'Sat, 13 Sep 275760 00:00:00 GMT',
  '02 Dec 2026 10:00:00 GMT',
  '31 Feb 2026 10:00:00 GMT',
  '2026-13-40T99:99:99Z',
  '1',
  '',
];
/** Instance-id-shaped texts: valid, near-valid and hostile. */
const IDS = [
  'i-0123456789abcdef0',
  'i-01234567',
  'i-0123456',
  'i-0123456789abcdef01',
  'I-0123456789abcdef0',
  'i-0123456789ABCDEF0',
  'i-0123456789abcdef0\n',
  ' i-0123456789abcdef0',
  'i-0123456789abcdef0/../kube-system',
  '../../etc/passwd',
];

/** Values a mutation puts in place of a field: retyped, empty, edge, huge, arbitrary. */
export const fieldValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.constantFrom<unknown>(null, '', 0, -1, 1e308, true, [], {}, ...TIMES, ...IDS), weight: 20 },
  { arbitrary: fc.jsonValue({ maxDepth: 1 }), weight: 10 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 10 },
  // rare: every huge value costs a 260 KiB stringify; the bounds themselves have example tests
  { arbitrary: fc.constant(HUGE), weight: 1 },
  // 4 KiB: under every body limit, over what a log line should echo
  { arbitrary: fc.constant('y'.repeat(4096)), weight: 2 },
);

type Path = readonly (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (typeof value !== 'object' || value === null) return [];
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return keys.flatMap((k) => [
    [...prefix, k],
    ...paths((value as Record<string | number, unknown>)[k], [...prefix, k]),
  ]);
}

/** One change to a JSON document: remove the n-th field, or set it to a value. */
export interface Mutation {
  readonly at: number;
  readonly op: 'remove' | 'set';
  readonly value: unknown;
}

/** A few mutations. */
export const mutations: fc.Arbitrary<Mutation[]> = fc.array(
  fc.record({ at: fc.nat(), op: fc.constantFrom('remove' as const, 'set' as const), value: fieldValue }),
  { minLength: 1, maxLength: 4 },
);

/** Applies mutations to a copy of `doc` (field n = n-th path, modulo the number of paths). */
export function mutate(doc: unknown, changes: readonly Mutation[]): unknown {
  const copy = structuredClone(doc);
  for (const change of changes) {
    const all = paths(copy);
    const path = all[change.at % Math.max(1, all.length)];
    if (path === undefined) continue;
    const parent = path
      .slice(0, -1)
      .reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], copy);
    const key = path[path.length - 1] as string | number;
    const target = parent as Record<string | number, unknown>;
    if (change.op === 'set') target[key] = change.value;
    else if (Array.isArray(target)) target.splice(key as number, 1);
    else delete target[key];
  }
  return copy;
}

/** How the mutated document is sent: as is, SNS-wrapped, SNS-wrapped garbage, or with a non-string Message. */
export type Wrapping = 'plain' | 'sns' | 'sns-object' | 'sns-sns' | { readonly garbage: string };

/** Wrappings, mostly plain. */
export const wrapping: fc.Arbitrary<Wrapping> = fc.oneof(
  fc.constantFrom('plain' as const, 'sns' as const, 'sns-object' as const, 'sns-sns' as const),
  fc.string({ unit: 'binary', maxLength: 60 }).map((garbage) => ({ garbage })),
);

/** The message body for a document and a wrapping. */
export function wrap(doc: unknown, how: Wrapping): string {
  const text = JSON.stringify(doc) ?? 'null';
  const sns = (message: unknown): string => JSON.stringify({ Type: 'Notification', Message: message });
  if (how === 'sns') return sns(text);
  if (how === 'sns-object') return sns(doc);
  if (how === 'sns-sns') return sns(sns(text));
  if (typeof how === 'object') return sns(how.garbage);
  return text;
}

function representable(ms: unknown): boolean {
  return typeof ms === 'number' && Number.isFinite(ms) && !Number.isNaN(new Date(ms).getTime());
}

/**
 * Problems with one outcome (empty when it keeps the ParseOutcome contract). `labelSafeIds`: ids must also be
 * at most 63 characters of [A-Za-z0-9-] (what the queue parsers promise).
 */
export function outcomeProblems(outcome: ParseOutcome, labelSafeIds: boolean): string[] {
  const p: string[] = [];
  if (outcome.type === 'event') {
    if (outcome.events.length === 0) p.push('event outcome without events');
    for (const e of outcome.events) {
      if (!INSTANCE_ID.test(e.instanceId)) p.push(`instanceId ${JSON.stringify(e.instanceId)}`);
      if (!representable(e.deadlineMs)) p.push(`deadlineMs ${e.deadlineMs}`);
      if (e.startAtMs !== undefined && !representable(e.startAtMs)) p.push(`startAtMs ${e.startAtMs}`);
      if (e.issuedAtMs !== undefined && !representable(e.issuedAtMs)) p.push(`issuedAtMs ${e.issuedAtMs}`);
      if (typeof e.id !== 'string' || e.id.length === 0) p.push('empty id');
      if (labelSafeIds && !/^[A-Za-z0-9-]{1,63}$/.test(e.id)) p.push(`id ${JSON.stringify(e.id)}`);
      if (!EVENT_KINDS.includes(e.kind)) p.push(`kind ${e.kind}`);
      if (!EVENT_SOURCES.includes(e.source) || e.origin.type !== e.source) p.push(`source ${e.source}`);
      if (typeof e.description !== 'string' || e.description.length > MAX_DETAIL_CHARS) p.push('description');
    }
  } else if (outcome.type === 'cancel') {
    if (outcome.cancellations.length === 0) p.push('cancel outcome without cancellations');
    for (const c of outcome.cancellations) {
      if (!INSTANCE_ID.test(c.instanceId)) p.push(`cancel instanceId ${c.instanceId}`);
      if (typeof c.eventId !== 'string' || c.eventId.length === 0) p.push('cancel eventId');
      if (!EVENT_KINDS.includes(c.kind)) p.push(`cancel kind ${c.kind}`);
    }
  } else if (outcome.type === 'ignore') {
    if (!IGNORE_REASONS.includes(outcome.reason)) p.push(`ignore reason ${outcome.reason}`);
    if (outcome.detail !== undefined && outcome.detail.length > MAX_DETAIL_CHARS)
      p.push('ignore detail too long');
  } else if (outcome.type === 'invalid') {
    if (!INVALID_REASONS.includes(outcome.reason)) p.push(`invalid reason ${outcome.reason}`);
    if (typeof outcome.detail !== 'string') p.push('invalid detail not a string');
    else if (outcome.detail.length > MAX_DETAIL_CHARS)
      p.push(`invalid detail of ${outcome.detail.length} chars`);
  } else {
    p.push(`unknown outcome ${JSON.stringify(outcome).slice(0, 80)}`);
  }
  return p;
}
