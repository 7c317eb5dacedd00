/** Turns one raw flag or env string into a typed value, or says what is wrong and what is allowed. */
import type { OptionSpec } from './option-spec.js';

/** A converted value, or the reason it could not be. */
export type Converted =
  { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string };

// The same spellings Go's strconv.ParseBool accepts, so NTH values keep working.
const TRUE = new Set(['true', 't', '1']);
const FALSE = new Set(['false', 'f', '0']);

/** Parses a boolean the way NTH did (true/false/t/f/1/0, any case). */
export function parseBool(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/** Human text of what an option accepts (used in errors, --help and docs). */
export function allowedText(spec: OptionSpec): string {
  switch (spec.type) {
    case 'bool':
      return 'true|false';
    case 'int': {
      const range = `${spec.min}..${spec.max}`;
      return spec.special?.length ? `${spec.special.join(', ')} or ${range}` : range;
    }
    case 'url':
      return 'http(s) URL';
    case 'enum':
      return spec.values.join('|');
    case 'list':
      return spec.values ? `comma list of ${spec.values.join(', ')}` : 'comma list';
    case 'map':
      return 'k=v,k2=v2';
    case 'json':
      return 'JSON object of strings';
    case 'string':
      return 'text';
  }
}

function ok(value: unknown): Converted {
  return { ok: true, value };
}

function bad(problem: string): Converted {
  return { ok: false, problem };
}

function convertInt(spec: Extract<OptionSpec, { type: 'int' }>, raw: string): Converted {
  const text = raw.trim();
  if (!/^[-+]?\d+$/.test(text)) return bad('is not a whole number');
  const n = Number(text);
  if (spec.special?.includes(n)) return ok(n);
  if (n < spec.min || n > spec.max) return bad('is out of range');
  return ok(n);
}

function convertUrl(raw: string): Converted {
  try {
    const url = new URL(raw.trim());
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return bad('is not an http(s) URL');
    return ok(raw.trim());
  } catch {
    return bad('is not a valid URL');
  }
}

function convertList(values: readonly string[] | undefined, raw: string): Converted {
  const items = [
    ...new Set(
      raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    ),
  ];
  const unknown = values ? items.filter((i) => !values.includes(i)) : [];
  if (unknown.length) return bad(`has unknown item(s) ${unknown.join(', ')}`);
  return ok(items);
}

// Kubernetes annotation key: optional DNS prefix, then a name of alphanumerics, '-', '_', '.'.
const ANNOTATION_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

function convertMap(raw: string): Converted {
  const out: Record<string, string> = {};
  for (const item of raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const eq = item.indexOf('=');
    const key = eq < 0 ? '' : item.slice(0, eq).trim();
    if (!ANNOTATION_KEY.test(key)) return bad(`has a malformed item "${item}"`);
    out[key] = item.slice(eq + 1).trim();
  }
  return ok(out);
}

function convertJson(raw: string): Converted {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return bad('is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return bad('is not a JSON object');
  const entries = Object.entries(parsed as Record<string, unknown>);
  const nonString = entries.filter(([, v]) => typeof v !== 'string').map(([k]) => k);
  if (nonString.length) return bad(`has non-string value(s) for ${nonString.join(', ')}`);
  return ok(Object.fromEntries(entries));
}

/** Converts `raw` for `spec`. Never throws. */
export function convertValue(spec: OptionSpec, raw: string): Converted {
  switch (spec.type) {
    case 'bool': {
      const b = parseBool(raw);
      return b === undefined ? bad('is not a boolean') : ok(b);
    }
    case 'int':
      return convertInt(spec, raw);
    case 'url':
      return convertUrl(raw);
    case 'enum': {
      const want = spec.caseInsensitive ? raw.trim().toLowerCase() : raw.trim();
      const match = spec.values.find((v) => (spec.caseInsensitive ? v.toLowerCase() : v) === want);
      return match === undefined ? bad('is not an allowed value') : ok(match);
    }
    case 'list':
      return convertList(spec.values, raw);
    case 'map':
      return convertMap(raw);
    case 'json':
      return convertJson(raw);
    case 'string':
      return ok(raw);
  }
}
