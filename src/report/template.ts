/**
 * A small, safe template language for webhook bodies. No code runs: `{{ … }}` actions only look up
 * whitelisted fields of a Map and apply a fixed set of helpers. NTH's Go-template field names
 * (`{{ .EventID }}`, `{{ .InstanceID }}`, `{{ .StartTime }}`, …) resolve to our fields so that an NTH
 * WEBHOOK_TEMPLATE keeps working; `range`/`if`/`with` are not supported and are reported at start-up.
 *
 * JSON-aware: when the template looks like JSON (starts with `{` or `[`), a value inside a JSON string
 * literal is escaped as JSON string content, and a value outside any string is written as a JSON value,
 * so a pod name or description can never break or inject into the body.
 */
import { PermanentError } from '../errors.js';
import type { BlockingPod } from '../pipeline/node-actuator-port.js';

/** Largest template accepted, in bytes. */
export const MAX_TEMPLATE_BYTES = 16 * 1024;
/** Largest rendered body, in bytes. */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** At most this many blocking pods are listed in `blockedBy`. */
const MAX_BLOCKERS_LISTED = 10;

/** Which moment of a node action a webhook reports. */
export type WebhookTrigger = 'start' | 'success' | 'failure';

/** The data a webhook body can use. Times are ms since epoch; rendered as RFC 3339 UTC. */
export interface TemplateData {
  readonly kind: string;
  readonly eventId: string;
  readonly instanceId: string;
  readonly node?: string;
  readonly region?: string;
  readonly availabilityZone?: string;
  readonly instanceType?: string;
  readonly deadlineMs?: number;
  readonly noticedAtMs?: number;
  readonly result?: string;
  readonly trigger: WebhookTrigger;
  readonly podsEvicted?: number;
  readonly podsForceDeleted?: number;
  readonly blockedBy?: readonly BlockingPod[];
  readonly durationSeconds?: number;
  readonly description?: string;
  readonly clusterName?: string;
}

/** A template that cannot be parsed or rendered. */
export class TemplateError extends PermanentError {}

/** Slack-compatible default body (works for NTH users' receivers too). */
export const DEFAULT_TEMPLATE =
  '{"text":"[spot-handler] {{ trigger }}: {{ kind }} on node {{ node }} (instance {{ instanceId }}, ' +
  '{{ instanceType }}, {{ availabilityZone }}) - deadline {{ deadline }} - result {{ result | default "pending" }}' +
  ' - evicted {{ podsEvicted }}, forced {{ podsForceDeleted }}{{ blockedBy | prefix " - blocked by: " }}' +
  ' - {{ description }} - event {{ eventId }}"}';

type Value =
  | { readonly t: 'str'; readonly v: string }
  | { readonly t: 'num'; readonly v: number }
  | { readonly t: 'time'; readonly v: number };

const EMPTY: Value = { t: 'str', v: '' };

/** Canonical field names, and NTH / alternative spellings (compared lower-case, alphanumerics only). */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['eventid', 'eventId'],
  ['instanceid', 'instanceId'],
  ['nodename', 'node'],
  ['node', 'node'],
  ['starttime', 'deadline'],
  ['deadline', 'deadline'],
  ['noticedat', 'noticedAt'],
  ['availabilityzone', 'availabilityZone'],
  ['instancetype', 'instanceType'],
  ['podsevicted', 'podsEvicted'],
  ['podsforcedeleted', 'podsForceDeleted'],
  ['blockedby', 'blockedBy'],
  ['durationseconds', 'durationSeconds'],
  ['clustername', 'clusterName'],
  ['kind', 'kind'],
  ['region', 'region'],
  ['result', 'result'],
  ['trigger', 'trigger'],
  ['description', 'description'],
]);

/** Resolves a field reference (`.EventID`, `eventId`) to its canonical name, or undefined. */
export function canonicalField(ref: string): string | undefined {
  return ALIASES.get(
    ref
      .replace(/^\./, '')
      .replace(/[^A-Za-z0-9]/g, '')
      .toLowerCase(),
  );
}

type Arg =
  | { readonly type: 'field'; readonly name: string; readonly raw: string }
  | { readonly type: 'lit'; readonly value: string };
interface Call {
  readonly helper: string;
  readonly args: readonly Arg[];
}
interface Action {
  readonly calls: readonly Call[];
  /** Whether the action sits inside a JSON string literal (JSON mode only). */
  readonly inString: boolean;
}
type Part =
  { readonly type: 'text'; readonly text: string } | { readonly type: 'action'; readonly action: Action };

/** A parsed template. */
export interface CompiledTemplate {
  readonly json: boolean;
  readonly parts: readonly Part[];
  /** Field references that match no known field (they render empty). */
  readonly unknownFields: readonly string[];
}

type Helper = (input: Value, args: readonly Value[]) => Value;

const str = (v: string): Value => ({ t: 'str', v });
const text = (v: Value): string =>
  v.t === 'str' ? v.v : v.t === 'num' ? String(v.v) : new Date(v.v).toISOString().replace('.000Z', 'Z');

const HELPERS: ReadonlyMap<string, { readonly arity: number; readonly fn: Helper }> = new Map([
  ['date', { arity: -1, fn: (v, a) => formatDate(v, a[0] ? text(a[0]) : 'rfc3339') }],
  ['default', { arity: 1, fn: (v, a) => (text(v) === '' ? (a[0] ?? EMPTY) : v) }],
  ['upper', { arity: 0, fn: (v) => str(text(v).toUpperCase()) }],
  ['lower', { arity: 0, fn: (v) => str(text(v).toLowerCase()) }],
  ['prefix', { arity: 1, fn: (v, a) => (text(v) === '' ? EMPTY : str(text(a[0] ?? EMPTY) + text(v))) }],
  [
    'truncate',
    { arity: 1, fn: (v, a) => str(text(v).slice(0, Math.max(0, Number(text(a[0] ?? EMPTY)) || 0))) },
  ],
]);

function formatDate(v: Value, format: string): Value {
  const ms = v.t === 'time' || v.t === 'num' ? v.v : Date.parse(v.v);
  if (!Number.isFinite(ms)) return EMPTY;
  if (format === 'unix') return { t: 'num', v: Math.floor(ms / 1000) };
  if (format === 'human') return str(new Date(ms).toISOString().slice(0, 19).replace('T', ' ') + ' UTC');
  return { t: 'time', v: ms };
}

/** Splits an action body into tokens: quoted strings, `|`, and bare words. */
function tokenize(body: string): string[] {
  const tokens: string[] = [];
  const re = /\s*("(?:[^"\\]|\\.)*"|\||[^\s|"]+)/y;
  let end = 0;
  for (let m = re.exec(body); m !== null; m = re.exec(body)) {
    tokens.push(m[1] ?? '');
    end = re.lastIndex;
  }
  if (body.slice(end).trim() !== '') throw new TemplateError(`cannot read "${body.trim()}"`);
  return tokens;
}

function parseArg(token: string, unknown: Set<string>): Arg {
  if (token.startsWith('"')) return { type: 'lit', value: JSON.parse(token) as string };
  if (/^-?\d+(\.\d+)?$/.test(token)) return { type: 'lit', value: token };
  if (!/^\.?[A-Za-z][A-Za-z0-9_]*$/.test(token)) throw new TemplateError(`unsupported expression "${token}"`);
  const name = canonicalField(token);
  if (name === undefined) unknown.add(token);
  return { type: 'field', name: name ?? '', raw: token };
}

/** Parses one `{{ … }}` body: `field`, `field | helper args…`, or Go style `helper args… field`. */
function parseAction(body: string, unknown: Set<string>): Call[] {
  const segments: string[][] = [[]];
  for (const tok of tokenize(body)) {
    if (tok === '|') segments.push([]);
    else segments[segments.length - 1]?.push(tok);
  }
  return segments.map((seg, i) => {
    const [head, ...rest] = seg;
    if (head === undefined) throw new TemplateError(`empty expression in "{{${body}}}"`);
    if (['range', 'if', 'with', 'end', 'else', 'template', 'define', 'block'].includes(head)) {
      throw new TemplateError(`"${head}" is not supported (only field substitution and helpers)`);
    }
    const helper = HELPERS.get(head);
    if (helper === undefined) {
      if (i > 0) throw new TemplateError(`unknown helper "${head}"`);
      if (rest.length > 0) throw new TemplateError(`unknown helper "${head}"`);
      return { helper: 'value', args: [parseArg(head, unknown)] };
    }
    const args = rest.map((t) => parseArg(t, unknown));
    // first segment in Go style: the last argument is the input (`default "x" .Region`)
    const given = i === 0 ? args.length - 1 : args.length;
    const ok = helper.arity < 0 ? given === 0 || given === 1 : given === helper.arity;
    if (!ok) {
      const wanted = helper.arity < 0 ? '0 or 1' : String(helper.arity);
      throw new TemplateError(`helper "${head}" takes ${wanted} argument(s) besides its input`);
    }
    return { helper: head, args };
  });
}

/** Tracks whether a JSON text ends inside a string literal. */
function advanceJsonState(literal: string, inString: boolean): boolean {
  let inside = inString;
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i];
    if (inside && c === '\\') i++;
    else if (c === '"') inside = !inside;
  }
  return inside;
}

/** Parses a template; throws TemplateError on syntax errors or when it is too large. */
export function compileTemplate(source: string): CompiledTemplate {
  if (Buffer.byteLength(source) > MAX_TEMPLATE_BYTES) {
    throw new TemplateError(`template is larger than ${MAX_TEMPLATE_BYTES} bytes`);
  }
  const json = /^\s*(\[|\{(?!\{))/.test(source);
  const parts: Part[] = [];
  const unknown = new Set<string>();
  let inString = false;
  let trimNext = false;
  let pos = 0;
  const literalFrom = (end: number): string => {
    const lit = source.slice(pos, end);
    return trimNext ? lit.trimStart() : lit;
  };
  for (;;) {
    const open = source.indexOf('{{', pos);
    if (open < 0) break;
    const close = source.indexOf('}}', open + 2);
    if (close < 0) throw new TemplateError(`unclosed "{{" at offset ${open}`);
    let body = source.slice(open + 2, close);
    let literal = literalFrom(open);
    // Go's trim markers: `{{- ` trims the text before, ` -}}` the text after
    if (/^-\s/.test(body)) literal = literal.trimEnd();
    trimNext = /\s-$/.test(body);
    body = body.replace(/^-\s/, ' ').replace(/\s-$/, ' ');
    inString = json ? advanceJsonState(literal, inString) : false;
    const action: Action = { calls: parseAction(body, unknown), inString };
    parts.push({ type: 'text', text: literal }, { type: 'action', action });
    pos = close + 2;
  }
  parts.push({ type: 'text', text: literalFrom(source.length) });
  return { json, parts, unknownFields: [...unknown] };
}

function blockersText(blockers: readonly BlockingPod[]): string {
  const shown = blockers
    .slice(0, MAX_BLOCKERS_LISTED)
    .map((b) => `${b.namespace}/${b.name}${b.pdb ? ` (PDB ${b.pdb})` : ''}: ${b.reason}`);
  const more = blockers.length - shown.length;
  return shown.join('; ') + (more > 0 ? `; and ${more} more` : '');
}

/** Builds the lookup table from the data; only these names can ever be read. */
export function templateValues(data: TemplateData): ReadonlyMap<string, Value> {
  const m = new Map<string, Value>();
  const s = (k: string, v: string | undefined): void => void (v !== undefined && m.set(k, str(v)));
  const n = (k: string, v: number | undefined): void => void (v !== undefined && m.set(k, { t: 'num', v }));
  const t = (k: string, v: number | undefined): void => void (v !== undefined && m.set(k, { t: 'time', v }));
  s('kind', data.kind);
  s('eventId', data.eventId);
  s('instanceId', data.instanceId);
  s('node', data.node);
  s('region', data.region);
  s('availabilityZone', data.availabilityZone);
  s('instanceType', data.instanceType);
  t('deadline', data.deadlineMs);
  t('noticedAt', data.noticedAtMs);
  s('result', data.result);
  s('trigger', data.trigger);
  n('podsEvicted', data.podsEvicted);
  n('podsForceDeleted', data.podsForceDeleted);
  s('blockedBy', data.blockedBy ? blockersText(data.blockedBy) : undefined);
  n(
    'durationSeconds',
    data.durationSeconds === undefined ? undefined : Math.round(data.durationSeconds * 10) / 10,
  );
  s('description', data.description);
  s('clusterName', data.clusterName);
  return m;
}

function evaluate(action: Action, values: ReadonlyMap<string, Value>): Value {
  const arg = (a: Arg): Value => (a.type === 'lit' ? str(a.value) : (values.get(a.name) ?? EMPTY));
  let current: Value = EMPTY;
  action.calls.forEach((call, i) => {
    const args = call.args.map(arg);
    if (call.helper === 'value') current = args[0] ?? EMPTY;
    else {
      const input = i === 0 ? (args.pop() ?? EMPTY) : current;
      current = HELPERS.get(call.helper)?.fn(input, args) ?? EMPTY;
    }
  });
  return current;
}

function emit(value: Value, action: Action, json: boolean): string {
  if (!json) return text(value);
  if (action.inString) return JSON.stringify(text(value)).slice(1, -1);
  return value.t === 'num' ? String(value.v) : JSON.stringify(text(value));
}

/** Renders a compiled template; throws TemplateError when the output exceeds MAX_OUTPUT_BYTES. */
export function renderTemplate(template: CompiledTemplate, data: TemplateData): string {
  const values = templateValues(data);
  let out = '';
  for (const part of template.parts) {
    out += part.type === 'text' ? part.text : emit(evaluate(part.action, values), part.action, template.json);
    if (out.length > MAX_OUTPUT_BYTES) break;
  }
  if (Buffer.byteLength(out) > MAX_OUTPUT_BYTES) {
    throw new TemplateError(`rendered body is larger than ${MAX_OUTPUT_BYTES} bytes`);
  }
  return out;
}
