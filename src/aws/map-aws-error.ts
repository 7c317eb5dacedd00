/**
 * Maps AWS SDK v3 failures to our typed errors (STYLE rule 6). The one place that reads AWS error
 * names, HTTP status codes and, where AWS gives nothing better, messages.
 */
import {
  NotFoundError,
  PermanentError,
  SpotHandlerError,
  ThrottledError,
  TransientError,
} from '../errors.js';

/** The parts of an SDK ServiceException we read. */
interface AwsErrorShape {
  readonly name?: string;
  readonly message?: string;
  readonly $fault?: 'client' | 'server';
  readonly $metadata?: { readonly httpStatusCode?: number };
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'RequestThrottledException',
]);
const NOT_FOUND = new Set([
  'InvalidInstanceID.NotFound',
  'InvalidInstanceID.Malformed',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'ReceiptHandleIsInvalid',
  'MessageNotInflight',
]);

/** The AWS error code (SDK `name`), if the value looks like an SDK error. */
export function awsErrorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null ? (err as AwsErrorShape).name : undefined;
}

/** Translates an SDK error; `what` names the call for the message. Our own errors pass through. */
export function mapAwsError(err: unknown, what: string): SpotHandlerError {
  if (err instanceof SpotHandlerError) return err;
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsErrorShape;
  const code = e.name ?? 'Error';
  const status = e.$metadata?.httpStatusCode;
  const message = `${what}: ${code}: ${e.message ?? String(err)}`;
  if (code === 'AbortError') return new TransientError(message, { cause: err });
  if (THROTTLING.has(code) || status === 429) return new ThrottledError(message, { cause: err });
  if (NOT_FOUND.has(code)) return new NotFoundError(message, { cause: err });
  // Auto Scaling answers a completed or expired lifecycle action with a plain ValidationError.
  if (code === 'ValidationError' && /no active lifecycle action/i.test(e.message ?? '')) {
    return new NotFoundError(message, { cause: err });
  }
  if (e.$fault === 'server' || (status !== undefined && status >= 500)) {
    return new TransientError(message, { cause: err });
  }
  if (e.$fault === 'client' || (status !== undefined && status >= 400)) {
    return new PermanentError(message, { cause: err });
  }
  // no HTTP answer at all: network failure, timeout, connection reset
  return new TransientError(message, { cause: err });
}
