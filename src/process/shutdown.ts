/**
 * Process lifecycle (STYLE rule 7): SIGTERM/SIGINT abort the root signal so intake stops, in-flight
 * work gets up to the grace period, then the process exits 0. A second signal exits at once;
 * uncaught errors are logged, then exit 1.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';

/** The parts of `process` the lifecycle uses (a fake EventEmitter in tests). */
export interface ProcessPort {
  on(event: string, listener: (arg: unknown) => void): unknown;
  off(event: string, listener: (arg: unknown) => void): unknown;
  exit(code: number): void;
}

/** What runWithShutdown needs. */
export interface ShutdownOptions {
  readonly shutdownGraceMs: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly proc: ProcessPort;
}

/** The abort reason given to the root signal on SIGTERM/SIGINT. */
export class ShutdownRequested extends Error {
  constructor(readonly signalName: string) {
    super(`shutdown requested by ${signalName}`);
    this.name = 'ShutdownRequested';
  }
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = { SIGINT: 2, SIGTERM: 15 };

/** Runs `work` with a root signal; resolves with the exit code (main sets it, the process then ends). */
export async function runWithShutdown(
  work: (signal: AbortSignal) => Promise<number>,
  options: ShutdownOptions,
): Promise<number> {
  const { logger, proc, clock } = options;
  const root = new AbortController();
  const graceTimer = new AbortController();
  let graceExpired: (() => void) | undefined;
  const graceOver = new Promise<'grace-expired'>(
    (resolve) => (graceExpired = () => resolve('grace-expired')),
  );

  const onSignal = (name: string): void => {
    if (root.signal.aborted) {
      logger.warn({ signal: name }, 'second signal: exiting now');
      proc.exit(128 + (SIGNAL_NUMBERS[name] ?? 15));
      return;
    }
    logger.info(
      { signal: name, graceMs: options.shutdownGraceMs },
      'shutting down: intake stopped, finishing in-flight work',
    );
    root.abort(new ShutdownRequested(name));
    clock.sleep(options.shutdownGraceMs, graceTimer.signal).then(graceExpired, () => undefined);
  };
  const onTerm = (): void => onSignal('SIGTERM');
  const onInt = (): void => onSignal('SIGINT');
  const onFatal = (err: unknown): void => {
    logger.fatal({ err }, 'uncaught error: exiting');
    proc.exit(1);
  };
  const listeners: [string, (arg: unknown) => void][] = [
    ['SIGTERM', onTerm],
    ['SIGINT', onInt],
    ['uncaughtException', onFatal],
    ['unhandledRejection', onFatal],
  ];
  for (const [event, fn] of listeners) proc.on(event, fn);
  try {
    const outcome = await Promise.race([work(root.signal), graceOver]);
    if (outcome === 'grace-expired') {
      logger.warn(
        { graceMs: options.shutdownGraceMs },
        'in-flight work did not finish within the grace period',
      );
      return 0;
    }
    return outcome;
  } catch (err) {
    if (root.signal.aborted && err === root.signal.reason) return 0;
    logger.fatal({ err }, 'fatal error');
    return 1;
  } finally {
    graceTimer.abort();
    for (const [event, fn] of listeners) proc.off(event, fn);
  }
}
