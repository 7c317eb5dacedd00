/**
 * `npm run demo -- --prometheus`: a real Prometheus (Debian's `prometheus` package) scrapes the demo
 * daemon every second with the chart's alert rules loaded and evaluated every second; the demo ends with
 * which alerts fired or are pending, and what Prometheus itself saw of the drain. The rules' `for:`
 * durations are divided by 60 (minutes become seconds) so that a demo of seconds can show them;
 * expressions, labels and annotations are as shipped. When Prometheus is not installed the demo says so
 * and carries on without it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnPrometheus } from './prometheus-process.js';

/** The `for:` divisor: a demo second stands for a minute. */
export const DEMO_FOR_SCALE = 60;

/** Divides every `for:` duration of a rules file by `factor` (at least 1 s); nothing else changes. */
export function scaleForDurations(rulesText: string, factor: number): string {
  const unitMs: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  return rulesText.replace(
    /^([ \t]*for:[ \t]*)(\d+)([smhd])[ \t]*$/gm,
    (_all, head: string, n: string, u: string) => {
      const secs = Math.max(1, Math.round((Number(n) * (unitMs[u] ?? 1000)) / factor / 1000));
      return `${head}${secs}s`;
    },
  );
}

/** One alert as /api/v1/alerts lists it. */
export interface DemoAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: string;
}

/** The lines the demo prints about alerts. */
export function alertLines(now: readonly DemoAlert[], firedDuringDemo: readonly string[]): string[] {
  const names = (state: string): string =>
    [...new Set(now.filter((a) => a.state === state).map((a) => a.labels['alertname'] ?? '?'))]
      .sort()
      .join(', ') || 'none';
  return [
    `  firing now: ${names('firing')}`,
    `  pending now: ${names('pending')}`,
    `  fired at any time during the demo: ${firedDuringDemo.length > 0 ? firedDuringDemo.join(', ') : 'none'}`,
  ];
}

/** Where the chart's rules are: beside the sources (tsx, a clone) or under the working directory. */
function rulesFile(): string | undefined {
  const candidates = [
    fileURLToPath(new URL('../../helm/spot-handler/files/alert-rules.yaml', import.meta.url)),
    join(process.cwd(), 'helm/spot-handler/files/alert-rules.yaml'),
  ];
  return candidates.find((f) => existsSync(f));
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** True when `binary --version` runs. */
function installed(binary: string): Promise<boolean> {
  return new Promise((resolve) => execFile(binary, ['--version'], (err) => resolve(!err)));
}

/** A Prometheus the demo started. */
export interface DemoPrometheus {
  readonly url: string;
  /** Prints the alerts, and what Prometheus scraped of the drain. */
  printSummary(sinceMs: number, out: (text: string) => void): Promise<void>;
  stop(): Promise<void>;
}

/** Options of `startDemoPrometheus`. */
export interface DemoPrometheusOptions {
  /** host:port of the daemon's /metrics. */
  readonly target: string;
  readonly out: (text: string) => void;
  /** The prometheus executable (default `prometheus` on the PATH, /usr/bin/prometheus from Debian). */
  readonly binary?: string;
}

/** Starts Prometheus; resolves undefined (having said why) when it is not installed or does not start. */
export async function startDemoPrometheus(o: DemoPrometheusOptions): Promise<DemoPrometheus | undefined> {
  const binary = o.binary ?? 'prometheus';
  if (!(await installed(binary))) {
    o.out(
      `--prometheus: ${binary} is not installed (Debian: apt-get install prometheus); carrying on without it\n`,
    );
    return undefined;
  }
  const rules = rulesFile();
  if (rules === undefined) {
    o.out(
      '--prometheus: the chart rules (helm/spot-handler/files/alert-rules.yaml) are not here; carrying on without Prometheus\n',
    );
    return undefined;
  }
  const dir = await mkdtemp(join(tmpdir(), 'spot-handler-demo-prometheus-'));
  await writeFile(join(dir, 'rules.yaml'), scaleForDurations(await readFile(rules, 'utf8'), DEMO_FOR_SCALE));
  const config = [
    'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
    `rule_files: [${JSON.stringify(join(dir, 'rules.yaml'))}]`,
    `scrape_configs: [{ job_name: spot-handler, static_configs: [{ targets: [${JSON.stringify(o.target)}] }] }]`,
  ].join('\n');
  await writeFile(join(dir, 'prometheus.yml'), `${config}\n`);
  const port = await freePort();
  const prom = spawnPrometheus(binary, dir, port);
  const url = prom.url;
  const stop = async (): Promise<void> => {
    await prom.kill();
    await rm(dir, { recursive: true, force: true });
  };
  const api = prom.api;
  const query = async (
    expr: string,
  ): Promise<{ metric: Record<string, string>; value: [number, string] }[]> =>
    (
      await api<{ result: { metric: Record<string, string>; value: [number, string] }[] }>(
        `/api/v1/query?query=${encodeURIComponent(expr)}`,
      )
    ).result;

  const until = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) break;
    if (prom.gone() || Date.now() > until) {
      await stop();
      o.out(`--prometheus: Prometheus did not start; carrying on without it\n${prom.stderr()}\n`);
      return undefined;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  o.out(
    `Prometheus ${url} scrapes the daemon every 1 s with the chart's alert rules (for: ÷${DEMO_FOR_SCALE})\n`,
  );

  return {
    url,
    stop,
    printSummary: async (sinceMs, out) => {
      // wait until Prometheus has scraped the drain (a loaded machine delays scrapes), then one more
      // scrape and rule evaluation
      const scrapedBy = Date.now() + 15_000;
      const scraped = async (): Promise<boolean> =>
        (await query('sum(spot_handler_drains_total) > 0').catch(() => [])).length > 0;
      while (!(await scraped()) && Date.now() < scrapedBy) await new Promise((r) => setTimeout(r, 250));
      await new Promise((r) => setTimeout(r, 1500));
      out(`\nalerts (Prometheus ${url}, the chart's rules, for: ÷${DEMO_FOR_SCALE})\n`);
      try {
        const window = Math.max(1, Math.ceil((Date.now() - sinceMs) / 1000));
        const fired = await query(`max_over_time(ALERTS{alertstate="firing"}[${window}s])`);
        const names = [...new Set(fired.map((s) => s.metric['alertname'] ?? '?'))].sort();
        const now = (await api<{ alerts: DemoAlert[] }>('/api/v1/alerts')).alerts;
        for (const line of alertLines(now, names)) out(`${line}\n`);
        const drains = await query('sum by (result) (spot_handler_drains_total)');
        const seen = drains
          .filter((s) => s.value[1] !== '0')
          .map((s) => `${s.metric['result'] ?? '?'} ${s.value[1]}`)
          .sort();
        out(`  Prometheus scraped spot_handler_drains_total (result): ${seen.join(', ') || 'nothing yet'}\n`);
      } catch (err) {
        out(`  could not ask Prometheus: ${String(err)}\n`);
      }
    },
  };
}
