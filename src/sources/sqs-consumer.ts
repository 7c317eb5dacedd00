/**
 * Long-polls an SQS queue and hands each message to a handler, in parallel, with bounded in-flight work
 * (one message's life, visibility extension and delete: sqs-message-work.ts). A standby (shouldReceive false) never receives. Abort stops intake at once;
 * run() resolves when in-flight handlers finish, or when the shutdown grace runs out.
 */
import { retryIn } from '../report/log-errors.js';
import type { Logger } from 'pino';
import { SetupError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import { quiet, releaseMessage, workOnMessage, type MessageWorkOptions } from './sqs-message-work.js';
import type { MessageHandler, QueueMessage, SqsQueuePort } from './sqs-queue-port.js';

/** Consumer options (seconds and ms as named). */
export interface SqsConsumerOptions {
  readonly visibilitySeconds: number;
  readonly maxInFlight: number;
  readonly waitSeconds?: number;
  /** Visibility given to a message on 'retry' (0 = redeliver now). Default 5. */
  readonly retryDelaySeconds?: number;
  /** Leadership: receive only while this is true. Default: always. */
  readonly shouldReceive?: () => boolean;
  /** How often a standby checks shouldReceive again. Default 1000. */
  readonly idleCheckMs?: number;
  /** After abort, how long run() waits for in-flight handlers. Default 25000. */
  readonly shutdownGraceMs?: number;
  readonly deleteAttempts?: number;
  readonly receiveBackoffBaseMs?: number;
  readonly receiveBackoffMaxMs?: number;
  /** Injected for jitter in tests. */
  readonly random?: () => number;
  /** Long polls at once (each returns at most 10 messages). Default 1. */
  readonly receivers?: number;
}

/** Collaborators. */
export interface SqsConsumerDeps {
  readonly queue: SqsQueuePort;
  readonly handler: MessageHandler;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'sqsErrors' | 'sqsMessageAgeSeconds' | 'sqsMessagesDeleted'>;
}

/** The SQS receive loop. */
export class SqsConsumer {
  private readonly inFlight = new Set<Promise<void>>();
  /** Messages the receive calls under way may still bring (counted against maxInFlight). */
  private reserved = 0;
  private readonly slotWaiters = new Set<() => void>();
  /** Ends the standby's idle waits (wake()). */
  private readonly idleWakers = new Set<() => void>();
  /** Aborted when the shutdown grace runs out: handlers and visibility extension stop. */
  private readonly hardStop = new AbortController();
  private readonly opts: Required<Omit<SqsConsumerOptions, 'shouldReceive'>> & {
    shouldReceive: () => boolean;
  };
  private readonly workOptions: MessageWorkOptions;

  constructor(
    private readonly deps: SqsConsumerDeps,
    options: SqsConsumerOptions,
  ) {
    if (!(options.visibilitySeconds >= 1)) throw new RangeError('visibilitySeconds must be >= 1');
    if (!(options.maxInFlight >= 1)) throw new RangeError('maxInFlight must be >= 1');
    if (options.receivers !== undefined && !(options.receivers >= 1))
      throw new RangeError('receivers must be >= 1');
    this.opts = {
      waitSeconds: 20,
      retryDelaySeconds: 5,
      shouldReceive: () => true,
      idleCheckMs: 1000,
      shutdownGraceMs: 25_000,
      deleteAttempts: 3,
      receiveBackoffBaseMs: 1000,
      receiveBackoffMaxMs: 30_000,
      random: Math.random,
      receivers: 1,
      ...options,
    };
    this.workOptions = {
      visibilitySeconds: this.opts.visibilitySeconds,
      retryDelaySeconds: this.opts.retryDelaySeconds,
      deleteAttempts: this.opts.deleteAttempts,
      deleteBackoffMs: (attempt) => this.backoffMs(attempt) / 4,
    };
  }

  /** Checks shouldReceive again now (this replica just became leader): idle receive loops poll at once. */
  wake(): void {
    for (const wake of [...this.idleWakers]) wake();
  }

  /** A standby's pause before it checks shouldReceive again; ends early on wake() or abort. */
  private async idleWait(signal: AbortSignal): Promise<void> {
    const stop = new AbortController();
    const wake = (): void => stop.abort();
    signal.addEventListener('abort', wake, { once: true });
    this.idleWakers.add(wake);
    try {
      await quiet(this.deps.clock.sleep(this.opts.idleCheckMs, stop.signal));
    } finally {
      this.idleWakers.delete(wake);
      signal.removeEventListener('abort', wake);
    }
  }

  /** Messages being handled now. */
  get inFlightCount(): number {
    return this.inFlight.size;
  }

  /**
   * Receives until the signal aborts, then waits for in-flight handlers (within the grace).
   * A long poll already under way is not cut off: SQS may hand messages to a poll whose connection was
   * dropped, hiding them for a whole visibility timeout. It is let finish and what it returns is released.
   */
  async run(signal: AbortSignal): Promise<void> {
    const graceTimer = new AbortController();
    const onAbort = (): void => void this.hardStopAfterGrace(graceTimer.signal);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      // several long polls at once: one ReceiveMessage returns at most 10 messages, and a mass
      // interruption brings hundreds (each loop reserves its batch so they never exceed maxInFlight)
      await Promise.all(Array.from({ length: this.opts.receivers }, () => this.receiveLoop(signal)));
      await this.waitForInFlight();
    } finally {
      graceTimer.abort();
      signal.removeEventListener('abort', onAbort);
    }
  }

  private async receiveLoop(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      if (!this.opts.shouldReceive()) {
        await this.idleWait(signal);
      } else if (this.inFlight.size + this.reserved >= this.opts.maxInFlight) {
        await this.slotFreed(signal);
      } else {
        failures = await this.receiveOnce(signal, failures);
      }
    }
  }

  private async hardStopAfterGrace(cancel: AbortSignal): Promise<void> {
    if (!(await quiet(this.deps.clock.sleep(this.opts.shutdownGraceMs, cancel)))) return;
    this.deps.logger.warn(
      { inFlight: this.inFlight.size },
      'shutdown grace over; leaving messages to redelivery',
    );
    this.hardStop.abort(new Error('shutdown grace over'));
  }

  /** One ReceiveMessage; returns the new count of consecutive failures. */
  private async receiveOnce(signal: AbortSignal, failures: number): Promise<number> {
    const { queue, clock, logger, metrics } = this.deps;
    let messages: readonly QueueMessage[];
    const batch = Math.min(10, this.opts.maxInFlight - this.inFlight.size - this.reserved);
    this.reserved += batch;
    try {
      messages = await queue.receive(
        {
          maxMessages: batch,
          // after a failure, a short poll: a fix (a policy attached) shows at once, not after a long poll
          waitSeconds: failures > 0 ? 0 : this.opts.waitSeconds,
          visibilitySeconds: this.opts.visibilitySeconds,
        },
        this.hardStop.signal,
      );
    } catch (err) {
      // an SQS error counts even when leadership or the loop ended while it was under way
      if (!this.hardStop.signal.aborted) metrics.sqsErrors.inc({ operation: 'receive' });
      if (signal.aborted) {
        this.reserved -= batch;
        return failures;
      }
      const delayMs = this.backoffMs(failures + 1);
      // a SetupError (missing IAM action, no such queue) is logged once by the permanent-error tracker
      if (err instanceof SetupError) logger.debug({ err, delayMs }, 'SQS receive failed; backing off');
      else
        logger.warn(
          { err, delayMs, next: `retry in ${retryIn(delayMs)}` },
          'SQS receive failed; backing off',
        );
      this.reserved -= batch;
      await quiet(clock.sleep(delayMs, signal));
      return failures + 1;
    }
    this.reserved -= batch;
    const keep = !signal.aborted && this.opts.shouldReceive();
    for (const message of messages) {
      if (!keep) this.release(message, 0);
      else this.start(message);
    }
    return 0;
  }

  /** Full jitter exponential backoff. */
  private backoffMs(failures: number): number {
    const cap = Math.min(this.opts.receiveBackoffMaxMs, this.opts.receiveBackoffBaseMs * 2 ** (failures - 1));
    return Math.round(cap / 2 + (cap / 2) * this.opts.random());
  }

  private start(message: QueueMessage): void {
    if (message.sentAtMs !== undefined) {
      const ageSeconds = Math.max(0, this.deps.clock.now() - message.sentAtMs) / 1000;
      this.deps.metrics.sqsMessageAgeSeconds.observe(ageSeconds);
    }
    const work = workOnMessage(this.deps, this.workOptions, message, this.hardStop.signal).finally(() => {
      this.inFlight.delete(work);
      for (const wake of this.slotWaiters) wake();
    });
    this.inFlight.add(work);
  }

  /** Makes a message visible again after delaySeconds (best effort). */
  private release(message: QueueMessage, delaySeconds: number): void {
    releaseMessage(this.deps, message, delaySeconds);
  }

  /** Resolves when a handler finishes or the signal aborts. */
  private slotFreed(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.slotWaiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.slotWaiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  /** Resolves when no handler is running, or when the shutdown grace is over. */
  private async waitForInFlight(): Promise<void> {
    if (this.inFlight.size > 0) {
      this.deps.logger.info(
        { inFlight: this.inFlight.size },
        'intake stopped; waiting for in-flight messages',
      );
    }
    while (this.inFlight.size > 0 && !this.hardStop.signal.aborted) {
      await this.slotFreed(this.hardStop.signal);
    }
  }
}
