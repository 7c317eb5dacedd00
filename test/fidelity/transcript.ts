/**
 * A transcript of one request sequence against one server: each step's status code and the response
 * fields the daemon reads, normalised so that two servers' transcripts compare with toEqual. Values that
 * legitimately differ between servers (uids, resourceVersions, timestamps, namespace and node names)
 * are replaced by placeholders that still say what kind of value was there (e.g. `<time:6>` for a
 * timestamp with 6 fractional digits, `<rv>` for a non-empty resourceVersion).
 */
import { expect } from 'vitest';

/** One recorded step. */
export interface Step {
  readonly step: string;
  readonly value: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.(\d+))?Z$/;
const RV_KEYS = new Set(['resourceVersion']);

/** Records steps for one server. */
export class Transcript {
  readonly steps: Step[] = [];
  private readonly tokens: [string, string][] = [];

  constructor(readonly server: string) {}

  /** Replaces `value` by `placeholder` wherever it appears in recorded strings (longest first). */
  token(value: string, placeholder: string): void {
    if (value === '') return;
    this.tokens.push([value, placeholder]);
    this.tokens.sort((a, b) => b[0].length - a[0].length);
  }

  /** Records a step; returns the normalised value. */
  record(step: string, value: unknown): unknown {
    const normal = this.normalise(value, undefined);
    this.steps.push({ step, value: normal });
    return normal;
  }

  /** The normalised form of a value (also used for expectations). */
  normalise(value: unknown, key: string | undefined): unknown {
    if (typeof value === 'string') {
      if (key !== undefined && RV_KEYS.has(key)) return /^\d+$/.test(value) ? '<rv>' : `<bad rv ${value}>`;
      if (UUID.test(value)) return '<uid>';
      const t = TIME.exec(value);
      if (t) return `<time:${t[2]?.length ?? 0}>`;
      let s = value.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uid>');
      for (const [from, to] of this.tokens) s = s.split(from).join(to);
      return s;
    }
    if (value instanceof Date) return '<date>';
    if (Array.isArray(value)) return value.map((v) => this.normalise(v, undefined));
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const k of Object.keys(value).sort()) {
        out[k] = this.normalise((value as Record<string, unknown>)[k], k);
      }
      return out;
    }
    return value;
  }
}

/** Compares transcripts step by step (the diff shows every differing step at once). */
export function expectSameTranscripts(expected: Transcript, actual: Transcript): void {
  expect(actual.steps, `${actual.server} vs ${expected.server}`).toEqual(expected.steps);
}

/** Picks keys of an object (missing keys are left out, so presence is compared too). */
export function pick(obj: unknown, keys: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (obj === null || typeof obj !== 'object') return out;
  for (const k of keys) {
    const v = (obj as Record<string, unknown>)[k];
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** A Status body as the daemon reads it (map-error.ts): kind, status, message, reason, code, details. */
export function statusFields(body: unknown): Record<string, unknown> {
  return pick(body, ['kind', 'apiVersion', 'status', 'message', 'reason', 'code', 'details']);
}
