/**
 * An in-process SQS endpoint for tests and the sandbox: fauxqs 1.9.2 (reference/stack.md §5) with one
 * queue created. fauxqs always binds 0.0.0.0 (hard-coded); acceptable for tests, the endpoint we hand
 * out is 127.0.0.1.
 *
 * Known gap (checked in test/unit/sandbox/fauxqs.test.ts): DeleteMessageBatch reports every entry as
 * Successful, even with a bogus receipt handle (real SQS answers ReceiptHandleIsInvalid in `Failed`).
 * ChangeMessageVisibility with a bogus handle answers MessageNotInflight instead of ReceiptHandleIsInvalid.
 * Code that relies on per-entry batch failures must be tested with a fake of its SQS port instead.
 */
import {
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/** Static fake credentials (fauxqs checks none). */
export const SANDBOX_CREDENTIALS = { accessKeyId: 'AKIDSANDBOX', secretAccessKey: 'sandbox-secret' } as const;

/** Settings to build an SQSClient against the sandbox queue. */
export interface SqsClientSettings {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: typeof SANDBOX_CREDENTIALS;
  readonly maxAttempts: number;
}

/** Messages in the queue, from GetQueueAttributes. */
export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** A running fauxqs with one queue. */
export interface SqsSandbox {
  /** http://127.0.0.1:PORT. */
  readonly endpoint: string;
  readonly region: string;
  readonly queueName: string;
  /** As fauxqs names it: http://sqs.<region>.localhost:PORT/000000000000/<name> (the SDK still uses endpoint). */
  readonly queueUrl: string;
  readonly queueArn: string;
  /** Settings for `new SQSClient(...)`. */
  readonly clientSettings: SqsClientSettings;
  /** The fauxqs server, for inspectQueue/createQueue/reset. */
  readonly server: FauxqsServer;
  /** A new SQSClient for this endpoint; the caller destroys it. */
  createClient(): SQSClient;
  /** Sends one message (string body, or an object sent as JSON); returns the MessageId. */
  sendMessage(body: string | object, options?: SendOptions): Promise<string>;
  /** Visible / in-flight / delayed counts via GetQueueAttributes. */
  counts(): Promise<QueueCounts>;
  stop(): Promise<void>;
}

/** Options for one sent message. */
export interface SendOptions {
  readonly delaySeconds?: number;
  readonly attributes?: Record<string, MessageAttributeValue>;
}

/** Options for `startSqs`. */
export interface StartSqsOptions {
  readonly queueName?: string;
  readonly region?: string;
  /** Queue attributes, e.g. { VisibilityTimeout: '30' }. */
  readonly attributes?: Record<string, string>;
}

/** Starts fauxqs on an ephemeral port and creates the queue. */
export async function startSqs(options: StartSqsOptions = {}): Promise<SqsSandbox> {
  const region = options.region ?? 'us-east-1';
  const queueName = options.queueName ?? 'spot-handler-events';
  const server = await startFauxqs({ port: 0, logger: false, defaultRegion: region });
  const queue = server.createQueue(queueName, { region, attributes: options.attributes ?? {} });
  const endpoint = `http://127.0.0.1:${server.port}`;
  const clientSettings: SqsClientSettings = {
    endpoint,
    region,
    credentials: SANDBOX_CREDENTIALS,
    maxAttempts: 1,
  };
  const client = new SQSClient(clientSettings);

  const counts = async (): Promise<QueueCounts> => {
    const out = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queue.queueUrl,
        AttributeNames: [
          'ApproximateNumberOfMessages',
          'ApproximateNumberOfMessagesNotVisible',
          'ApproximateNumberOfMessagesDelayed',
        ],
      }),
    );
    const num = (k: string): number => Number(out.Attributes?.[k as keyof typeof out.Attributes] ?? 0);
    return {
      visible: num('ApproximateNumberOfMessages'),
      inFlight: num('ApproximateNumberOfMessagesNotVisible'),
      delayed: num('ApproximateNumberOfMessagesDelayed'),
    };
  };

  return {
    endpoint,
    region,
    queueName,
    queueUrl: queue.queueUrl,
    queueArn: queue.queueArn,
    clientSettings,
    server,
    createClient: () => new SQSClient(clientSettings),
    sendMessage: async (body, opts = {}) => {
      const out = await client.send(
        new SendMessageCommand({
          QueueUrl: queue.queueUrl,
          MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
          DelaySeconds: opts.delaySeconds,
          MessageAttributes: opts.attributes,
        }),
      );
      return out.MessageId ?? '';
    },
    counts,
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
