/**
 * `spot-handler check [imds|queue] [flags]`: validates a configuration (the daemon's flags and
 * environment) against the live environment without acting on anything, prints a checklist (✓/✗ with the
 * fix for each ✗, – for what cannot be checked) and exits 1 on any ✗. The chart's `helm test` runs it.
 */
import type { Config, Mode } from '../config/config-types.js';
import { envValue, loadConfig, type Env } from '../config/load-config.js';
import { parseBool } from '../config/parse-value.js';
import { NTH_QUEUE_MODE_ENV } from '../config/schema.js';
import { ConfigError } from '../errors.js';
import { checklistExitCode, formatChecklist, type CheckItem } from './check-list.js';

/** Where the command writes; `run` runs the mode's checks (tests pass their own). */
export interface CheckCommandIo {
  readonly stdout: (text: string) => void;
  readonly run?: (config: Config) => Promise<CheckItem[]>;
}

/** The mode (first argument, else NTH-style from the environment) and the remaining flags. */
export function checkMode(argv: readonly string[], env: Env): { mode: Mode; rest: readonly string[] } {
  const first = argv[0];
  if (first === 'imds' || first === 'queue') return { mode: first, rest: argv.slice(1) };
  const queue = parseBool(envValue(env, NTH_QUEUE_MODE_ENV) ?? 'false') === true;
  return { mode: queue ? 'queue' : 'imds', rest: argv };
}

async function runChecks(config: Config): Promise<CheckItem[]> {
  if (config.mode === 'imds') return (await import('./check-imds.js')).runImdsChecks(config);
  return (await import('./check-queue.js')).runQueueChecks(config);
}

/** Runs the check; resolves with the exit code (0 all passed, 1 any ✗). */
export async function runCheckCommand(
  argv: readonly string[],
  env: Env,
  io: CheckCommandIo,
): Promise<number> {
  const { mode, rest } = checkMode(argv, env);
  const title = `spot-handler check (${mode} mode)`;
  let config: Config;
  try {
    config = loadConfig(mode, rest, env).config;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const items = err.problems.map((p): CheckItem => ({
      status: 'fail',
      what: 'configuration',
      detail: p,
      fix: `run "spot-handler ${mode} --help"`,
    }));
    io.stdout(formatChecklist(title, items));
    return 1;
  }
  const items: CheckItem[] = [{ status: 'ok', what: 'configuration', detail: 'valid' }];
  items.push(...(await (io.run ?? runChecks)(config)));
  io.stdout(formatChecklist(title, items));
  return checklistExitCode(items);
}
