/**
 * Spawns the real daemon as a child process for scenario tests and benchmarks: picks a free HTTP port,
 * captures JSON log lines, waits for /readyz, sends SIGTERM/SIGKILL and cleans up.
 *
 * Entry: 'auto' (the default) runs a bundle of the current src/ built on demand with the build's esbuild
 * options into the temp directory, keyed by every source file's path, size and mtime (so it is never
 * stale, and several test files share one build). Why not tsx: under load, tsx needs seconds to load
 * @kubernetes/client-node's ~1000 modules, the bundle a fraction of that, and the bundle is what ships.
 * 'source' runs `node --import tsx src/main.ts`; 'bundle' runs dist/spot-handler.mjs (benchmarks: what
 * `npm run build` made). SPOT_HANDLER_TEST_ENTRY=source|bundle|auto overrides the choice for a run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { REPO_ROOT, testBundle } from './daemon-bundle.js';

export { REPO_ROOT, testBundle } from './daemon-bundle.js';
/** The bundle `npm run build` writes. */
export const BUNDLE_PATH = `${REPO_ROOT}dist/spot-handler.mjs`;
/** The V8 flags the Dockerfile's ENTRYPOINT uses (ADR 0007; test/unit/packaging checks they match). */
export const DOCKER_NODE_FLAGS = [
  '--max-semi-space-size=1',
  '--optimize-for-size',
  '--no-turbofan',
  '--no-maglev',
  '--no-sparkplug',
] as const;

/** One parsed log line (pino JSON); `raw` keeps the text. */
export interface LogLine {
  readonly level?: number;
  readonly msg?: string;
  readonly component?: string;
  readonly time?: number;
  readonly raw: string;
  readonly [key: string]: unknown;
}

/** How to start the daemon. */
export interface DaemonOptions {
  readonly mode?: 'imds' | 'queue';
  /** Environment on top of PATH/HOME (nothing else of the parent's environment leaks in). */
  readonly env: Readonly<Record<string, string>>;
  readonly args?: readonly string[];
  /** 'auto' (default): a bundle of the current src/; 'source': tsx; 'bundle': dist/spot-handler.mjs. */
  readonly entry?: 'source' | 'bundle' | 'auto';
  /** Extra node flags (e.g. DOCKER_NODE_FLAGS). */
  readonly nodeFlags?: readonly string[];
  /** Echo the daemon's output to stderr (debugging). */
  readonly echo?: boolean;
}

/** How the process ended. */
export interface DaemonExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

/** A running daemon. */
export interface Daemon {
  readonly pid: number;
  readonly port: number;
  readonly url: string;
  /** Monotonic-ish wall time (Date.now) when spawn was called. */
  readonly spawnedAt: number;
  /** Parsed stdout log lines so far. */
  readonly logs: readonly LogLine[];
  readonly exited: Promise<DaemonExit>;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the first log line (past or future) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Log lines whose msg equals `msg`. */
  logsWith(msg: string): LogLine[];
  /** Polls /readyz until 200. */
  waitReady(timeoutMs?: number): Promise<void>;
  /** GET a path on the daemon's HTTP server. */
  get(path: string): Promise<{ status: number; body: string }>;
  /** Sum of the samples of a metric (filtered by labels) from /metrics. */
  metric(name: string, labels?: Readonly<Record<string, string>>): Promise<number>;
  /** Throws when `secret` appears anywhere in the output. */
  assertNoSecret(secret: string): void;
  /** Sends SIGTERM and waits for the exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<DaemonExit>;
  /** Sends SIGKILL and waits for the exit. */
  kill(): Promise<DaemonExit>;
}

const running = new Set<Daemon>();

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The file to run, or undefined for the source through tsx. */
async function entryFile(entry: DaemonOptions['entry']): Promise<string | undefined> {
  const forced = process.env.SPOT_HANDLER_TEST_ENTRY;
  const chosen = forced === 'source' || forced === 'bundle' || forced === 'auto' ? forced : (entry ?? 'auto');
  if (chosen === 'source') return undefined;
  if (chosen === 'auto') return testBundle();
  if (!existsSync(BUNDLE_PATH)) throw new Error(`${BUNDLE_PATH} is missing: run npm run build`);
  return BUNDLE_PATH;
}

async function command(options: DaemonOptions): Promise<{ file: string; args: string[] }> {
  const mode = options.mode ?? 'imds';
  const flags = [...(options.nodeFlags ?? [])];
  const rest = [mode, ...(options.args ?? [])];
  const entry = await entryFile(options.entry);
  if (entry !== undefined) return { file: process.execPath, args: [...flags, entry, ...rest] };
  return { file: process.execPath, args: [...flags, '--import', 'tsx', `${REPO_ROOT}src/main.ts`, ...rest] };
}

function parseLine(raw: string): LogLine {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (parsed && typeof parsed === 'object') return { ...(parsed as Record<string, unknown>), raw };
  } catch {
    // not JSON: keep the text
  }
  return { raw };
}

/** Spawns the daemon (does not wait for readiness). */
export async function spawnDaemon(options: DaemonOptions): Promise<Daemon> {
  const port = await freePort();
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    LOG_FORMAT: 'json',
    HTTP_PORT: String(port),
    ...options.env,
  };
  const { file, args } = await command(options);
  const spawnedAt = Date.now();
  const child = spawn(file, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const daemon = wrap(child, port, spawnedAt, options.echo ?? false);
  running.add(daemon);
  void daemon.exited.then(() => running.delete(daemon));
  return daemon;
}

/** Spawns the daemon and waits until /readyz answers 200. */
export async function startDaemon(options: DaemonOptions, readyTimeoutMs = 15_000): Promise<Daemon> {
  const daemon = await spawnDaemon(options);
  try {
    await daemon.waitReady(readyTimeoutMs);
  } catch (err) {
    await daemon.kill();
    throw err;
  }
  return daemon;
}

/** Kills every daemon still running (call in afterEach). */
export async function stopAllDaemons(): Promise<void> {
  await Promise.all([...running].map((d) => d.kill()));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function wrap(child: ChildProcess, port: number, spawnedAt: number, echo: boolean): Daemon {
  const logs: LogLine[] = [];
  const chunks: string[] = [];
  const listeners = new Set<(line: LogLine) => void>();
  let partial = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (text: string) => {
    chunks.push(text);
    if (echo) process.stderr.write(text);
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const raw of parts) {
      if (raw.trim() === '') continue;
      const line = parseLine(raw);
      logs.push(line);
      for (const l of listeners) l(line);
    }
  });
  child.stderr?.on('data', (text: string) => {
    chunks.push(text);
    if (echo) process.stderr.write(text);
  });
  const exited = new Promise<DaemonExit>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let done: DaemonExit | undefined;
  void exited.then((e) => (done = e));
  const url = `http://127.0.0.1:${port}`;

  const get = async (path: string): Promise<{ status: number; body: string }> => {
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(2000) });
    return { status: res.status, body: await res.text() };
  };

  const daemon: Daemon = {
    pid: child.pid ?? -1,
    port,
    url,
    spawnedAt,
    logs,
    exited,
    output: () => chunks.join(''),
    logsWith: (msg) => logs.filter((l) => l.msg === msg),
    waitForLog: (match, timeoutMs = 10_000) => {
      const past = logs.find(match);
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const listener = (line: LogLine): void => {
          if (!match(line)) return;
          cleanup();
          resolve(line);
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`no matching log line within ${timeoutMs} ms; last lines:\n${tail(logs)}`));
        }, timeoutMs);
        const cleanup = (): void => {
          clearTimeout(timer);
          listeners.delete(listener);
        };
        listeners.add(listener);
      });
    },
    waitReady: async (timeoutMs = 15_000) => {
      const until = Date.now() + timeoutMs;
      while (Date.now() < until) {
        if (done) throw new Error(`daemon exited (${JSON.stringify(done)}):\n${daemon.output()}`);
        const status = await get('/readyz').then(
          (r) => r.status,
          () => 0,
        );
        if (status === 200) return;
        await sleep(20);
      }
      throw new Error(`daemon not ready within ${timeoutMs} ms:\n${tail(logs)}`);
    },
    get,
    metric: async (name, labels = {}) => {
      const { body } = await get('/metrics');
      return sumMetric(body, name, labels);
    },
    assertNoSecret: (secret) => {
      if (secret.length > 0 && daemon.output().includes(secret))
        throw new Error(`secret found in daemon output`);
    },
    stop: async (timeoutMs = 10_000) => {
      if (done) return done;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
    kill: async () => {
      if (done) return done;
      child.kill('SIGKILL');
      return exited;
    },
  };
  return daemon;
}

function tail(logs: readonly LogLine[]): string {
  return logs
    .slice(-15)
    .map((l) => l.raw)
    .join('\n');
}

/** Sums the samples of `name` whose labels include `labels` in Prometheus text output. */
export function sumMetric(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const labelText = m[2] ?? '';
    const ok = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`));
    if (ok) sum += Number(m[3]);
  }
  return sum;
}
