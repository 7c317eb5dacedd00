/**
 * The composition root: builds metrics, the HTTP server and the chosen mode from a validated config,
 * runs until the signal aborts, then shuts down in order. main.ts/cli.ts hold no logic.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config/config-types.js';
import type { ModeRunner } from './modes/mode-context.js';
import { createMetrics } from './report/metrics.js';
import { zeroKnownSeries } from './report/known-series.js';
import { LivenessRegistry, ReadinessRegistry } from './server/health-registry.js';
import { PermanentErrorTracker } from './server/permanent-error-tracker.js';
import { HttpServer } from './server/http-server.js';
import { VERSION } from './version.js';

/** What the CLI hands the composition root. */
export interface RunDeps {
  readonly logger: Logger;
  readonly registry: Registry;
  /** Aborted on SIGTERM/SIGINT. */
  readonly signal: AbortSignal;
  readonly clock?: Clock;
}

/** Runs spot-handler in the configured mode; resolves with the exit code. */
export async function runMode(config: Config, deps: RunDeps): Promise<number> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const metrics = createMetrics(deps.registry, { version: VERSION, mode: config.mode });
  zeroKnownSeries(metrics, config.mode);
  const liveness = new LivenessRegistry(clock);
  const readiness = new ReadinessRegistry();
  readiness.register('config', true, 'valid');
  // Not ready until the mode is loaded and has registered its own checks (loading can take seconds).
  readiness.register('mode', false, `loading ${config.mode} mode`);
  const setReady = (check: string, ready: boolean, detail?: string): void => {
    readiness.set(check, ready, detail);
    metrics.ready.set(readiness.check().ready ? 1 : 0);
  };
  const permanentErrors = new PermanentErrorTracker({
    setReady,
    logger: logger.child({ component: 'setup' }),
    gauge: metrics.permanentError,
  });
  const server = new HttpServer({
    registry: deps.registry,
    liveness,
    readiness,
    logger: logger.child({ component: 'http' }),
  });
  const port = await server.start(config.general.httpPort);
  const metricsServer = await startMetricsServer(config.general, deps.registry, logger);
  logger.info({ port }, 'spot-handler started'); // mode and version are on every line already
  try {
    // Each mode is loaded on demand so IMDS mode never loads the AWS SDK (memory, start-up time).
    const mode: { run: ModeRunner } =
      config.mode === 'imds' ? await import('./modes/imds-mode.js') : await import('./modes/queue-mode.js');
    // The mode registers its checks synchronously at the start of run(), in the same tick as this.
    setReady('mode', true, `${config.mode} mode loaded`);
    const ctx = { config, logger, metrics, clock, signal: deps.signal, setReady, permanentErrors, liveness };
    return await mode.run(ctx);
  } finally {
    await metricsServer?.stop();
    await server.stop();
    logger.info('spot-handler stopped');
  }
}

/** NTH's ENABLE_PROMETHEUS_SERVER: /metrics also on PROMETHEUS_SERVER_PORT, where NTH users scrape it. */
async function startMetricsServer(
  general: Config['general'],
  registry: Registry,
  logger: Logger,
): Promise<HttpServer | undefined> {
  if (!general.metricsServer || general.metricsPort === general.httpPort) return undefined;
  const server = new HttpServer({
    registry,
    liveness: new LivenessRegistry(systemClock),
    readiness: new ReadinessRegistry(),
    logger: logger.child({ component: 'metrics-http' }),
    metricsOnly: true,
  });
  await server.start(general.metricsPort);
  return server;
}
