/**
 * Runs a parsed template over a value tree: fields and methods (`.StartTime.Format "…"`), variables,
 * pipelines, if/with/range/else, break/continue. Output is bounded; errors are TemplateErrors.
 * `emit` decides how each action's value is written (JSON-aware escaping lives in template.ts).
 */
import { GoTime, formatGoTime, rfc3339, type Value } from './go-format.js';
import type { Command, Operand, Pipeline, TemplateNode } from './template-ast.js';
import { TemplateError } from './template-errors.js';
import { callFunction, truthy } from './template-funcs.js';

/** A map whose field names are looked up through aliases (the template root). */
export interface FieldResolver {
  resolve(name: string): Value;
}

/** The root value: a resolver for NTH's and our field names. */
export type RootValue = FieldResolver;

/** How an action's value is written. */
export type Emit = (value: Value, inJsonString: boolean) => string;

/** `{{ break }}` and `{{ continue }}` unwind to the enclosing range. */
class BreakSignal extends Error {}
class ContinueSignal extends Error {}

const TIME_METHODS: ReadonlyMap<string, (t: GoTime, args: readonly Value[]) => Value> = new Map<
  string,
  (t: GoTime, args: readonly Value[]) => Value
>([
  ['Format', (t, [layout]) => formatGoTime(t.ms, typeof layout === 'string' ? layout : '')],
  ['Unix', (t) => Math.floor(t.ms / 1000)],
  ['UnixMilli', (t) => t.ms],
  ['UTC', (t) => t],
  ['Local', (t) => t],
  ['String', (t) => rfc3339(t.ms)],
  ['IsZero', (t) => t.ms === 0],
  ['Year', (t) => new Date(t.ms).getUTCFullYear()],
  ['Day', (t) => new Date(t.ms).getUTCDate()],
  ['Hour', (t) => new Date(t.ms).getUTCHours()],
  ['Minute', (t) => new Date(t.ms).getUTCMinutes()],
]);

function isResolver(v: unknown): v is FieldResolver {
  return typeof v === 'object' && v !== null && typeof (v as { resolve?: unknown }).resolve === 'function';
}

/** One field (or method) step from a value. */
function step(v: Value | FieldResolver, name: string, args: readonly Value[]): Value {
  if (args.length > 0 && !(v instanceof GoTime)) {
    throw new TemplateError(`${name} is not a method but has arguments`);
  }
  if (isResolver(v)) return v.resolve(name);
  if (v instanceof GoTime) {
    const method = TIME_METHODS.get(name);
    if (!method) throw new TemplateError(`can't evaluate field ${name} in type time.Time`);
    return method(v, args);
  }
  if (v instanceof Map) return (v as ReadonlyMap<string, Value>).get(name);
  if (v === undefined || v === null) return undefined;
  throw new TemplateError(`can't evaluate field ${name} in type ${Array.isArray(v) ? 'slice' : typeof v}`);
}

/** Renders nodes; `root` is `$` and the first dot. */
export class TemplateRun {
  private out = '';
  private readonly scopes: Map<string, Value | FieldResolver>[];

  constructor(
    private readonly root: RootValue,
    private readonly emit: Emit,
    private readonly maxBytes: number,
    private readonly nowMs: number,
  ) {
    this.scopes = [new Map<string, Value | FieldResolver>([['$', root]])];
  }

  /** Runs the whole template and returns the text. */
  run(nodes: readonly TemplateNode[]): string {
    this.nodes(nodes, this.root);
    return this.out;
  }

  private write(s: string): void {
    this.out += s;
    if (this.out.length > this.maxBytes)
      throw new TemplateError(`rendered body is larger than ${this.maxBytes} bytes`);
  }

  private variable(name: string): Value | FieldResolver {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i];
      if (scope?.has(name)) return scope.get(name);
    }
    throw new TemplateError(`undefined variable "${name}"`);
  }

  private scoped(run: () => void): void {
    this.scopes.push(new Map());
    try {
      run();
    } finally {
      this.scopes.pop();
    }
  }

  private nodes(nodes: readonly TemplateNode[], dot: Value | FieldResolver): void {
    for (const node of nodes) this.node(node, dot);
  }

  private node(node: TemplateNode, dot: Value | FieldResolver): void {
    switch (node.type) {
      case 'text':
        this.write(node.text);
        return;
      case 'action': {
        const value = this.pipeline(node.pipe, dot);
        if (node.pipe.declare.length === 0) this.write(this.emit(value as Value, node.inJsonString));
        return;
      }
      case 'if':
      case 'with':
        this.scoped(() => {
          const value = this.pipeline(node.pipe, dot);
          if (truthy(value as Value))
            this.scoped(() => this.nodes(node.then, node.type === 'with' ? value : dot));
          else this.scoped(() => this.nodes(node.otherwise, dot));
        });
        return;
      case 'range':
        this.scoped(() => this.range(node, dot));
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private range(node: Extract<TemplateNode, { type: 'range' }>, dot: Value | FieldResolver): void {
    const { declare } = node.pipe;
    const value = this.pipeline({ ...node.pipe, declare: [] }, dot) as Value;
    let entries: [Value, Value][];
    if (Array.isArray(value)) entries = (value as readonly Value[]).map((v, i) => [i, v]);
    else if (value instanceof Map)
      entries = [...(value as ReadonlyMap<string, Value>).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    else if (typeof value === 'number' && Number.isInteger(value))
      entries = Array.from({ length: Math.max(0, Math.min(value, 10_000)) }, (_, i) => [i, i]);
    else if (value === undefined || value === null) entries = [];
    else throw new TemplateError(`range can't iterate over ${typeof value}`);
    if (entries.length === 0) {
      this.scoped(() => this.nodes(node.otherwise, dot));
      return;
    }
    for (const [key, item] of entries) {
      const scope = new Map<string, Value>();
      if (declare.length === 1) scope.set(declare[0] ?? '', item);
      if (declare.length === 2) {
        scope.set(declare[0] ?? '', key);
        scope.set(declare[1] ?? '', item);
      }
      this.scopes.push(scope);
      try {
        this.nodes(node.body, item);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      } finally {
        this.scopes.pop();
      }
    }
  }

  private pipeline(pipe: Pipeline, dot: Value | FieldResolver): Value | FieldResolver {
    let value: Value | FieldResolver | undefined;
    pipe.commands.forEach((cmd, i) => {
      value = this.command(cmd, dot, i > 0 ? [value as Value] : []);
    });
    for (const name of pipe.declare) {
      if (pipe.assign) {
        const owner = [...this.scopes].reverse().find((s) => s.has(name));
        owner?.set(name, value);
      } else this.scopes[this.scopes.length - 1]?.set(name, value);
    }
    return value;
  }

  private command(cmd: Command, dot: Value | FieldResolver, piped: readonly Value[]): Value | FieldResolver {
    const [head, ...rest] = cmd.operands;
    if (!head) return undefined;
    const args = [...rest.map((o) => this.operand(o, dot, []) as Value), ...piped];
    if (head.type === 'function') return callFunction(head.name, args, this.nowMs);
    return this.operand(head, dot, args);
  }

  private chain(
    start: Value | FieldResolver,
    chain: readonly string[],
    args: readonly Value[],
  ): Value | FieldResolver {
    let cur = start;
    chain.forEach((name, i) => {
      cur = step(cur, name, i === chain.length - 1 ? args : []);
    });
    if (args.length > 0 && !(chain.length > 0))
      throw new TemplateError('only a function or method can take arguments');
    return cur;
  }

  private operand(o: Operand, dot: Value | FieldResolver, args: readonly Value[]): Value | FieldResolver {
    switch (o.type) {
      case 'string':
      case 'number':
      case 'bool':
        return o.value;
      case 'nil':
        return null;
      case 'dot':
        return dot;
      case 'function':
        return callFunction(o.name, args, this.nowMs);
      case 'field':
        return this.chain(o.receiver === 'dot' ? dot : this.variable(o.receiver.variable), o.chain, args);
      case 'pipe':
        return this.chain(this.pipeline(o.pipe, dot), o.chain, args);
    }
  }
}
