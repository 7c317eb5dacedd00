/**
 * Webhook body templates in Go text/template syntax, as NTH renders them (text/template + Sprig):
 * fields, pipelines, variables, if/else/with/range, printf, time layouts, comparisons. Parsing is in
 * go-template/ (lexer, parser, functions, execution, data); this file compiles, renders and decides
 * how each value is written.
 *
 * JSON-aware: when the template looks like JSON (starts with `{` or `[`), a value inside a JSON string
 * literal is escaped as JSON string content, and a value outside any string is written as a JSON value,
 * so a pod name or description can never break or inject into the body. No code runs: only the
 * whitelisted fields and functions exist (no env, no file access).
 */
import { RawJson, printValue, type Value } from './go-template/go-format.js';
import type { Operand, Pipeline, TemplateNode } from './go-template/template-ast.js';
import { isKnownField, templateRoot, type TemplateData } from './go-template/template-data.js';
import { TemplateError } from './go-template/template-errors.js';
import { TemplateRun, type Emit } from './go-template/template-exec.js';
import { parseTemplate } from './go-template/template-parser.js';

export { TemplateError } from './go-template/template-errors.js';
export type { TemplateData, WebhookTrigger } from './go-template/template-data.js';

/** Largest template accepted, in bytes. */
export const MAX_TEMPLATE_BYTES = 16 * 1024;
/** Largest rendered body, in bytes. */
export const MAX_OUTPUT_BYTES = 64 * 1024;

/** Slack-compatible default body (works for NTH users' receivers too). */
export const DEFAULT_TEMPLATE =
  '{"text":"[spot-handler] {{ trigger }}: {{ kind }} on node {{ node }} (instance {{ instanceId }}, ' +
  '{{ instanceType }}, {{ availabilityZone }}) - deadline {{ deadline }} - result {{ result | default "pending" }}' +
  ' - evicted {{ podsEvicted }}, forced {{ podsForceDeleted }}{{ blockedBy | prefix " - blocked by: " }}' +
  '{{ surges | prefix " - surge: " }}' +
  ' - {{ description }} - event {{ eventId }}"}';

/** A parsed template. */
export interface CompiledTemplate {
  readonly json: boolean;
  readonly nodes: readonly TemplateNode[];
  /** Root field references that match no known field (they render empty). */
  readonly unknownFields: readonly string[];
}

/** Root fields referenced as `.X` at the top level (dot is the root there) or `$.X` anywhere. */
function collectUnknown(nodes: readonly TemplateNode[], dotIsRoot: boolean, out: Set<string>): void {
  const operand = (o: Operand, rootDot: boolean): void => {
    if (o.type === 'pipe') pipe(o.pipe, rootDot);
    if (o.type !== 'field') return;
    const isRoot = o.receiver === 'dot' ? rootDot : o.receiver.variable === '$';
    const [first] = o.chain;
    if (isRoot && first !== undefined && !isKnownField(first)) {
      out.add(o.receiver === 'dot' ? `.${o.chain.join('.')}` : `$.${o.chain.join('.')}`);
    }
  };
  const pipe = (p: Pipeline, rootDot: boolean): void => {
    for (const c of p.commands) for (const o of c.operands) operand(o, rootDot);
  };
  for (const n of nodes) {
    if (n.type === 'action') pipe(n.pipe, dotIsRoot);
    else if (n.type === 'if') {
      pipe(n.pipe, dotIsRoot);
      collectUnknown(n.then, dotIsRoot, out);
      collectUnknown(n.otherwise, dotIsRoot, out);
    } else if (n.type === 'with' || n.type === 'range') {
      pipe(n.pipe, dotIsRoot);
      collectUnknown(n.type === 'range' ? n.body : n.then, false, out);
      collectUnknown(n.otherwise, dotIsRoot, out);
    }
  }
}

/** Parses a template; throws TemplateError on syntax errors or when it is too large. */
export function compileTemplate(source: string): CompiledTemplate {
  if (Buffer.byteLength(source) > MAX_TEMPLATE_BYTES) {
    throw new TemplateError(`template is larger than ${MAX_TEMPLATE_BYTES} bytes`);
  }
  // leading comments (`{{- /* … */ -}}`) do not hide a JSON body
  const body = source.replace(/^(\s*\{\{-?\s*\/\*[\s\S]*?\*\/\s*-?\}\})+/, '');
  const json = /^\s*(\[|\{(?!\{))/.test(body);
  const nodes = parseTemplate(source, json);
  const unknown = new Set<string>();
  collectUnknown(nodes, true, unknown);
  return { json, nodes, unknownFields: [...unknown] };
}

const textOf = (v: Value): string =>
  typeof v === 'object' && v !== null && 'resolve' in v ? '' : printValue(v);

function emitter(json: boolean): Emit {
  if (!json) return (v) => textOf(v);
  return (v, inString) => {
    if (inString) return JSON.stringify(textOf(v)).slice(1, -1);
    if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
    if (typeof v === 'boolean') return String(v);
    if (v === null) return 'null';
    if (v instanceof RawJson) return v.json;
    return JSON.stringify(textOf(v));
  };
}

/** Renders a compiled template; throws TemplateError on a run-time error or an oversized body. */
export function renderTemplate(template: CompiledTemplate, data: TemplateData, nowMs = Date.now()): string {
  const run = new TemplateRun(templateRoot(data), emitter(template.json), MAX_OUTPUT_BYTES, nowMs);
  const out = run.run(template.nodes);
  if (Buffer.byteLength(out) > MAX_OUTPUT_BYTES) {
    throw new TemplateError(`rendered body is larger than ${MAX_OUTPUT_BYTES} bytes`);
  }
  return out;
}
