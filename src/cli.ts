/**
 * `spot-handler <imds|queue|sandbox> [flags]` (and the operator commands `drain`, `migrate-values`): parses the mode, loads the config (exit 2 listing every
 * problem), creates the logger and registry, and runs the mode under the process lifecycle.
 */
import { readFileSync } from 'node:fs';
import type { DestinationStream } from 'pino';
import { Registry } from './report/prom-client-lean.js';
import { runMode } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Mode } from './config/config-types.js';
import { modeHelp, topHelp } from './config/help.js';
import { loadConfig, envValue, type Env, type LoadedConfig } from './config/load-config.js';
import { parseBool } from './config/parse-value.js';
import { redactedConfig } from './config/redact.js';
import { NTH_QUEUE_MODE_ENV } from './config/schema.js';
import { ConfigError } from './errors.js';
import { runWithShutdown, type ProcessPort } from './process/shutdown.js';
import { createLogger } from './report/logger.js';
import { VERSION } from './version.js';

/** Where the CLI writes and what it runs against; tests replace parts of it. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly proc: ProcessPort;
  readonly clock: Clock;
  /** Log destination; stdout when absent. */
  readonly logDestination?: DestinationStream;
  readonly readFile?: (path: string) => string;
  /** The composition root (src/app.ts); tests pass a fake. */
  readonly runMode: typeof runMode;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  proc: process,
  clock: systemClock,
  runMode,
};

/** The mode and remaining flags; NTH-style (no mode) picks queue when ENABLE_SQS_TERMINATION_DRAINING=true. */
export function resolveMode(
  argv: readonly string[],
  env: Env,
): { mode: Mode | 'sandbox'; rest: readonly string[] } | { unknown: string } {
  const first = argv[0];
  if (first === 'imds' || first === 'queue' || first === 'sandbox')
    return { mode: first, rest: argv.slice(1) };
  if (first !== undefined && !first.startsWith('-')) return { unknown: first };
  const queue = parseBool(envValue(env, NTH_QUEUE_MODE_ENV) ?? 'false') === true;
  return { mode: queue ? 'queue' : 'imds', rest: argv };
}

function load(mode: Mode, rest: readonly string[], env: Env, io: CliIo): LoadedConfig | number {
  try {
    return loadConfig(mode, rest, env, io.readFile ? { readFile: io.readFile } : {});
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const list = err.problems.map((p) => `  - ${p}`).join('\n');
    io.stderr(`spot-handler ${mode}: invalid configuration (${err.problems.length} problem(s)):\n${list}\n`);
    io.stderr(`run "spot-handler ${mode} --help" for every flag and environment variable.\n`);
    return 2;
  }
}

async function runDaemon(loaded: LoadedConfig, io: CliIo): Promise<number> {
  const { config, warnings } = loaded;
  const logger = await createLogger({
    level: config.general.logLevel,
    format: config.general.logFormat,
    version: VERSION,
    mode: config.mode,
    ...(io.logDestination && { destination: io.logDestination }),
  });
  for (const warning of warnings) logger.warn({ component: 'config' }, warning);
  logger.info({ component: 'config', config: redactedConfig(config) }, 'configuration loaded');
  const registry = new Registry();
  return runWithShutdown((signal) => io.runMode(config, { logger, registry, signal, clock: io.clock }), {
    shutdownGraceMs: config.general.shutdownGraceSeconds * 1000,
    logger,
    clock: io.clock,
    proc: io.proc,
  });
}

/** `spot-handler drain NODE` (loaded on demand); Ctrl-C or SIGTERM stops the drain. */
async function runDrain(argv: readonly string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  const { runDrainCommand, connectKube } = await import('./commands/drain-command.js');
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  io.proc.on('SIGINT', onSignal);
  io.proc.on('SIGTERM', onSignal);
  try {
    return await runDrainCommand(argv, env, { ...io, signal: stop.signal, connect: connectKube });
  } finally {
    io.proc.off('SIGINT', onSignal);
    io.proc.off('SIGTERM', onSignal);
  }
}

/** Runs the command line; resolves with the process exit code (0 ok, 1 failure, 2 usage/config). */
export async function runCli(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  ioOverrides: Partial<CliIo> = {},
): Promise<number> {
  const io: CliIo = { ...defaultIo, ...ioOverrides };
  if (argv[0] === '--version') {
    io.stdout(`spot-handler ${VERSION}\n`);
    return 0;
  }
  if (argv[0] === '-h' || argv[0] === '--help') {
    io.stdout(topHelp());
    return 0;
  }
  if (argv[0] === 'drain') return runDrain(argv.slice(1), env, io);
  if (argv[0] === 'check') {
    const { runCheckCommand } = await import('./commands/check-command.js');
    return runCheckCommand(argv.slice(1), env, { stdout: io.stdout });
  }
  if (argv[0] === 'migrate-values') {
    const { runMigrateValuesCommand } = await import('./commands/migrate-values-command.js');
    const readFile = io.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
    return runMigrateValuesCommand(argv.slice(1), { ...io, readFile });
  }
  const resolved = resolveMode(argv, env);
  if ('unknown' in resolved) {
    io.stderr(`spot-handler: unknown mode "${resolved.unknown}"\n\n${topHelp()}`);
    return 2;
  }
  const { mode, rest } = resolved;
  if (rest.includes('--version')) {
    io.stdout(`spot-handler ${VERSION}\n`);
    return 0;
  }
  if (mode === 'sandbox') {
    // Loaded on demand: the daemon never loads the simulators.
    const { runSandboxCommand } = await import('./sandbox/demo.js');
    const entry = [...process.execArgv, process.argv[1] ?? ''];
    // The AWS SDK's "node >=22 from January 2027" notice concerns the Node version running `npm run
    // demo`, not the product (the image runs Node 22): keep it out of the demo, here and in the daemon.
    const quiet = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } as const;
    Object.assign(process.env, quiet);
    const baseEnv = { PATH: env.PATH ?? '/usr/bin:/bin', HOME: env.HOME ?? '/tmp', ...quiet };
    return runSandboxCommand(rest, { out: io.stdout, entry, baseEnv });
  }
  if (rest.includes('-h') || rest.includes('--help')) {
    io.stdout(modeHelp(mode));
    return 0;
  }
  const loaded = load(mode, rest, env, io);
  return typeof loaded === 'number' ? loaded : runDaemon(loaded, io);
}
