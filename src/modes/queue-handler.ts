/**
 * Queue mode's message handler: parse, submit to the pipeline, and say what happens to the message.
 * A message is deleted only when its work is done or it can never become valid (DESIGN §5).
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { parseQueueMessage } from '../events/queue/parse-queue-message.js';
import type { QueueParseOptions } from '../events/queue/queue-context.js';
import type { EventCancellation, InterruptionEvent } from '../events/interruption-event.js';
import type { ActionOutcome } from '../pipeline/event-store.js';
import type { Metrics } from '../report/metrics.js';
import type { Disposition, MessageHandler, QueueMessage } from '../sources/sqs-queue-port.js';

/** What the handler submits events and cancellations to (the Pipeline). */
export interface EventSink {
  submit(event: InterruptionEvent): Promise<ActionOutcome>;
  /** Stops and undoes what a canceled event scheduled; the node is looked up when not given. */
  cancel(cancellation: EventCancellation, nodeName: string | undefined): Promise<boolean>;
}

/** Completes what a payload does not say before the event is submitted (ASG: the hook's deadline). */
export interface EventPreparer {
  withHookDeadline(event: InterruptionEvent): Promise<InterruptionEvent>;
}

/** Handler options. */
export interface QueueHandlerOptions {
  /** Delete messages about instances that are not nodes of this cluster (else leave them for others). */
  readonly deleteForeign: boolean;
  readonly parse?: QueueParseOptions;
}

/** Builds the SqsConsumer's handler. */
export function queueMessageHandler(
  deps: {
    readonly sink: EventSink;
    readonly clock: Clock;
    readonly logger: Logger;
    readonly metrics: Metrics;
    readonly preparer?: EventPreparer;
  },
  options: QueueHandlerOptions,
): MessageHandler {
  const { sink, clock, logger, metrics, preparer } = deps;
  const prepare = (e: InterruptionEvent): Promise<InterruptionEvent> =>
    preparer ? preparer.withHookDeadline(e) : Promise.resolve(e);
  return async (message: QueueMessage): Promise<Disposition> => {
    const ids = { messageId: message.messageId };
    const outcome = parseQueueMessage(
      message.body,
      {
        messageId: message.messageId,
        receiptHandle: message.receiptHandle,
        sentAtMs: message.sentAtMs,
        nowMs: clock.now(),
      },
      options.parse,
    );
    switch (outcome.type) {
      case 'invalid':
        metrics.inputsInvalid.inc({ source: 'sqs', reason: outcome.reason });
        logger.warn(
          { ...ids, reason: outcome.reason, detail: outcome.detail },
          'invalid message: deleting it',
        );
        return { action: 'delete', reason: 'invalid' };
      case 'ignore':
        metrics.inputsIgnored.inc({ source: 'sqs', reason: outcome.reason });
        logger.info({ ...ids, reason: outcome.reason }, 'message needs no action: deleting it');
        return { action: 'delete', reason: 'ignored' };
      case 'cancel': {
        // the message is deleted once every canceled action is stopped and its node restored
        try {
          for (const c of outcome.cancellations) {
            const restored = await sink.cancel(c, undefined);
            logger.info(
              { ...ids, eventId: c.eventId, instanceId: c.instanceId, reason: c.reason, restored },
              'scheduled event canceled',
            );
          }
        } catch (err) {
          logger.warn({ ...ids, err, next: 'retried when the message is seen again' }, 'cancel failed');
          return 'retry';
        }
        return { action: 'delete', reason: 'done' };
      }
      case 'event': {
        const outcomes = await Promise.all(outcome.events.map(async (e) => sink.submit(await prepare(e))));
        return disposition(
          outcomes,
          options,
          (detail) => logger.info({ ...ids, detail }, 'message outcome'),
          metrics,
        );
      }
    }
  };
}

/** One message may carry several events (AWS Health): it is deleted when every one is settled. */
export function disposition(
  outcomes: readonly ActionOutcome[],
  options: QueueHandlerOptions,
  log: (detail: string) => void = () => undefined,
  metrics?: Pick<Metrics, 'foreignInstances'>,
): Disposition {
  if (outcomes.some((o) => o.status === 'failed' || o.status === 'aborted')) {
    log(outcomes.map((o) => `${o.status}: ${o.detail}`).join('; '));
    return 'retry';
  }
  const foreign = outcomes.filter((o) => o.status === 'foreign');
  if (foreign.length > 0) {
    metrics?.foreignInstances.inc({ outcome: options.deleteForeign ? 'deleted' : 'kept' }, foreign.length);
    log(foreign.map((o) => o.detail).join('; '));
    if (!options.deleteForeign) return 'retry';
    if (foreign.length === outcomes.length) return { action: 'delete', reason: 'foreign' };
  }
  if (outcomes.every((o) => o.status === 'ignored')) return { action: 'delete', reason: 'ignored' };
  return { action: 'delete', reason: 'done' };
}
