/** SqsQueuePort on @aws-sdk/client-sqs (AWS JSON protocol): receive, delete, change visibility. */
import type {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueueMessage, ReceiveRequest, SqsQueuePort } from '../sources/sqs-queue-port.js';
import { mapAwsError } from './map-aws-error.js';
import { sdkExports } from './aws-clients.js';

/** The command classes used, from the lazily loaded SDK module. */
interface SqsCommands {
  readonly ReceiveMessageCommand: typeof ReceiveMessageCommand;
  readonly DeleteMessageCommand: typeof DeleteMessageCommand;
  readonly ChangeMessageVisibilityCommand: typeof ChangeMessageVisibilityCommand;
}

/** One SQS queue. Build it with `createSqsQueue` (which loads the SDK module). */
export class SqsQueue implements SqsQueuePort {
  constructor(
    private readonly client: SQSClient,
    private readonly sdk: SqsCommands,
    private readonly queueUrl: string,
  ) {}

  /** ReceiveMessage (long poll) with SentTimestamp and ApproximateReceiveCount. */
  async receive(request: ReceiveRequest, signal: AbortSignal): Promise<readonly QueueMessage[]> {
    try {
      const out = await this.client.send(
        new this.sdk.ReceiveMessageCommand({
          QueueUrl: this.queueUrl,
          MaxNumberOfMessages: request.maxMessages,
          WaitTimeSeconds: request.waitSeconds,
          VisibilityTimeout: request.visibilitySeconds,
          MessageSystemAttributeNames: ['SentTimestamp', 'ApproximateReceiveCount'],
        }),
        { abortSignal: signal },
      );
      return (out.Messages ?? []).flatMap((m) => {
        if (!m.MessageId || !m.ReceiptHandle) return [];
        const sent = Number(m.Attributes?.SentTimestamp);
        const count = Number(m.Attributes?.ApproximateReceiveCount);
        return [
          {
            messageId: m.MessageId,
            receiptHandle: m.ReceiptHandle,
            body: m.Body ?? '',
            ...(Number.isFinite(sent) && sent > 0 ? { sentAtMs: sent } : {}),
            ...(Number.isFinite(count) && count > 0 ? { receiveCount: count } : {}),
          },
        ];
      });
    } catch (err) {
      throw mapAwsError(err, 'sqs:ReceiveMessage');
    }
  }

  /** DeleteMessage. */
  async delete(receiptHandle: string): Promise<void> {
    try {
      await this.client.send(
        new this.sdk.DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle }),
      );
    } catch (err) {
      throw mapAwsError(err, 'sqs:DeleteMessage');
    }
  }

  /** ChangeMessageVisibility. */
  async changeVisibility(receiptHandle: string, visibilitySeconds: number): Promise<void> {
    try {
      await this.client.send(
        new this.sdk.ChangeMessageVisibilityCommand({
          QueueUrl: this.queueUrl,
          ReceiptHandle: receiptHandle,
          VisibilityTimeout: visibilitySeconds,
        }),
      );
    } catch (err) {
      throw mapAwsError(err, 'sqs:ChangeMessageVisibility');
    }
  }
}

/** Loads the SQS SDK module and wraps `client` for `queueUrl`. */
export async function createSqsQueue(client: SQSClient, queueUrl: string): Promise<SqsQueue> {
  const sdk = sdkExports(await import('@aws-sdk/client-sqs'), 'ReceiveMessageCommand');
  return new SqsQueue(client, sdk, queueUrl);
}
