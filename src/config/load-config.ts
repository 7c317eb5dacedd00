/**
 * Builds the one frozen Config from flags > env > defaults (DESIGN §6). Every problem is collected and
 * thrown together as one ConfigError; NTH options we do not need are accepted and listed as warnings.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import type { Config, Mode, SectionName } from './config-types.js';
import type { OptionAlias, OptionEntry } from './option-spec.js';
import { parseArgv, optionId, type ParsedArgs } from './parse-argv.js';
import { allowedText, convertValue, parseBool } from './parse-value.js';
import { IGNORED_NTH_OPTIONS, NTH_QUEUE_MODE_ENV, allOptions } from './schema.js';
import { deriveAndCheck } from './validate-config.js';

/** Environment variables as given (process.env or a test's object). */
export type Env = Readonly<Record<string, string | undefined>>;

/** The config and the non-fatal remarks about how it was given. */
export interface LoadedConfig {
  readonly config: Config;
  readonly warnings: readonly string[];
}

/** File access used for --webhook-url-file and --webhook-template-file. */
export interface LoadOptions {
  readonly readFile?: (path: string) => string;
}

/** How an option is named in messages: `--flag / ENV` (or just ENV when env-only). */
export function optionLabel(entry: OptionEntry): string {
  return entry.flag ? `${entry.flag} / ${entry.env}` : entry.env;
}

interface Source {
  readonly raw: string;
  readonly origin: string;
  readonly alias?: OptionAlias;
}

/** Env value, with empty (or blank) values counting as unset. */
export function envValue(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v;
}

function sourcesOf(entry: OptionEntry, args: ParsedArgs, env: Env): Source[] {
  const out: Source[] = [];
  const id = optionId(entry);
  for (const hit of [args.primary.get(id), args.viaAlias.get(id)]) {
    if (hit && hit.raw.trim() !== '')
      out.push({ raw: hit.raw, origin: hit.name, ...(hit.alias && { alias: hit.alias }) });
  }
  const primaryEnv = envValue(env, entry.env);
  if (primaryEnv !== undefined) out.push({ raw: primaryEnv, origin: `env ${entry.env}` });
  for (const alias of entry.aliases ?? []) {
    const v = alias.env ? envValue(env, alias.env) : undefined;
    if (v !== undefined) out.push({ raw: v, origin: `env ${alias.env}`, alias });
  }
  return out;
}

function shown(entry: OptionEntry, raw: string): string {
  return entry.secret ? '(value hidden)' : JSON.stringify(raw);
}

function convertSource(entry: OptionEntry, src: Source): { value?: unknown; problem?: string } {
  let raw = src.raw;
  if (src.alias?.boolMap) {
    const b = parseBool(raw);
    if (b === undefined)
      return { problem: `${src.origin}=${shown(entry, raw)} is not a boolean; allowed: true|false` };
    raw = b ? src.alias.boolMap.true : src.alias.boolMap.false;
  }
  const converted = convertValue(entry, raw);
  if (converted.ok) return { value: converted.value };
  return {
    problem: `${src.origin}=${shown(entry, src.raw)} ${converted.problem}; allowed: ${allowedText(entry)}`,
  };
}

function resolveOption(entry: OptionEntry, mode: Mode, args: ParsedArgs, env: Env, out: Collector): unknown {
  const sources = sourcesOf(entry, args, env);
  const [chosen, ...shadowed] = sources;
  if (!chosen) return entry.default;
  const label = optionLabel(entry);
  if (entry.modes !== 'both' && entry.modes !== mode) {
    const msg = `${label}: applies to ${entry.modes} mode only (set by ${chosen.origin})`;
    if (entry.errorOutsideMode) out.problems.push(msg);
    else out.warnings.push(`${msg}; ignored`);
    return entry.default;
  }
  const sameTier = shadowed.filter((s) => s.origin.startsWith('env') === chosen.origin.startsWith('env'));
  for (const s of sameTier) {
    if (s.raw !== chosen.raw)
      out.warnings.push(`${label}: ${s.origin} ignored, ${chosen.origin} takes precedence`);
  }
  const { value, problem } = convertSource(entry, chosen);
  if (problem !== undefined) out.problems.push(`${label}: ${problem}`);
  return problem === undefined ? value : entry.default;
}

interface Collector {
  readonly problems: string[];
  readonly warnings: string[];
}

function ignoredWarnings(mode: Mode, args: ParsedArgs, env: Env, out: Collector): void {
  for (const option of IGNORED_NTH_OPTIONS) {
    const v = envValue(env, option.env);
    const asFlag = args.ignored.find((i) => i.option === option);
    if (v === undefined && !asFlag) continue;
    // ENABLE_SQS_TERMINATION_DRAINING only chooses the mode: silent when it agrees.
    if (option.env === NTH_QUEUE_MODE_ENV && parseBool(v ?? 'true') === (mode === 'queue')) continue;
    out.warnings.push(
      `${asFlag?.name ?? option.env} is an NTH option with no effect here (${option.why}); ignored`,
    );
  }
}

/** Loads the config for `mode`; throws ConfigError listing every problem. */
export function loadConfig(
  mode: Mode,
  argv: readonly string[],
  env: Env,
  options: LoadOptions = {},
): LoadedConfig {
  const entries = allOptions();
  const args = parseArgv(argv, entries);
  const out: Collector = { problems: [...args.problems], warnings: [] };
  const values: Record<string, Record<string, unknown>> = {};
  const explicit = new Set<string>();
  for (const entry of entries) {
    const section = (values[entry.section] ??= {});
    section[entry.key] = resolveOption(entry, mode, args, env, out);
    if (sourcesOf(entry, args, env).length) explicit.add(optionId(entry));
  }
  ignoredWarnings(mode, args, env, out);
  const readFile = options.readFile ?? ((p: string) => readFileSync(p, 'utf8'));
  const config = deriveAndCheck({
    mode,
    values,
    explicit,
    env,
    readFile,
    problems: out.problems,
    warnings: out.warnings,
  });
  if (out.problems.length) throw new ConfigError(out.problems);
  return { config, warnings: out.warnings };
}

/** Sections of the config in schema order (for callers that walk it). */
export const SECTIONS: readonly SectionName[] = [
  'general',
  'kube',
  'node',
  'drain',
  'imds',
  'queue',
  'aws',
  'webhook',
];
