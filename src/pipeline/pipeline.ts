/**
 * The pipeline both modes share: sources submit events and cancellations; the store merges them by
 * instance; the executor runs one action per node, at most `workers` at once. `submit` resolves when
 * the action covering the event has ended, which is when an SQS message may be deleted.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { EventCancellation, InterruptionEvent } from '../events/interruption-event.js';
import type { Metrics } from '../report/metrics.js';
import type { Executor } from './executor.js';
import type { NodeActuator } from './node-actuator-port.js';
import type { PlanOptions } from './plan.js';
import {
  EventStore,
  type ActionOutcome,
  type NodeAction,
  type StoreOptions,
  DEFAULT_STORE_OPTIONS,
} from './event-store.js';
import { setMaxListeners } from 'node:events';

const MERGED = {
  none: 'merged into the node action in flight',
  'in-place': 'merged into the node action in flight: its run takes the new terms in place',
  restart: 'stronger event merged: the node action restarts with it',
} as const;

/** Finds the node of an instance (queue mode); undefined when it is not a node of this cluster. */
export interface CancelResolver {
  resolve(event: Pick<InterruptionEvent, 'instanceId'>): Promise<string | undefined>;
}

/** Pipeline dependencies. */
export interface PipelineDeps {
  readonly executor: Executor;
  readonly actuator: NodeActuator;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Finds the node of a canceled event's instance when no action holds it (queue mode). */
  readonly resolver?: CancelResolver;
}

/** Pipeline options. */
export interface PipelineOptions extends PlanOptions {
  /** Node actions running at once. */
  readonly workers: number;
  readonly dryRun: boolean;
  readonly store?: StoreOptions;
}

/** Accepts events, merges them, runs node actions. */
export class Pipeline {
  private readonly store: EventStore;
  private readonly stop = new AbortController();
  private closed = false;
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly deps: PipelineDeps,
    private readonly options: PipelineOptions,
  ) {
    this.store = new EventStore(options, options.store ?? DEFAULT_STORE_OPTIONS);
    // every action in flight listens on the stop signal: hundreds during a mass interruption
    setMaxListeners(0, this.stop.signal);
  }

  /** Submits an event; resolves with the outcome of the node action that covers it. */
  submit(event: InterruptionEvent): Promise<ActionOutcome> {
    if (this.closed) return Promise.resolve({ status: 'aborted', detail: 'shutting down' });
    const { logger } = this.deps;
    const admission = this.store.admit(event, this.deps.clock.now());
    const ids = { eventId: event.id, kind: event.kind, instanceId: event.instanceId };
    switch (admission.type) {
      case 'finished':
        return Promise.resolve(admission.outcome);
      case 'duplicate':
        return admission.action.wait();
      case 'join':
      case 'supersede': {
        this.deps.metrics.eventsReceived.inc({ kind: event.kind, source: event.source });
        this.deps.executor.startHeartbeats(admission.action, event);
        // a running drain takes a stronger event's terms in place; only a run that cannot is restarted
        const change = this.deps.executor.absorb(admission.action, admission.type === 'supersede');
        logger.info({ ...ids, change }, MERGED[change]);
        return admission.action.wait();
      }
      case 'start': {
        logger.info(
          { ...ids, deadline: new Date(event.deadlineMs).toISOString() },
          'interruption event received',
        );
        this.deps.metrics.eventsReceived.inc({ kind: event.kind, source: event.source });
        const outcome = admission.action.wait();
        this.track(this.execute(admission.action));
        return outcome;
      }
    }
  }

  /**
   * A scheduled event was canceled or completed: stop its action if it is the only event of it, undo
   * what we did to the node when the node still carries that event's marks, and remember the event as
   * canceled (a redelivered notice of it is acknowledged without a drain).
   */
  async cancel(cancellation: EventCancellation, nodeName: string | undefined): Promise<boolean> {
    const { logger, actuator } = this.deps;
    const action = this.store.activeFor(cancellation.instanceId);
    if (action?.events.some((e) => e.id === cancellation.eventId)) {
      if (action.events.length > 1) {
        this.store.canceled(cancellation.eventId, this.deps.clock.now());
        return false; // other events still need the node drained
      }
      action.canceled = true;
      action.runAbort.abort(new Error('canceled'));
      await action.wait();
    }
    this.store.canceled(cancellation.eventId, this.deps.clock.now());
    const name =
      nodeName ??
      action?.events[0]?.nodeName ??
      (await this.deps.resolver?.resolve({ instanceId: cancellation.instanceId }));
    const node = name ? await actuator.getNode(name) : undefined;
    if (!node || node.eventId !== cancellation.eventId) return false;
    if (this.options.dryRun) {
      logger.info(
        { node: node.name, eventId: cancellation.eventId },
        'dry run: would uncordon and remove marks',
      );
      return true;
    }
    await actuator.unmark(node.name);
    this.deps.metrics.actions.inc({ action: 'uncordon', result: 'success' });
    logger.info(
      { node: node.name, eventId: cancellation.eventId, reason: cancellation.reason },
      'event canceled: node restored',
    );
    return true;
  }

  /** Aborts every running action (leadership lost): their messages stay for the next leader. */
  abortActive(reason: string): void {
    for (const action of this.store.activeActions()) action.runAbort.abort(new Error(reason));
  }

  /** Node actions in flight. */
  get activeCount(): number {
    return this.store.activeCount;
  }

  /** Stops intake; waits for in-flight actions up to `graceMs`, then aborts them. */
  async shutdown(graceMs: number): Promise<void> {
    this.closed = true;
    const all = Promise.allSettled([...this.inFlight]);
    const timer = new Promise<void>((r) => setTimeout(r, graceMs).unref());
    await Promise.race([all, timer]);
    this.stop.abort(new Error('shutdown'));
    for (const release of this.queue.splice(0)) release();
    await all;
  }

  private async execute(action: NodeAction): Promise<void> {
    await this.acquire();
    this.deps.metrics.drainsInFlight.set(this.running);
    let outcome: ActionOutcome;
    try {
      outcome = this.stop.signal.aborted
        ? { status: 'aborted', detail: 'shutting down' }
        : await this.deps.executor.execute(action, this.stop.signal);
    } catch (err) {
      outcome = { status: 'failed', detail: err instanceof Error ? err.message : String(err) };
    } finally {
      this.release();
      this.deps.metrics.drainsInFlight.set(this.running);
    }
    this.store.finish(action, outcome, this.deps.clock.now());
    this.deps.logger.info(
      { instanceId: action.instanceId, outcome: outcome.status, detail: outcome.detail },
      'node action ended',
    );
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private acquire(): Promise<void> {
    if (this.running < this.options.workers) {
      this.running++;
      return Promise.resolve();
    }
    return new Promise((resolve) =>
      this.queue.push(() => {
        this.running++;
        resolve();
      }),
    );
  }

  private release(): void {
    this.running--;
    const next = this.queue.shift();
    if (next) next();
  }
}
