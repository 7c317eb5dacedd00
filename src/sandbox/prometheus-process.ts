/**
 * A Prometheus child process for the sandbox demo and the alert tests: listens on 127.0.0.1:`port`, reads
 * `dir`/prometheus.yml, keeps its TSDB in `dir`/data; the tail of its stderr is kept for error messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

/** A running Prometheus. */
export interface PrometheusProcess {
  readonly url: string;
  /** The last 4,000 characters it wrote to stderr. */
  stderr(): string;
  /** True once the process exited. */
  gone(): boolean;
  /** GETs an HTTP API path and returns its `data` (throws unless `status` is success). */
  readonly api: <T>(path: string) => Promise<T>;
  /** SIGTERM (SIGKILL after 5 s) and waits for the exit. */
  kill(): Promise<void>;
}

/** Starts `binary` (does not wait for it to be ready). */
export function spawnPrometheus(binary: string, dir: string, port: number): PrometheusProcess {
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (t: string) => (stderr = (stderr + t).slice(-4000)));
  let gone = false;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(() => (gone = true));
  return {
    url,
    stderr: () => stderr,
    gone: () => gone,
    api: async <T>(path: string): Promise<T> => {
      const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5000) });
      const body = (await res.json()) as { status: string; data: T; error?: string };
      if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
      return body.data;
    },
    kill: async () => {
      if (gone) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
