/**
 * Creates AWS SDK clients from one small options object. Every SDK module is imported lazily
 * (`await import(...)`), so a process that never builds a client (IMDS mode) never loads it:
 * @aws-sdk/client-ec2 alone costs about +77 MiB RSS (reference/stack.md §3).
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** Static credentials (sandbox and tests); production uses the SDK default chain (IRSA, env, profile). */
export interface StaticCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and how to reach AWS. */
export interface AwsClientOptions {
  readonly region: string;
  /** Endpoint overrides per service (AWS_ENDPOINT_URL_SQS, ..._EC2, ..._AUTO_SCALING, or AWS_ENDPOINT_URL). */
  readonly endpoints?: { readonly sqs?: string; readonly ec2?: string; readonly autoScaling?: string };
  /** SDK attempts per call (SDK default 3). */
  readonly maxAttempts?: number;
  readonly credentials?: StaticCredentials;
}

/**
 * How long a request may sit on a silent connection (no byte either way) before it fails as a timeout
 * (TransientError, retried). The SDK sets none: an SQS long poll whose answer is lost behind a NAT or a
 * dead connection would wait forever, with the replica still ready. Above the 20 s long poll.
 */
export const AWS_SOCKET_TIMEOUT_MS = 30_000;
/** How long connecting (TCP and TLS) may take. */
export const AWS_CONNECTION_TIMEOUT_MS = 10_000;

/** The configuration object every SDK client constructor takes (no SDK import needed). */
export function clientConfig(options: AwsClientOptions, endpoint: string | undefined) {
  if (!options.region) throw new RangeError('AWS region is required');
  return {
    region: options.region,
    requestHandler: { socketTimeout: AWS_SOCKET_TIMEOUT_MS, connectionTimeout: AWS_CONNECTION_TIMEOUT_MS },
    ...(endpoint ? { endpoint } : {}),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

/**
 * The named exports of a dynamically imported SDK module. In an esbuild bundle with code splitting a
 * CommonJS package imported with `import()` arrives as `{ default: module.exports }` only, so the
 * named exports are read from `default` when they are not on the namespace itself.
 */
export function sdkExports<T extends object>(namespace: T, probe: keyof T): T {
  if (namespace[probe] !== undefined) return namespace;
  const fallback = (namespace as { default?: T }).default;
  return fallback ?? namespace;
}

/** A new SQS client. */
export async function createSqsClient(options: AwsClientOptions): Promise<SQSClient> {
  const sdk = sdkExports(await import('@aws-sdk/client-sqs'), 'SQSClient');
  return new sdk.SQSClient(clientConfig(options, options.endpoints?.sqs));
}

/** A new Auto Scaling client. */
export async function createAutoScalingClient(options: AwsClientOptions): Promise<AutoScalingClient> {
  const sdk = sdkExports(await import('@aws-sdk/client-auto-scaling'), 'AutoScalingClient');
  return new sdk.AutoScalingClient(clientConfig(options, options.endpoints?.autoScaling));
}

/** A new EC2 client (queue mode only: heavy). */
export async function createEc2Client(options: AwsClientOptions): Promise<EC2Client> {
  const sdk = sdkExports(await import('@aws-sdk/client-ec2'), 'EC2Client');
  return new sdk.EC2Client(clientConfig(options, options.endpoints?.ec2));
}
