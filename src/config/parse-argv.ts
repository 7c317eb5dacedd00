/** Splits command-line flags into raw values per option; unknown flags are reported, never thrown. */
import type { IgnoredOption, OptionAlias, OptionEntry } from './option-spec.js';
import { IGNORED_NTH_OPTIONS } from './schema.js';

/** One flag occurrence: the name as written, its raw value, and the alias it came through (if any). */
export interface FlagHit {
  readonly name: string;
  readonly raw: string;
  readonly alias?: OptionAlias;
}

/** What the command line said. */
export interface ParsedArgs {
  /** Last occurrence per option id (`section.key`), primary flag and alias flags kept apart. */
  readonly primary: ReadonlyMap<string, FlagHit>;
  readonly viaAlias: ReadonlyMap<string, FlagHit>;
  readonly ignored: readonly { readonly option: IgnoredOption; readonly name: string }[];
  readonly help: boolean;
  readonly version: boolean;
  readonly problems: readonly string[];
}

interface Target {
  readonly entry?: OptionEntry;
  readonly alias?: OptionAlias;
  readonly ignored?: IgnoredOption;
  readonly isBool: boolean;
  /** `--no-x`: the value is false. */
  readonly negated?: boolean;
}

/** Option id used as a map key. */
export function optionId(entry: { section: string; key: string }): string {
  return `${entry.section}.${entry.key}`;
}

function buildTargets(entries: readonly OptionEntry[]): Map<string, Target> {
  const targets = new Map<string, Target>();
  const addBool = (name: string, t: Omit<Target, 'isBool'>): void => {
    targets.set(name, { ...t, isBool: true });
    targets.set(`--no-${name.slice(2)}`, { ...t, isBool: true, negated: true });
  };
  for (const entry of entries) {
    if (entry.flag) {
      if (entry.type === 'bool') addBool(entry.flag, { entry });
      else targets.set(entry.flag, { entry, isBool: false });
    }
    for (const alias of entry.aliases ?? []) {
      if (!alias.flag) continue;
      if (entry.type === 'bool' || alias.boolMap) addBool(alias.flag, { entry, alias });
      else targets.set(alias.flag, { entry, alias, isBool: false });
    }
  }
  for (const ignored of IGNORED_NTH_OPTIONS) {
    if (ignored.takesValue) targets.set(ignored.flag, { ignored, isBool: false });
    else addBool(ignored.flag, { ignored });
  }
  return targets;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function suggest(name: string, targets: Map<string, Target>): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of targets.keys()) {
    // the distance is at least the length difference: skip the O(n·m) pass (a huge token stays cheap)
    if (Math.abs(name.length - candidate.length) >= bestDistance) continue;
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
}

interface FlagRead {
  readonly name: string;
  /** Extra argv tokens used as the value. */
  readonly skip: number;
  readonly target?: Target;
  readonly raw?: string;
  readonly problem?: string;
}

/** Reads the flag at argv[i] and its value; a problem instead when it cannot. */
function readFlag(argv: readonly string[], i: number, targets: Map<string, Target>): FlagRead {
  const token = argv[i] ?? '';
  const eq = token.indexOf('=');
  const name = eq < 0 ? token : token.slice(0, eq);
  const target = targets.get(name);
  const next = argv[i + 1];
  if (!target) {
    // its value, if it has one, is not a second problem
    const skip = eq < 0 && next !== undefined && !next.startsWith('-') ? 1 : 0;
    return { name, skip, problem: `unknown flag ${name}${suggest(name, targets)}` };
  }
  if (target.isBool) {
    if (target.negated && eq >= 0) {
      return { name, skip: 0, problem: `${name} takes no value (use ${name} or --${name.slice(5)}=false)` };
    }
    return { name, skip: 0, target, raw: target.negated ? 'false' : eq >= 0 ? token.slice(eq + 1) : 'true' };
  }
  if (eq >= 0) return { name, skip: 0, target, raw: token.slice(eq + 1) };
  if (next === undefined || (next.startsWith('--') && targets.has(next.split('=')[0] ?? ''))) {
    return { name, skip: 0, problem: `${name} needs a value` };
  }
  return { name, skip: 1, target, raw: next };
}

/** Parses flags: `--x v`, `--x=v`; booleans `--x`, `--x=true|false`, `--no-x`; `-h`/`--help`, `--version`. */
export function parseArgv(argv: readonly string[], entries: readonly OptionEntry[]): ParsedArgs {
  const targets = buildTargets(entries);
  const primary = new Map<string, FlagHit>();
  const viaAlias = new Map<string, FlagHit>();
  const ignored: { option: IgnoredOption; name: string }[] = [];
  const problems: string[] = [];
  let help = false;
  let version = false;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] ?? '';
    if (token === '-h' || token === '--help') help = true;
    else if (token === '--version') version = true;
    else if (!token.startsWith('--')) problems.push(`unexpected argument "${token}" (flags start with --)`);
    else {
      const { name, skip, target, raw, problem } = readFlag(argv, i, targets);
      i += skip;
      if (problem !== undefined || !target || raw === undefined)
        problems.push(problem ?? `${name}: unreadable`);
      else if (target.ignored) ignored.push({ option: target.ignored, name });
      else if (target.entry) {
        const hit: FlagHit = target.alias ? { name, raw, alias: target.alias } : { name, raw };
        (target.alias ? viaAlias : primary).set(optionId(target.entry), hit);
      }
    }
  }
  return { primary, viaAlias, ignored, help, version, problems };
}
