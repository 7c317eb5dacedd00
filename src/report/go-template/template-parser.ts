/**
 * Parses Go text/template syntax into the tree of template-ast.ts: actions with pipelines, variables
 * (`$x := …`, `$i, $v := range …`), `if`/`else if`/`with`/`range`/`else`/`end`, `break`/`continue`.
 * Functions must exist with the right number of arguments (as Go checks at parse time, more strictly);
 * `define`/`template`/`block` are refused. Pure.
 */
import type { Command, Operand, Pipeline, TemplateNode } from './template-ast.js';
import { TemplateError } from './template-errors.js';
import { isKnownField } from './template-data.js';
import { FUNCTION_ARITY } from './template-funcs.js';
import { splitTemplate, tokenize, type Item, type Token } from './template-lexer.js';

const REFUSED = new Set(['define', 'template', 'block']);
const NO_CHAIN_NAMES = new Set(['__proto__', 'constructor', 'prototype']);

class Tokens {
  private i = 0;
  constructor(
    readonly list: readonly Token[],
    readonly where: string,
  ) {}
  peek(): Token | undefined {
    return this.list[this.i];
  }
  next(): Token | undefined {
    return this.list[this.i++];
  }
  fail(message: string): never {
    throw new TemplateError(`${message} in "{{${this.where}}}"`);
  }
}

function chainOf(text: string, tokens: Tokens): string[] {
  const chain = text
    .split('.')
    .slice(1)
    .filter((s) => s !== '');
  for (const name of chain) if (NO_CHAIN_NAMES.has(name)) tokens.fail(`field "${name}" is not allowed`);
  return chain;
}

function operand(tokens: Tokens, scope: Set<string>): Operand {
  const tok = tokens.next();
  if (!tok) return tokens.fail('missing value');
  switch (tok.kind) {
    case 'string':
      return { type: 'string', value: tok.text };
    case 'number':
      return { type: 'number', value: Number(tok.text) };
    case 'field':
      return tok.text === '.'
        ? { type: 'dot' }
        : { type: 'field', receiver: 'dot', chain: chainOf(tok.text, tokens) };
    case 'variable': {
      const [name = '$'] = tok.text.split('.');
      if (!scope.has(name)) tokens.fail(`undefined variable "${name}"`);
      return {
        type: 'field',
        receiver: { variable: name },
        chain: chainOf(tok.text.slice(name.length), tokens),
      };
    }
    case 'ident':
      if (tok.text === 'true' || tok.text === 'false') return { type: 'bool', value: tok.text === 'true' };
      if (tok.text === 'nil') return { type: 'nil' };
      // our first template language wrote fields bare (`{{ kind }}`): a known field that is no function
      if (!FUNCTION_ARITY.has(tok.text) && isKnownField(tok.text)) {
        return { type: 'field', receiver: { variable: '$' }, chain: [tok.text] };
      }
      if (!FUNCTION_ARITY.has(tok.text)) tokens.fail(`function "${tok.text}" not defined`);
      return { type: 'function', name: tok.text };
    case 'punct': {
      if (tok.text !== '(') return tokens.fail(`unexpected "${tok.text}"`);
      const pipe = pipeline(tokens, scope, ')');
      if (tokens.next()?.text !== ')') tokens.fail('unclosed "("');
      const after = tokens.peek();
      const chain =
        after?.kind === 'field' && !after.spaced && after.text !== '.'
          ? chainOf(tokens.next()?.text ?? '', tokens)
          : [];
      return { type: 'pipe', pipe, chain };
    }
  }
}

function command(tokens: Tokens, scope: Set<string>, piped: boolean, stop: string): Command {
  const operands: Operand[] = [];
  for (
    let t = tokens.peek();
    t && !(t.kind === 'punct' && (t.text === '|' || t.text === stop));
    t = tokens.peek()
  ) {
    operands.push(operand(tokens, scope));
  }
  const [head, ...args] = operands;
  if (!head) return tokens.fail('empty command');
  if (head.type === 'function') {
    const arity = FUNCTION_ARITY.get(head.name);
    const given = args.length + (piped ? 1 : 0);
    if (arity && (given < arity.min || given > arity.max)) {
      const wanted =
        arity.max === Infinity
          ? `at least ${arity.min}`
          : arity.min === arity.max
            ? `${arity.min}`
            : `${arity.min} to ${arity.max}`;
      tokens.fail(`function "${head.name}" takes ${wanted} argument(s), got ${given}`);
    }
  } else if ((args.length > 0 || piped) && !(head.type === 'field' && head.chain.length > 0)) {
    // a field chain may end in a method that takes arguments (`.StartTime.Format "…"`)
    tokens.fail(
      args.length > 0
        ? 'only a function or method can take arguments'
        : 'only a function or method can receive a piped value',
    );
  }
  return { operands };
}

/** `[$a[, $b] :=|=] cmd | cmd …`, ending before `stop` (or at the end). */
function pipeline(tokens: Tokens, scope: Set<string>, stop = ''): Pipeline {
  const declare: string[] = [];
  let assign = false;
  const list = tokens.list;
  const start = list.indexOf(tokens.peek() as Token);
  const decl = list.slice(start).findIndex((t) => t.kind === 'punct' && (t.text === ':=' || t.text === '='));
  const looksDeclared =
    decl > 0 &&
    list.slice(start, start + decl).every((t, i) => (i % 2 === 0 ? t.kind === 'variable' : t.text === ','));
  if (looksDeclared) {
    for (let i = 0; i < decl; i += 2) declare.push(list[start + i]?.text ?? '');
    assign = list[start + decl]?.text === '=';
    for (let i = 0; i <= decl; i++) tokens.next();
    for (const name of declare) {
      if (assign && !scope.has(name)) tokens.fail(`undefined variable "${name}"`);
    }
  }
  const commands: Command[] = [];
  do {
    commands.push(command(tokens, scope, commands.length > 0, stop));
  } while (tokens.peek()?.text === '|' && tokens.next());
  for (const name of declare) scope.add(name);
  return { declare, assign, commands };
}

interface Frame {
  readonly keyword: 'if' | 'with' | 'range';
  readonly nodes: TemplateNode[];
}

type Block = { nodes: TemplateNode[]; ended: 'end' | 'else' | 'eof'; elseTokens?: Tokens };

class Parser {
  private i = 0;
  constructor(private readonly items: readonly Item[]) {}

  /** Parses nodes until `end`, `else` or the end of input. */
  block(scope: Set<string>, inRange: boolean, frame?: Frame): Block {
    const nodes: TemplateNode[] = [];
    for (let item = this.items[this.i++]; item; item = this.items[this.i++]) {
      if (item.type === 'text') {
        nodes.push({ type: 'text', text: item.text });
        continue;
      }
      const tokens = new Tokens(tokenize(item.body), item.body);
      const first = tokens.peek();
      const word = first?.kind === 'ident' ? first.text : undefined;
      if (word === 'end' || word === 'else') {
        if (!frame) tokens.fail(`unexpected "${word}"`);
        tokens.next();
        if (word === 'end' && tokens.peek()) tokens.fail('unexpected text after "end"');
        return { nodes, ended: word, elseTokens: tokens };
      }
      if (word === 'if' || word === 'with' || word === 'range') {
        tokens.next();
        nodes.push(this.control(word, tokens, new Set(scope), inRange));
      } else if (word === 'break' || word === 'continue') {
        if (!inRange) tokens.fail(`"${word}" outside range`);
        nodes.push({ type: word });
      } else if (word && REFUSED.has(word)) {
        tokens.fail(`"${word}" is not supported (one template per webhook)`);
      } else {
        if (!first) tokens.fail('empty action');
        nodes.push({ type: 'action', pipe: pipeline(tokens, scope), inJsonString: item.inJsonString });
        if (tokens.peek()) tokens.fail(`unexpected "${tokens.peek()?.text}"`);
      }
    }
    if (frame) throw new TemplateError(`"{{ ${frame.keyword} }}" has no "{{ end }}"`);
    return { nodes, ended: 'eof' };
  }

  private control(
    keyword: 'if' | 'with' | 'range',
    tokens: Tokens,
    scope: Set<string>,
    inRange: boolean,
  ): TemplateNode {
    if (!tokens.peek()) tokens.fail(`missing value for "${keyword}"`);
    const pipe = pipeline(tokens, scope);
    if (tokens.peek()) tokens.fail(`unexpected "${tokens.peek()?.text}"`);
    if (keyword === 'range' && pipe.declare.length > 2) tokens.fail('range declares at most two variables');
    const frame: Frame = { keyword, nodes: [] };
    const body = this.block(new Set(scope), inRange || keyword === 'range', frame);
    let otherwise: TemplateNode[] = [];
    if (body.ended === 'else') {
      const rest = body.elseTokens as Tokens;
      const chained = rest.peek();
      if (
        chained &&
        keyword !== 'range' &&
        chained.kind === 'ident' &&
        (chained.text === 'if' || chained.text === 'with')
      ) {
        rest.next();
        // `else if x` / `else with x`: a nested block that shares this one's `end`
        otherwise = [this.control(chained.text, rest, new Set(scope), inRange)];
      } else {
        if (chained) rest.fail('unexpected text after "else"');
        const tail = this.block(new Set(scope), inRange, frame);
        if (tail.ended !== 'end') throw new TemplateError(`"{{ ${keyword} }}" has a second "{{ else }}"`);
        otherwise = tail.nodes;
      }
    }
    if (keyword === 'range') return { type: 'range', pipe, body: body.nodes, otherwise };
    return { type: keyword, pipe, then: body.nodes, otherwise };
  }
}

/** Parses a template into nodes; `json` turns on JSON-string tracking for escaping. */
export function parseTemplate(source: string, json: boolean): TemplateNode[] {
  const parser = new Parser(splitTemplate(source, json));
  return parser.block(new Set(['$']), false).nodes;
}
