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
    const d = editDistance(name, candidate);
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best ? ` (did you mean ${best}?)` : '';
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
      const eq = token.indexOf('=');
      const name = eq < 0 ? token : token.slice(0, eq);
      const target = targets.get(name);
      if (!target) {
        problems.push(`unknown flag ${name}${suggest(name, targets)}`);
        // its value, if it has one, is not a second problem
        if (eq < 0 && argv[i + 1] !== undefined && !argv[i + 1]?.startsWith('-')) i++;
        continue;
      }
      let raw: string;
      if (target.isBool) {
        if (target.negated && eq >= 0) {
          problems.push(`${name} takes no value (use ${name} or --${name.slice(5)}=false)`);
          continue;
        }
        raw = target.negated ? 'false' : eq >= 0 ? token.slice(eq + 1) : 'true';
      } else if (eq >= 0) raw = token.slice(eq + 1);
      else {
        const next = argv[i + 1];
        if (next === undefined || (next.startsWith('--') && targets.has(next.split('=')[0] ?? ''))) {
          problems.push(`${name} needs a value`);
          continue;
        }
        raw = next;
        i++;
      }
      if (target.ignored) ignored.push({ option: target.ignored, name });
      else if (target.entry) {
        const hit: FlagHit = target.alias ? { name, raw, alias: target.alias } : { name, raw };
        (target.alias ? viaAlias : primary).set(optionId(target.entry), hit);
      }
    }
  }
  return { primary, viaAlias, ignored, help, version, problems };
}
