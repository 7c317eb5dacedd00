/**
 * The life of one received SQS message: run the handler while extending the message's visibility every
 * visibility/2 (so a long drain is not redelivered to someone else), then delete it (with a few retries)
 * or make it visible again, as the handler's disposition says.
 */
import { retryIn } from '../report/log-errors.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import type {
  DeleteReason,
  Disposition,
  MessageHandler,
  QueueMessage,
  SqsQueuePort,
} from './sqs-queue-port.js';

/** Collaborators of one message's work. */
export interface MessageWorkDeps {
  readonly queue: SqsQueuePort;
  readonly handler: MessageHandler;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Pick<Metrics, 'sqsErrors' | 'sqsMessagesDeleted'>;
}

/** Settings of one message's work (seconds and ms as named). */
export interface MessageWorkOptions {
  readonly visibilitySeconds: number;
  readonly retryDelaySeconds: number;
  readonly deleteAttempts: number;
  /** Pause before delete attempt n+1 (n = 1, 2, …). */
  readonly deleteBackoffMs: (attempt: number) => number;
}

/** Handles one message to its end; `hardStop` aborts the handler and every wait. Never throws. */
export async function workOnMessage(
  deps: MessageWorkDeps,
  opts: MessageWorkOptions,
  message: QueueMessage,
  hardStop: AbortSignal,
): Promise<void> {
  const log = deps.logger.child({ messageId: message.messageId });
  const stopExtending = new AbortController();
  const extending = extendVisibility(
    deps,
    opts.visibilitySeconds,
    message,
    AbortSignal.any([stopExtending.signal, hardStop]),
  );
  let disposition: Disposition;
  try {
    disposition = await deps.handler(message, hardStop);
  } catch (err) {
    log.error({ err }, 'message handler failed; the message will be retried');
    disposition = 'retry';
  } finally {
    stopExtending.abort();
    await extending;
  }
  if (disposition === 'delete' || (typeof disposition === 'object' && disposition.action === 'delete')) {
    await deleteMessage(deps, opts, message, typeof disposition === 'object' ? disposition.reason : 'done', {
      log,
      hardStop,
    });
  } else {
    const delay = typeof disposition === 'object' ? disposition.delaySeconds : opts.retryDelaySeconds;
    releaseMessage(deps, message, delay);
  }
}

/** Makes a message visible again after delaySeconds (best effort; else it reappears at its timeout). */
export function releaseMessage(
  deps: Pick<MessageWorkDeps, 'queue' | 'logger' | 'metrics'>,
  message: QueueMessage,
  delaySeconds: number,
): void {
  deps.queue.changeVisibility(message.receiptHandle, delaySeconds).catch((err: unknown) => {
    deps.metrics.sqsErrors.inc({ operation: 'change_visibility' });
    deps.logger.warn(
      { err, messageId: message.messageId, next: 'it reappears at its visibility timeout' },
      'could not release the message',
    );
  });
}

/** ChangeMessageVisibility every visibility/2 until stopped; failures are counted and tried again. */
async function extendVisibility(
  deps: MessageWorkDeps,
  visibilitySeconds: number,
  message: QueueMessage,
  stop: AbortSignal,
): Promise<void> {
  const { clock, queue, metrics, logger } = deps;
  const periodMs = (visibilitySeconds * 1000) / 2;
  let waitMs = periodMs;
  while (await quiet(clock.sleep(waitMs, stop))) {
    try {
      await queue.changeVisibility(message.receiptHandle, visibilitySeconds);
      waitMs = periodMs;
    } catch (err) {
      // half the visibility is left: try again soon, not at the very moment it runs out
      waitMs = periodMs / 4;
      metrics.sqsErrors.inc({ operation: 'change_visibility' });
      logger.warn(
        { err, messageId: message.messageId, next: `retry in ${retryIn(waitMs)}` },
        'could not extend message visibility',
      );
    }
  }
}

/** DeleteMessage with a few retries; on failure the message is redelivered (handling is idempotent). */
async function deleteMessage(
  deps: MessageWorkDeps,
  opts: MessageWorkOptions,
  message: QueueMessage,
  reason: DeleteReason,
  ctx: { readonly log: Logger; readonly hardStop: AbortSignal },
): Promise<void> {
  for (let attempt = 1; attempt <= opts.deleteAttempts; attempt++) {
    try {
      await deps.queue.delete(message.receiptHandle);
      deps.metrics.sqsMessagesDeleted.inc({ reason });
      return;
    } catch (err) {
      deps.metrics.sqsErrors.inc({ operation: 'delete' });
      const last = attempt >= opts.deleteAttempts;
      ctx.log.warn(
        {
          err,
          attempt,
          next: last
            ? 'gave up: the message is redelivered after its visibility timeout (handling is idempotent)'
            : `retry in ${retryIn(opts.deleteBackoffMs(attempt))} (attempt ${attempt} of ${opts.deleteAttempts})`,
        },
        'SQS delete failed',
      );
      if (attempt < opts.deleteAttempts) {
        const slept = await quiet(deps.clock.sleep(opts.deleteBackoffMs(attempt), ctx.hardStop));
        if (!slept) return;
      }
    }
  }
  ctx.log.error('giving up deleting the message; it will be redelivered');
}

/** Awaits a sleep; true when it completed, false when it was aborted. */
export async function quiet(sleep: Promise<void>): Promise<boolean> {
  try {
    await sleep;
    return true;
  } catch {
    return false;
  }
}
