/**
 * The contract between the SQS consumer and its two ends: the queue it reads (SqsQueuePort, implemented by
 * src/aws/sqs-queue.ts) and the handler it feeds (MessageHandler, src/modes/queue-handler.ts).
 */

/** One received SQS message. */
export interface QueueMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  /** SentTimestamp, ms since epoch. */
  readonly sentAtMs?: number;
  readonly receiveCount?: number;
}

/** ReceiveMessage parameters. */
export interface ReceiveRequest {
  readonly maxMessages: number;
  readonly waitSeconds: number;
  readonly visibilitySeconds: number;
}

/** The SQS calls the consumer makes (implemented by src/aws/sqs-queue.ts). */
export interface SqsQueuePort {
  receive(request: ReceiveRequest, signal: AbortSignal): Promise<readonly QueueMessage[]>;
  delete(receiptHandle: string): Promise<void>;
  changeVisibility(receiptHandle: string, visibilitySeconds: number): Promise<void>;
}

/** Why a message was deleted (label of sqs_messages_deleted_total). */
export type DeleteReason = 'done' | 'invalid' | 'ignored' | 'foreign';

/** What to do with a handled message: delete it, or make it visible again (after delaySeconds). */
export type Disposition =
  | 'delete'
  | 'retry'
  | { readonly action: 'delete'; readonly reason: DeleteReason }
  | { readonly action: 'retry'; readonly delaySeconds: number };

/** Handles one message; may take minutes. A throw counts as 'retry'. */
export type MessageHandler = (message: QueueMessage, signal: AbortSignal) => Promise<Disposition>;
