/**
 * The parsed form of a Go text/template (the subset NTH webhook templates use): immutable data, no
 * closures. Built by template-parser.ts, run by template-exec.ts.
 */

/** One operand of a command. */
export type Operand =
  | {
      readonly type: 'field';
      readonly receiver: 'dot' | { readonly variable: string };
      readonly chain: readonly string[];
    }
  | { readonly type: 'dot' }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'nil' }
  | { readonly type: 'function'; readonly name: string }
  | { readonly type: 'pipe'; readonly pipe: Pipeline; readonly chain: readonly string[] };

/** `f a b` or `.X` or `$v`: the first operand is the function when it is one. */
export interface Command {
  readonly operands: readonly Operand[];
}

/** `$x := cmd | cmd`: commands joined by pipes, optionally declaring or assigning variables. */
export interface Pipeline {
  readonly declare: readonly string[];
  /** True for `=` (assign an existing variable), false for `:=`. */
  readonly assign: boolean;
  readonly commands: readonly Command[];
}

/** A node of the template tree. */
export type TemplateNode =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'action'; readonly pipe: Pipeline; readonly inJsonString: boolean }
  | {
      readonly type: 'if' | 'with';
      readonly pipe: Pipeline;
      readonly then: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[];
    }
  | {
      readonly type: 'range';
      readonly pipe: Pipeline;
      readonly body: readonly TemplateNode[];
      readonly otherwise: readonly TemplateNode[];
    }
  | { readonly type: 'break' | 'continue' };
