/**
 * Drains nodes: one DrainRun per node at a time (a second request for the same node joins the first),
 * a shared eviction concurrency limit, metrics and a log line naming whatever blocked the drain.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { Metrics } from '../../report/metrics.js';
import type { DrainRequest, DrainResult } from '../../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { PodApi } from '../kube-ports.js';
import { DrainRun } from './drain-run.js';
import { Semaphore } from './semaphore.js';
import { SurgeCoordinator } from './surge-coordinator.js';
import type { SurgeApi } from './surge-port.js';

/** What the drainer is built from. */
export interface DrainerDeps {
  readonly pods: PodApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly options: ActuatorOptions;
  /** Jitter source; tests pass a fixed one. */
  readonly random?: () => number;
  /** Deployment access for surge-before-evict; without it every pod takes the normal path. */
  readonly surgeApi?: SurgeApi;
}

/** Deadline-aware drains, joined per node. */
export class Drainer {
  private readonly inFlight = new Map<string, Promise<DrainResult>>();
  private readonly semaphore: Semaphore;
  private readonly surge: SurgeCoordinator | undefined;

  constructor(private readonly deps: DrainerDeps) {
    this.semaphore = new Semaphore(deps.options.evictionConcurrency);
    this.surge = deps.surgeApi
      ? new SurgeCoordinator({
          api: deps.surgeApi,
          clock: deps.clock,
          logger: deps.logger.child({ component: 'surge' }),
          clusterWide: deps.options.surgeBeforeEvict,
        })
      : undefined;
  }

  /** Drains the node; while a drain of it runs, returns that drain's promise. */
  drain(request: DrainRequest): Promise<DrainResult> {
    const running = this.inFlight.get(request.nodeName);
    if (running) {
      this.deps.logger.info(
        { node: request.nodeName, eventId: request.eventId },
        'joining drain in progress',
      );
      return running;
    }
    const promise = this.run(request).finally(() => this.inFlight.delete(request.nodeName));
    this.inFlight.set(request.nodeName, promise);
    return promise;
  }

  /** Number of drains running now. */
  get running(): number {
    return this.inFlight.size;
  }

  private async run(request: DrainRequest): Promise<DrainResult> {
    const { clock, metrics } = this.deps;
    const logger = this.deps.logger.child({
      node: request.nodeName,
      eventId: request.eventId,
      kind: request.kind,
    });
    const startedAt = clock.now();
    metrics.drainsInFlight.inc();
    logger.info(
      {
        deadline: new Date(request.deadlineMs).toISOString(),
        urgent: request.urgent,
        dryRun: this.deps.options.dryRun,
      },
      'drain started',
    );
    try {
      const run = new DrainRun(
        {
          ...this.deps,
          logger,
          semaphore: this.semaphore,
          random: this.deps.random ?? Math.random,
          ...(this.surge ? { surge: this.surge } : {}),
        },
        request,
      );
      const outcome = await run.execute();
      const result: DrainResult = { ...outcome, durationMs: clock.now() - startedAt };
      this.record(result);
      const summary = { result: result.result, evicted: result.podsEvicted, forced: result.podsForceDeleted };
      if (result.error) {
        // kubectl's words, so an operator who ran `kubectl drain` before recognises them
        logger.error({ ...summary, blockedBy: result.blockedBy }, `drain refused: ${result.error}`);
      } else if (result.podsRemaining === 0 || this.deps.options.dryRun) {
        const forcedPods = result.forcedPods ? { forcedPods: result.forcedPods } : {};
        logger.info({ ...summary, ...forcedPods, durationMs: result.durationMs }, 'drain finished');
      } else {
        // debug: the executor reports it once at warn, with what happens next
        logger.debug(
          { ...summary, remaining: result.podsRemaining, blockedBy: result.blockedBy },
          'drain did not finish',
        );
      }
      return result;
    } catch (err) {
      this.record({ result: 'failed', durationMs: clock.now() - startedAt });
      logger.error({ err }, 'drain failed');
      throw err;
    } finally {
      metrics.drainsInFlight.dec();
    }
  }

  private record(result: Pick<DrainResult, 'result' | 'durationMs'>): void {
    this.deps.metrics.drains.inc({ result: result.result });
    this.deps.metrics.drainDurationSeconds.observe({ result: result.result }, result.durationMs / 1000);
  }
}
