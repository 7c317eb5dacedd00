/**
 * Go's printing rules for template values: fmt's %v (and print/println), printf verbs, and time
 * layouts (`2006-01-02T15:04:05Z07:00`), all in UTC. Pure.
 */

/** A time value (Go time.Time), printed RFC 3339 by default; `.Format`, `.Unix`, `.UTC` work on it. */
export class GoTime {
  constructor(readonly ms: number) {}
}

/** Text that is already valid JSON (toJson): written as is outside JSON strings. */
export class RawJson {
  constructor(readonly json: string) {}
}

/** A template value. */
export type Value =
  | string
  | number
  | boolean
  | null
  | undefined
  | GoTime
  | RawJson
  | readonly Value[]
  | ReadonlyMap<string, Value>;

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

const pad = (n: number, width: number, fill = '0'): string => String(n).padStart(width, fill);

/** RFC 3339 in UTC, without milliseconds when they are zero. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

type Chunk = readonly [token: string, render: (d: Date) => string];

/** Go's layout tokens, longest first where one is a prefix of another. */
const CHUNKS: readonly Chunk[] = [
  ['January', (d) => MONTHS[d.getUTCMonth()] ?? ''],
  ['Jan', (d) => (MONTHS[d.getUTCMonth()] ?? '').slice(0, 3)],
  ['Monday', (d) => DAYS[d.getUTCDay()] ?? ''],
  ['Mon', (d) => (DAYS[d.getUTCDay()] ?? '').slice(0, 3)],
  ['MST', () => 'UTC'],
  ['2006', (d) => pad(d.getUTCFullYear(), 4)],
  ['002', (d) => pad(dayOfYear(d), 3)],
  ['01', (d) => pad(d.getUTCMonth() + 1, 2)],
  ['02', (d) => pad(d.getUTCDate(), 2)],
  ['03', (d) => pad(d.getUTCHours() % 12 || 12, 2)],
  ['04', (d) => pad(d.getUTCMinutes(), 2)],
  ['05', (d) => pad(d.getUTCSeconds(), 2)],
  ['06', (d) => pad(d.getUTCFullYear() % 100, 2)],
  ['15', (d) => pad(d.getUTCHours(), 2)],
  ['__2', (d) => pad(dayOfYear(d), 3, ' ')],
  ['_2', (d) => pad(d.getUTCDate(), 2, ' ')],
  ['1', (d) => String(d.getUTCMonth() + 1)],
  ['2', (d) => String(d.getUTCDate())],
  ['3', (d) => String(d.getUTCHours() % 12 || 12)],
  ['4', (d) => String(d.getUTCMinutes())],
  ['5', (d) => String(d.getUTCSeconds())],
  ['PM', (d) => (d.getUTCHours() >= 12 ? 'PM' : 'AM')],
  ['pm', (d) => (d.getUTCHours() >= 12 ? 'pm' : 'am')],
  ['Z07:00:00', () => 'Z'],
  ['Z070000', () => 'Z'],
  ['Z07:00', () => 'Z'],
  ['Z0700', () => 'Z'],
  ['Z07', () => 'Z'],
  ['-07:00:00', () => '+00:00:00'],
  ['-070000', () => '+000000'],
  ['-07:00', () => '+00:00'],
  ['-0700', () => '+0000'],
  ['-07', () => '+00'],
];

function dayOfYear(d: Date): number {
  return Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1;
}

/** Formats like Go's time.Format with a reference layout, in UTC. */
export function formatGoTime(ms: number, layout: string): string {
  const d = new Date(ms);
  let out = '';
  for (let i = 0; i < layout.length;) {
    const rest = layout.slice(i);
    // fractional seconds: .000 / ,000 (fixed) or .999 (trailing zeros dropped)
    const frac = /^[.,](0+|9+)(?!\d)/.exec(rest);
    if (frac && i > 0 && /\d/.test(layout[i - 1] ?? '')) {
      const digits = (frac[1] ?? '').length;
      const value = pad(d.getUTCMilliseconds(), 3).padEnd(digits, '0').slice(0, digits);
      const shown = frac[1]?.startsWith('9') ? value.replace(/0+$/, '') : value;
      out += shown === '' ? '' : (rest[0] ?? '.') + shown;
      i += frac[0].length;
      continue;
    }
    const chunk = CHUNKS.find(([token]) => rest.startsWith(token));
    if (chunk && !(chunk[0] === '2' && rest.startsWith('2006'))) {
      out += chunk[1](d);
      i += chunk[0].length;
    } else {
      out += layout[i];
      i++;
    }
  }
  return out;
}

function isMap(v: Value): v is ReadonlyMap<string, Value> {
  return v instanceof Map;
}

/** fmt's %v: strings as is, nil `<nil>`, slices `[a b]`, maps `map[k:v]` by key, times RFC 3339. */
export function printValue(v: Value): string {
  if (v === undefined) return '';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof GoTime) return rfc3339(v.ms);
  if (v instanceof RawJson) return v.json;
  if (isMap(v)) {
    const keys = [...v.keys()].sort();
    return `map[${keys.map((k) => `${k}:${printValue(v.get(k))}`).join(' ')}]`;
  }
  return `[${v.map(printValue).join(' ')}]`;
}

/** fmt.Sprint: a space between operands when neither is a string. */
export function sprint(args: readonly Value[]): string {
  let out = '';
  args.forEach((a, i) => {
    const prev = args[i - 1];
    if (i > 0 && typeof a !== 'string' && typeof prev !== 'string') out += ' ';
    out += printValue(a);
  });
  return out;
}

/** The JSON form of a value (toJson). */
export function toJsonValue(v: Value): unknown {
  if (v === undefined) return null;
  if (v instanceof GoTime) return rfc3339(v.ms);
  if (v instanceof RawJson) return JSON.parse(v.json) as unknown;
  if (isMap(v)) return Object.fromEntries([...v.entries()].map(([k, x]) => [k, toJsonValue(x)]));
  if (Array.isArray(v)) return (v as readonly Value[]).map(toJsonValue);
  return v;
}

function goQuote(s: string): string {
  return JSON.stringify(s);
}

function typeName(v: Value): string {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoTime) return 'time.Time';
  return v === null || v === undefined ? 'nil' : isMap(v) ? 'map' : 'slice';
}

function verb(
  spec: string,
  flags: string,
  width: number | undefined,
  precision: number | undefined,
  v: Value,
): string {
  let s: string;
  switch (spec) {
    case 'v':
    case 's':
      s = printValue(v);
      if (precision !== undefined && typeof v === 'string') s = s.slice(0, precision);
      break;
    case 'q':
      s = goQuote(printValue(v));
      break;
    case 'd':
      s = typeof v === 'number' && Number.isInteger(v) ? String(v) : `%!d(${typeName(v)}=${printValue(v)})`;
      if (flags.includes('+') && typeof v === 'number' && v >= 0) s = `+${s}`;
      break;
    case 'f':
    case 'F':
      s = typeof v === 'number' ? v.toFixed(precision ?? 6) : `%!f(${typeName(v)}=${printValue(v)})`;
      break;
    case 't':
      s = typeof v === 'boolean' ? String(v) : `%!t(${typeName(v)}=${printValue(v)})`;
      break;
    case 'x':
    case 'X': {
      s = typeof v === 'number' ? Math.trunc(v).toString(16) : Buffer.from(printValue(v)).toString('hex');
      if (spec === 'X') s = s.toUpperCase();
      break;
    }
    case 'T':
      s = typeName(v);
      break;
    default:
      s = `%!${spec}(${typeName(v)}=${printValue(v)})`;
  }
  if (width === undefined || s.length >= width) return s;
  if (flags.includes('-')) return s.padEnd(width);
  const zero = flags.includes('0') && /[dfFxX]/.test(spec);
  return s.padStart(width, zero ? '0' : ' ');
}

/** fmt.Sprintf with the common verbs (%v %s %q %d %f %t %x %T), flags `-+0`, width and precision. */
export function sprintf(format: string, args: readonly Value[]): string {
  let next = 0;
  const out = format.replace(
    /%([-+0 #]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g,
    (_m: string, flags: string, w: string | undefined, p: string | undefined, spec: string) => {
      if (spec === '%') return '%';
      if (next >= args.length) return `%!${spec}(MISSING)`;
      return verb(
        spec,
        flags,
        w === undefined ? undefined : Number(w),
        p === undefined ? undefined : Number(p),
        args[next++],
      );
    },
  );
  return next < args.length
    ? `${out}%!(EXTRA ${args
        .slice(next)
        .map((a) => `${typeName(a)}=${printValue(a)}`)
        .join(', ')})`
    : out;
}
