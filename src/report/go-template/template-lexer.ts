/**
 * Splits a Go text/template into text and `{{ … }}` actions (trim markers `{{- -}}`, comments
 * (slash-star comments), `}}` inside quoted strings), and an action body into tokens. Pure.
 */
import { TemplateError } from './template-errors.js';

/** A top-level piece of the template. */
export type Item =
  | { readonly type: 'text'; readonly text: string }
  | {
      readonly type: 'action';
      readonly body: string;
      readonly offset: number;
      readonly inJsonString: boolean;
    };

/** One token of an action body. */
export interface Token {
  readonly kind: 'field' | 'variable' | 'string' | 'number' | 'ident' | 'punct';
  readonly text: string;
  /** True when whitespace precedes the token (`(.X).Y` chains only without it). */
  readonly spaced: boolean;
}

/** Tracks whether a JSON text ends inside a string literal. */
function jsonStringState(literal: string, inside: boolean): boolean {
  let state = inside;
  for (let i = 0; i < literal.length; i++) {
    const c = literal[i];
    if (state && c === '\\') i++;
    else if (c === '"') state = !state;
  }
  return state;
}

/** Index of the `}}` closing the action that starts at `from`, skipping quoted strings. */
function closeOf(source: string, from: number): number {
  let quote: string | undefined;
  for (let i = from; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === '\\' && quote !== '`') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === '`' || c === "'") quote = c;
    else if (c === '}' && source[i + 1] === '}') return i;
  }
  return -1;
}

/** Splits the template; `json` turns on the JSON string tracking used for escaping. */
export function splitTemplate(source: string, json: boolean): Item[] {
  const items: Item[] = [];
  let pos = 0;
  let trimNext = false;
  let inString = false;
  const pushText = (text: string): void => {
    inString = json && jsonStringState(text, inString);
    if (text !== '') items.push({ type: 'text', text });
  };
  for (;;) {
    const open = source.indexOf('{{', pos);
    let literal = source.slice(pos, open < 0 ? source.length : open);
    if (trimNext) literal = literal.trimStart();
    if (open < 0) {
      pushText(literal);
      return items;
    }
    let bodyStart = open + 2;
    if (/^-[\s]/.test(source.slice(bodyStart, bodyStart + 2))) {
      literal = literal.trimEnd();
      bodyStart += 1;
    }
    pushText(literal);
    const comment = /^\s*\/\*/.test(source.slice(bodyStart));
    const close = comment ? source.indexOf('*/', bodyStart) : closeOf(source, bodyStart);
    const end = comment && close >= 0 ? source.indexOf('}}', close + 2) : close;
    if (end < 0) throw new TemplateError(`unclosed action "{{" at offset ${open}`);
    let body = source.slice(bodyStart, end);
    trimNext = /\s-$/.test(body);
    if (trimNext) body = body.slice(0, -1);
    if (!comment) items.push({ type: 'action', body, offset: open, inJsonString: inString });
    pos = end + 2;
  }
}

const TOKEN =
  /(\s*)(?:("(?:[^"\\]|\\.)*")|(`[^`]*`)|('(?:[^'\\]|\\.)')|(:=|[|(),=])|(\$[A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)|(\.(?:[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)?)|([+-]?(?:0x[0-9a-fA-F]+|\d+(?:\.\d+)?(?:[eE][+-]?\d+)?))|([A-Za-z_][A-Za-z0-9_]*))/y;

/** Tokenizes an action body; throws TemplateError on anything it cannot read. */
export function tokenize(body: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  let end = 0;
  for (let m = TOKEN.exec(body); m !== null; m = TOKEN.exec(body)) {
    end = TOKEN.lastIndex;
    const spaced = (m[1] ?? '') !== '' || tokens.length === 0;
    if (m[2] !== undefined) tokens.push({ kind: 'string', text: JSON.parse(m[2]) as string, spaced });
    else if (m[3] !== undefined) tokens.push({ kind: 'string', text: m[3].slice(1, -1), spaced });
    else if (m[4] !== undefined) {
      const ch = JSON.parse(`"${m[4].slice(1, -1).replace(/"/g, '\\"')}"`) as string;
      tokens.push({ kind: 'number', text: String(ch.codePointAt(0) ?? 0), spaced });
    } else if (m[5] !== undefined) tokens.push({ kind: 'punct', text: m[5], spaced });
    else if (m[6] !== undefined) tokens.push({ kind: 'variable', text: m[6], spaced });
    else if (m[7] !== undefined) tokens.push({ kind: 'field', text: m[7], spaced });
    else if (m[8] !== undefined) tokens.push({ kind: 'number', text: m[8], spaced });
    else if (m[9] !== undefined) tokens.push({ kind: 'ident', text: m[9], spaced });
  }
  const rest = body.slice(end);
  if (rest.trim() !== '') throw new TemplateError(`cannot read "${rest.trim()}" in "{{${body}}}"`);
  return tokens;
}
