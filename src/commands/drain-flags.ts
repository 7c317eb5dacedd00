/**
 * Flags of `spot-handler drain NODE`: kubectl drain's names and meanings where they mean the same
 * (--ignore-daemonsets, --delete-emptydir-data, --force, --grace-period, --timeout, --pod-selector,
 * --dry-run), plus --deadline (when the node goes away: grace periods are shortened to fit). Pure.
 */

/** What the drain command was asked to do. */
export interface DrainFlags {
  readonly node: string;
  readonly kubeconfigPath?: string;
  /** Leave DaemonSet pods alone (kubectl: without it, DaemonSet pods refuse the drain). */
  readonly ignoreDaemonSets: boolean;
  /** Evict pods with emptyDir volumes (kubectl: without it, they refuse the drain). */
  readonly deleteEmptyDirData: boolean;
  /** Evict pods with no controller (kubectl --force). */
  readonly force: boolean;
  /** Seconds given to each pod; -1 uses the pod's own terminationGracePeriodSeconds. */
  readonly gracePeriodSeconds: number;
  /** Give up after this long; undefined waits (kubectl's --timeout=0). */
  readonly timeoutMs?: number;
  /** Only pods matching this label selector. */
  readonly podSelector?: string;
  /** Print what would be evicted; cordon and evict nothing. */
  readonly dryRun: boolean;
  /** When the node goes away, relative (duration) from now or absolute (RFC 3339), ms since epoch. */
  readonly deadlineMs?: number;
  /** Engine log level on stderr (default error). */
  readonly logLevel: string;
}

/** The usage text. */
export const DRAIN_USAGE = [
  'usage: spot-handler drain NODE [flags]',
  '',
  'Cordons NODE, then evicts its pods with the spot-handler drain engine (PDBs respected, retried with',
  'backoff, critical pods last) and prints what blocked it. Exit 0 when drained, 1 otherwise.',
  '',
  'Flags (as kubectl drain):',
  '  --ignore-daemonsets         ignore DaemonSet-managed pods (without it they refuse the drain)',
  '  --delete-emptydir-data      evict pods with emptyDir volumes (their data is lost)',
  '  --force                     evict pods that have no controller',
  "  --grace-period=SECONDS      grace period for every pod (default -1: the pod's own)",
  '  --timeout=DURATION          give up after this long, e.g. 90s, 5m (default 0: wait forever)',
  '  --pod-selector=SELECTOR     only pods matching this label selector',
  '  --dry-run[=none|client|server]  print the pods that would be evicted; change nothing',
  'spot-handler flags:',
  '  --deadline=WHEN             the node goes away then: a duration (2m) or RFC 3339 time; grace',
  '                              periods are shortened so pods are gone by then',
  '  --kubeconfig=PATH           kubeconfig file (default $KUBECONFIG, then ~/.kube/config)',
  '  --log-level=LEVEL           engine log lines on stderr (default error); at info the last line',
  '                              says what the drain cost: API requests, node writes, cordon to drained',
  '',
].join('\n');

/** A usage problem; the CLI prints it with the usage and exits 1 (as kubectl). */
export class DrainUsageError extends Error {}

const BOOLEAN_FLAGS = new Set(['ignore-daemonsets', 'delete-emptydir-data', 'force', 'dry-run']);
const VALUE_FLAGS = new Set([
  'grace-period',
  'timeout',
  'pod-selector',
  'deadline',
  'kubeconfig',
  'log-level',
]);
const LOG_LEVELS = new Set(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']);
const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go-style duration ("90s", "1m30s", "500ms", "0") into milliseconds; undefined when invalid. */
export function parseDurationMs(text: string): number | undefined {
  if (text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text) return undefined;
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * (UNIT_MS[p[2] ?? 's'] ?? 0), 0));
}

function parseBoolValue(name: string, value: string | undefined): boolean {
  if (value === undefined || value === 'true') return true;
  if (value === 'false') return false;
  if (name === 'dry-run') {
    if (value === 'none') return false;
    if (value === 'client' || value === 'server') return true;
    throw new DrainUsageError(`--dry-run must be none, client or server, got "${value}"`);
  }
  throw new DrainUsageError(`--${name} takes true or false, got "${value}"`);
}

function parseDeadline(value: string, nowMs: number): number {
  const relative = parseDurationMs(value);
  if (relative !== undefined) return nowMs + relative;
  const absolute = /^\d{4}-\d\d-\d\dT/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(absolute)) {
    throw new DrainUsageError(`--deadline must be a duration (2m) or an RFC 3339 time, got "${value}"`);
  }
  return absolute;
}

/** Splits argv into flags (name → value, undefined for bare booleans) and positionals. */
function splitArgs(argv: readonly string[]): { flags: Map<string, string | undefined>; args: string[] } {
  const flags = new Map<string, string | undefined>();
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (!arg.startsWith('--')) {
      args.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    let value = eq === -1 ? undefined : arg.slice(eq + 1);
    if (VALUE_FLAGS.has(name) && value === undefined) {
      value = argv[++i];
      if (value === undefined) throw new DrainUsageError(`--${name} needs a value`);
    } else if (!VALUE_FLAGS.has(name) && !BOOLEAN_FLAGS.has(name)) {
      throw new DrainUsageError(`unknown flag --${name}`);
    }
    flags.set(name, value);
  }
  return { flags, args };
}

function parseNumbers(flags: Map<string, string | undefined>): { grace: number; timeoutMs?: number } {
  const graceText = flags.get('grace-period') ?? '-1';
  const grace = Number(graceText);
  if (!/^-?\d+$/.test(graceText) || grace < -1) {
    throw new DrainUsageError(`--grace-period must be an integer >= -1, got "${graceText}"`);
  }
  const timeoutText = flags.get('timeout');
  if (timeoutText === undefined) return { grace };
  const timeoutMs = parseDurationMs(timeoutText);
  if (timeoutMs === undefined) {
    throw new DrainUsageError(`--timeout must be a duration such as 90s or 5m, got "${timeoutText}"`);
  }
  return timeoutMs === 0 ? { grace } : { grace, timeoutMs };
}

/** Parses the drain command line; throws DrainUsageError with a message naming the flag. */
export function parseDrainFlags(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  nowMs: number,
): DrainFlags {
  const { flags, args } = splitArgs(argv);
  if (args.length !== 1) {
    throw new DrainUsageError(
      args.length === 0 ? 'NODE is required' : `one NODE only, got ${args.join(' ')}`,
    );
  }
  const bool = (name: string): boolean => flags.has(name) && parseBoolValue(name, flags.get(name));
  const { grace, timeoutMs } = parseNumbers(flags);
  const logLevel = flags.get('log-level') ?? 'error';
  if (!LOG_LEVELS.has(logLevel)) throw new DrainUsageError(`--log-level "${logLevel}" is not a pino level`);
  const selector = flags.get('pod-selector');
  const deadline = flags.get('deadline');
  // a KUBECONFIG list (a:b) is left to client-node's default loading, which merges it
  const envPath = env['KUBECONFIG'];
  const kubeconfigPath = flags.get('kubeconfig') ?? (envPath && !envPath.includes(':') ? envPath : undefined);
  return {
    node: args[0] ?? '',
    ignoreDaemonSets: bool('ignore-daemonsets'),
    deleteEmptyDirData: bool('delete-emptydir-data'),
    force: bool('force'),
    gracePeriodSeconds: grace,
    dryRun: bool('dry-run'),
    logLevel,
    ...(timeoutMs !== undefined && { timeoutMs }),
    ...(selector && { podSelector: selector }),
    ...(deadline !== undefined && { deadlineMs: parseDeadline(deadline, nowMs) }),
    ...(kubeconfigPath && { kubeconfigPath }),
  };
}
