/**
 * The functions a webhook template can call: Go text/template's builtins, the Sprig functions NTH
 * templates use (NTH renders with sprig.TxtFuncMap), and two of our own (prefix, truncate). Sprig's
 * env/expandenv are deliberately absent: a template must not read the daemon's environment (secrets).
 * Piped values arrive as the last argument, as in Go. Pure.
 */
import {
  GoTime,
  RawJson,
  formatGoTime,
  printValue,
  rfc3339,
  sprint,
  sprintf,
  toJsonValue,
  type Value,
} from './go-format.js';
import { TemplateError } from './template-errors.js';

type Fn = (args: readonly Value[], nowMs: number) => Value;
interface FnSpec {
  readonly min: number;
  readonly max: number;
  readonly fn: Fn;
}

const isMap = (v: Value): v is ReadonlyMap<string, Value> => v instanceof Map;
const isList = (v: Value): v is readonly Value[] => Array.isArray(v);
const text = (v: Value): string => printValue(v);
const int = (v: Value): number => {
  const n =
    typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
};

/** Go's truth: false, 0, nil, empty string, slice or map are false. */
export function truthy(v: Value): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (isList(v)) return v.length > 0;
  if (isMap(v)) return v.size > 0;
  return true;
}

function basic(v: Value): string | number | boolean | null {
  if (v === undefined || v === null) return null;
  if (v instanceof GoTime) return v.ms;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  throw new TemplateError('cannot compare a list or map');
}

function equal(a: Value, b: Value): boolean {
  const x = basic(a);
  const y = basic(b);
  if (x !== null && y !== null && typeof x !== typeof y) {
    throw new TemplateError(`incompatible types for comparison: ${typeof x} and ${typeof y}`);
  }
  return x === y;
}

function compare(a: Value, b: Value): number {
  const x = basic(a);
  const y = basic(b);
  if (x === null || y === null || typeof x !== typeof y || typeof x === 'boolean') {
    throw new TemplateError('incompatible types for comparison');
  }
  return x < y ? -1 : x > y ? 1 : 0;
}

function index(v: Value, keys: readonly Value[]): Value {
  let cur = v;
  for (const key of keys) {
    if (isMap(cur)) cur = cur.get(text(key));
    else if (isList(cur) || typeof cur === 'string') {
      const i = int(key);
      if (i < 0 || i >= cur.length) throw new TemplateError(`index out of range: ${i}`);
      cur = isList(cur) ? cur[i] : cur.charCodeAt(i);
    } else if (cur === undefined || cur === null) return undefined;
    else throw new TemplateError(`cannot index a ${typeof cur}`);
  }
  return cur;
}

function toTimeMs(v: Value): number | undefined {
  if (v instanceof GoTime) return v.ms;
  if (typeof v === 'number') return v * 1000;
  if (typeof v === 'string' && v !== '') {
    const ms = Date.parse(v);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

/** `date FORMAT TIME`: a Go layout, or our names unix / human / rfc3339 (one argument: rfc3339). */
function date(args: readonly Value[]): Value {
  const [format, t] = args.length === 1 ? ['rfc3339', args[0]] : [text(args[0]), args[1]];
  const ms = toTimeMs(t);
  if (ms === undefined) return '';
  if (format === 'unix') return Math.floor(ms / 1000);
  if (format === 'human') return `${rfc3339(ms).slice(0, 19).replace('T', ' ')} UTC`;
  if (format === 'rfc3339') return new GoTime(ms);
  return formatGoTime(ms, format);
}

function escapeHtml(s: string): string {
  return s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&#34;', "'": '&#39;' })[c] ?? c,
  );
}

function repeat(n: number, s: string): string {
  if (n < 0 || n * s.length > 64 * 1024) throw new TemplateError('repeat: result too large');
  return s.repeat(n);
}

const spec = (min: number, max: number, fn: Fn): FnSpec => ({ min, max, fn });
const str1 = (f: (s: string) => Value): FnSpec => spec(1, 1, ([s]) => f(text(s)));
const str2 = (f: (a: string, s: string) => Value): FnSpec => spec(2, 2, ([a, s]) => f(text(a), text(s)));

const FUNCTIONS: ReadonlyMap<string, FnSpec> = new Map<string, FnSpec>([
  // Go builtins
  ['and', spec(1, Infinity, (a) => a.find((v) => !truthy(v)) ?? a[a.length - 1])],
  ['or', spec(1, Infinity, (a) => a.find((v) => truthy(v)) ?? a[a.length - 1])],
  ['not', spec(1, 1, ([v]) => !truthy(v))],
  ['eq', spec(2, Infinity, ([a, ...rest]) => rest.some((b) => equal(a, b)))],
  ['ne', spec(2, 2, ([a, b]) => !equal(a, b))],
  ['lt', spec(2, 2, ([a, b]) => compare(a, b) < 0)],
  ['le', spec(2, 2, ([a, b]) => compare(a, b) <= 0)],
  ['gt', spec(2, 2, ([a, b]) => compare(a, b) > 0)],
  ['ge', spec(2, 2, ([a, b]) => compare(a, b) >= 0)],
  [
    'len',
    spec(1, 1, ([v]) => {
      if (typeof v === 'string') return Buffer.byteLength(v);
      if (isList(v)) return v.length;
      if (isMap(v)) return v.size;
      throw new TemplateError(`len of ${v === undefined || v === null ? 'nil' : typeof v}`);
    }),
  ],
  ['index', spec(1, Infinity, ([v, ...keys]) => index(v, keys))],
  [
    'slice',
    spec(1, 3, ([v, from, to]) => {
      if (typeof v !== 'string' && !isList(v)) throw new TemplateError('slice of a non-list');
      return v.slice(from === undefined ? 0 : int(from), to === undefined ? undefined : int(to));
    }),
  ],
  ['print', spec(0, Infinity, (a) => sprint(a))],
  ['printf', spec(1, Infinity, ([f, ...a]) => sprintf(text(f), a))],
  ['println', spec(0, Infinity, (a) => `${a.map(text).join(' ')}\n`)],
  ['html', spec(0, Infinity, (a) => escapeHtml(sprint(a)))],
  [
    'js',
    spec(0, Infinity, (a) =>
      JSON.stringify(sprint(a))
        .slice(1, -1)
        .replace(/'/g, "\\'")
        .replace(/</g, '\\u003C')
        .replace(/>/g, '\\u003E'),
    ),
  ],
  ['urlquery', spec(0, Infinity, (a) => encodeURIComponent(sprint(a)).replace(/%20/g, '+'))],
  // Sprig (the part webhook templates use)
  ['default', spec(1, 2, ([d, v]) => (truthy(v) ? v : d))],
  ['empty', spec(1, 1, ([v]) => !truthy(v))],
  ['coalesce', spec(1, Infinity, (a) => a.find(truthy))],
  ['ternary', spec(3, 3, ([t, f, c]) => (truthy(c) ? t : f))],
  ['upper', str1((s) => s.toUpperCase())],
  ['lower', str1((s) => s.toLowerCase())],
  ['title', str1((s) => s.replace(/\b\w/g, (c) => c.toUpperCase()))],
  ['trim', str1((s) => s.trim())],
  ['nospace', str1((s) => s.replace(/\s+/g, ''))],
  ['trimSuffix', str2((x, s) => (x !== '' && s.endsWith(x) ? s.slice(0, -x.length) : s))],
  ['trimPrefix', str2((x, s) => (s.startsWith(x) ? s.slice(x.length) : s))],
  [
    'trimAll',
    str2((x, s) =>
      s.replace(
        new RegExp(`^[${x.replace(/[\\\]^-]/g, '\\$&')}]+|[${x.replace(/[\\\]^-]/g, '\\$&')}]+$`, 'g'),
        '',
      ),
    ),
  ],
  ['contains', str2((x, s) => s.includes(x))],
  ['hasPrefix', str2((x, s) => s.startsWith(x))],
  ['hasSuffix', str2((x, s) => s.endsWith(x))],
  ['replace', spec(3, 3, ([o, n, s]) => text(s).split(text(o)).join(text(n)))],
  ['quote', spec(0, Infinity, (a) => a.map((v) => JSON.stringify(text(v))).join(' '))],
  ['squote', spec(0, Infinity, (a) => a.map((v) => `'${text(v)}'`).join(' '))],
  ['join', spec(2, 2, ([sep, l]) => (isList(l) ? l.map(text).join(text(sep)) : text(l)))],
  ['splitList', str2((sep, s) => s.split(sep))],
  ['toString', spec(1, 1, ([v]) => text(v))],
  ['toJson', spec(1, 1, ([v]) => new RawJson(JSON.stringify(toJsonValue(v)) ?? 'null'))],
  ['toRawJson', spec(1, 1, ([v]) => new RawJson(JSON.stringify(toJsonValue(v)) ?? 'null'))],
  ['toPrettyJson', spec(1, 1, ([v]) => new RawJson(JSON.stringify(toJsonValue(v), null, '  ') ?? 'null'))],
  ['date', spec(1, 2, date)],
  [
    'dateInZone',
    spec(3, 3, ([f, t, zone]) => {
      if (text(zone) !== 'UTC') throw new TemplateError('dateInZone: only "UTC" is supported');
      return date([f, t]);
    }),
  ],
  ['now', spec(0, 0, (_a, now) => new GoTime(now))],
  ['unixEpoch', spec(1, 1, ([t]) => String(Math.floor((toTimeMs(t) ?? 0) / 1000)))],
  ['trunc', spec(2, 2, ([n, s]) => (int(n) >= 0 ? text(s).slice(0, int(n)) : text(s).slice(int(n))))],
  [
    'abbrev',
    spec(2, 2, ([n, s]) =>
      text(s).length > int(n) ? `${text(s).slice(0, Math.max(0, int(n) - 3))}...` : text(s),
    ),
  ],
  ['substr', spec(3, 3, ([a, b, s]) => text(s).slice(int(a), int(b) < 0 ? undefined : int(b)))],
  ['repeat', spec(2, 2, ([n, s]) => repeat(int(n), text(s)))],
  ['indent', spec(2, 2, ([n, s]) => text(s).replace(/^/gm, ' '.repeat(Math.max(0, int(n)))))],
  ['nindent', spec(2, 2, ([n, s]) => `\n${text(s).replace(/^/gm, ' '.repeat(Math.max(0, int(n))))}`)],
  ['list', spec(0, Infinity, (a) => [...a])],
  [
    'dict',
    spec(
      0,
      Infinity,
      (a) =>
        new Map(Array.from({ length: Math.floor(a.length / 2) }, (_, i) => [text(a[2 * i]), a[2 * i + 1]])),
    ),
  ],
  ['keys', spec(1, Infinity, (maps) => maps.flatMap((m) => (isMap(m) ? [...m.keys()] : [])))],
  ['sortAlpha', spec(1, 1, ([l]) => (isList(l) ? l.map(text).sort() : [text(l)]))],
  ['first', spec(1, 1, ([l]) => (isList(l) ? l[0] : undefined))],
  ['last', spec(1, 1, ([l]) => (isList(l) ? l[l.length - 1] : undefined))],
  ['add', spec(1, Infinity, (a) => a.reduce<number>((s, v) => s + int(v), 0))],
  ['sub', spec(2, 2, ([a, b]) => int(a) - int(b))],
  ['mul', spec(1, Infinity, (a) => a.reduce<number>((s, v) => s * int(v), 1))],
  ['div', spec(2, 2, ([a, b]) => (int(b) === 0 ? 0 : Math.trunc(int(a) / int(b))))],
  ['mod', spec(2, 2, ([a, b]) => (int(b) === 0 ? 0 : int(a) % int(b)))],
  ['max', spec(1, Infinity, (a) => Math.max(...a.map(int)))],
  ['min', spec(1, Infinity, (a) => Math.min(...a.map(int)))],
  ['int', spec(1, 1, ([v]) => int(v))],
  ['int64', spec(1, 1, ([v]) => int(v))],
  ['atoi', spec(1, 1, ([v]) => int(v))],
  ['float64', spec(1, 1, ([v]) => Number(text(v)) || 0)],
  ['b64enc', str1((s) => Buffer.from(s).toString('base64'))],
  ['b64dec', str1((s) => Buffer.from(s, 'base64').toString())],
  // ours (kept from the first template language)
  ['prefix', spec(2, 2, ([p, v]) => (text(v) === '' ? '' : text(p) + text(v)))],
  ['truncate', spec(2, 2, ([n, v]) => text(v).slice(0, Math.max(0, int(n))))],
]);

/** Name → allowed argument counts (the parser checks calls against it). */
export const FUNCTION_ARITY: ReadonlyMap<string, { readonly min: number; readonly max: number }> = FUNCTIONS;

/** Calls a function by name (the parser has checked it exists and its arity). */
export function callFunction(name: string, args: readonly Value[], nowMs: number): Value {
  const f = FUNCTIONS.get(name);
  if (!f) throw new TemplateError(`function "${name}" not defined`);
  return f.fn(args, nowMs);
}
