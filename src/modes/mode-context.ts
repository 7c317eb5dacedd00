/**
 * What a mode gets from the composition root (src/app.ts) and the shape of a mode's entry point. The
 * arrow runs one way: app.ts imports the modes (and this file); nothing here imports app.ts.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config-types.js';
import type { Metrics } from '../report/metrics.js';
import type { LivenessRegistry } from '../server/health-registry.js';
import type { PermanentErrorSink } from '../server/permanent-error-tracker.js';

/** What every mode gets from the composition root. */
export interface ModeContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  /** Aborted on SIGTERM: stop intake. */
  readonly signal: AbortSignal;
  /** Registers a readiness check (shown on /readyz). */
  readonly setReady: (check: string, ready: boolean, detail?: string) => void;
  /** Where calls report errors only a setup change can fix (readiness, log, metric). */
  readonly permanentErrors: PermanentErrorSink;
}

/** A mode's entry point. */
export type ModeRunner = (ctx: ModeContext & { readonly liveness: LivenessRegistry }) => Promise<number>;
