/**
 * A real Prometheus server (Debian's `prometheus` package) for end-to-end alert tests: scrapes the given
 * targets every second, evaluates the chart's rules every second, keeps its TSDB in a temporary
 * directory, and answers through its HTTP API. `prometheusBinary()` is undefined when it is not installed
 * (tests skip then, saying so).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { renderRuleGroups, rulesFileText, withScaledFor } from '../../scripts/alert-rules.js';
import { freePort } from './daemon.js';
import { spawnPrometheus } from '../../src/sandbox/prometheus-process.js';

/** Path of the prometheus binary (PROMETHEUS overrides), or undefined when it is not installed. */
export function prometheusBinary(): string | undefined {
  const bin = process.env['PROMETHEUS'] ?? 'prometheus';
  try {
    execFileSync(bin, ['--version'], { stdio: 'ignore' });
    return bin;
  } catch {
    return undefined;
  }
}

/** Why the end-to-end alert tests skip when Prometheus is missing. */
export const PROMETHEUS_SKIP_REASON =
  'prometheus is not installed (Debian: apt-get install prometheus; .ci/checks installs it)';

/** One alert as /api/v1/alerts lists it. */
export interface PromAlert {
  readonly labels: Readonly<Record<string, string>>;
  readonly state: 'pending' | 'firing' | 'inactive';
  readonly activeAt?: string;
}

/** One sample of an instant vector. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: readonly [number, string];
}

/** A running Prometheus. */
export interface PrometheusServer {
  readonly url: string;
  /** Current alerts (pending and firing). */
  alerts(): Promise<PromAlert[]>;
  /** Runs an instant query; rejects with Prometheus' error text when the query is invalid. */
  query(expr: string): Promise<PromSample[]>;
  /** Waits until the alert is `firing` (rejects with the current alerts when time is up). */
  waitFiring(alertname: string, timeoutMs: number): Promise<PromAlert>;
  /** Waits until every target has been scraped at least once and is up. */
  waitScraped(timeoutMs?: number): Promise<void>;
  /** Names of the alerts that were firing at any time since `sinceMs` (Date.now() values). */
  firedSince(sinceMs: number): Promise<string[]>;
  stop(): Promise<void>;
}

/** Options of `startPrometheus`. */
export interface PrometheusOptions {
  /** host:port of each daemon to scrape (job `spot-handler`, path /metrics). */
  readonly targets: readonly string[];
  /**
   * Every `for:` of the chart's rules is divided by this (default 60: minutes become seconds): a
   * test-time rewrite of that field only, so an alert with a 15-minute `for:` fires after 15 s of
   * trouble. Expressions, labels and annotations stay as shipped.
   */
  readonly forScale?: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Starts Prometheus on a free port with the chart's rules; resolves when /-/ready answers. */
export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const bin = prometheusBinary();
  if (bin === undefined) throw new Error(PROMETHEUS_SKIP_REASON);
  const dir = await mkdtemp(join(tmpdir(), 'spot-handler-prometheus-'));
  const groups = withScaledFor(await renderRuleGroups(), options.forScale ?? 60);
  await writeFile(join(dir, 'rules.yaml'), rulesFileText(groups));
  const config = {
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [join(dir, 'rules.yaml')],
    scrape_configs: [{ job_name: 'spot-handler', static_configs: [{ targets: [...options.targets] }] }],
  };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const prom = spawnPrometheus(bin, dir, port);
  const url = prom.url;
  const api = prom.api;
  const alerts = async (): Promise<PromAlert[]> =>
    (await api<{ alerts: PromAlert[] }>('/api/v1/alerts')).alerts;
  const query = async (expr: string): Promise<PromSample[]> => {
    const data = await api<{ resultType: string; result: PromSample[] }>(
      `/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return data.result;
  };
  const stop = async (): Promise<void> => {
    await prom.kill();
    await rm(dir, { recursive: true, force: true });
  };

  const until = Date.now() + 20_000;
  for (;;) {
    if (prom.gone()) {
      await stop();
      throw new Error(`prometheus exited:\n${prom.stderr()}`);
    }
    const ok = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(1000) }).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`prometheus not ready within 20 s:\n${prom.stderr()}`);
    }
    await sleep(100);
  }

  return {
    url,
    alerts,
    query,
    waitFiring: async (alertname, timeoutMs) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const all = await alerts();
        const hit = all.find((a) => a.labels['alertname'] === alertname && a.state === 'firing');
        if (hit) return hit;
        if (Date.now() > end)
          throw new Error(`${alertname} not firing within ${timeoutMs} ms; alerts: ${JSON.stringify(all)}`);
        await sleep(250);
      }
    },
    waitScraped: async (timeoutMs = 10_000) => {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const up = await query('up{job="spot-handler"} == 1');
        if (up.length === options.targets.length) return;
        if (Date.now() > end) throw new Error(`targets not scraped within ${timeoutMs} ms`);
        await sleep(200);
      }
    },
    firedSince: async (sinceMs) => {
      const window = Math.max(1, Math.ceil((Date.now() - sinceMs) / 1000));
      const fired = await query(`max_over_time(ALERTS{alertstate="firing"}[${window}s])`);
      return [...new Set(fired.map((s) => s.metric['alertname'] ?? ''))].sort();
    },
    stop,
  };
}

/** `host:port` of a daemon's metrics endpoint. */
export function target(daemon: { readonly port: number }): string {
  return `127.0.0.1:${daemon.port}`;
}
