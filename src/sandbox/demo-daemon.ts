/**
 * Runs the real daemon for the sandbox as a child process: the same node binary and loader flags as this
 * process (tsx under `npm run demo`, none for the bundle), JSON logs captured line by line.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** One daemon log line with its time (ms since epoch). */
export interface DaemonLogLine {
  readonly atMs: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The running child. */
export interface DemoDaemon {
  readonly port: number;
  readonly logs: readonly DaemonLogLine[];
  /** Resolves with the first line (past or future) whose msg is one of `msgs`. */
  waitFor(msgs: readonly string[], timeoutMs: number): Promise<DaemonLogLine>;
  /** Polls /readyz until 200. */
  waitReady(timeoutMs: number): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function parse(raw: string): DaemonLogLine | undefined {
  try {
    const o = JSON.parse(raw) as Record<string, unknown>;
    const at = typeof o['time'] === 'number' ? o['time'] : Date.parse(String(o['time']));
    return { atMs: at, msg: typeof o['msg'] === 'string' ? o['msg'] : '', fields: o };
  } catch {
    return undefined;
  }
}

/** Starts `<node> <entry> <mode>` with exactly `env` (the caller passes PATH and HOME along). */
export async function spawnDemoDaemon(
  entry: readonly string[],
  env: Readonly<Record<string, string>>,
  mode: 'imds' | 'queue' = 'imds',
): Promise<DemoDaemon> {
  const port = await freePort();
  const child = spawn(process.execPath, [...entry, mode], {
    env: { ...env, HTTP_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const logs: DaemonLogLine[] = [];
  const waiters = new Set<(l: DaemonLogLine) => void>();
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (text: string) => {
    const parts = (partial + text).split('\n');
    partial = parts.pop() ?? '';
    for (const raw of parts) {
      const line = parse(raw);
      if (!line) continue;
      logs.push(line);
      for (const w of waiters) w(line);
    }
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    port,
    logs,
    waitFor: (msgs, timeoutMs) => {
      const past = logs.find((l) => msgs.includes(l.msg));
      if (past) return Promise.resolve(past);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(w);
          reject(new Error(`the daemon did not log "${msgs.join('" or "')}" within ${timeoutMs} ms`));
        }, timeoutMs);
        const w = (l: DaemonLogLine): void => {
          if (!msgs.includes(l.msg)) return;
          clearTimeout(timer);
          waiters.delete(w);
          resolve(l);
        };
        waiters.add(w);
      });
    },
    waitReady: async (timeoutMs) => {
      const until = Date.now() + timeoutMs;
      for (;;) {
        if (done) throw new Error('the daemon exited before it was ready');
        const ok = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(1000) }).then(
          (r) => r.status === 200,
          () => false,
        );
        if (ok) return;
        if (Date.now() > until) throw new Error(`the daemon was not ready within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () => {
      if (!done) child.kill('SIGTERM');
      return exited;
    },
  };
}
