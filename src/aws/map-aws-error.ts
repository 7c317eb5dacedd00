/**
 * Maps AWS SDK v3 failures to our typed errors (STYLE rule 6). The one place that reads AWS error
 * names, HTTP status codes and, where AWS gives nothing better, messages.
 */
import {
  NotFoundError,
  PermanentError,
  SetupError,
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
  'ReceiptHandleIsInvalid',
  'MessageNotInflight',
]);

const QUEUE_MISSING = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue']);
const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'UnauthorizedOperation',
  'AuthorizationError',
  'KmsAccessDenied',
  'KMS.AccessDeniedException',
]);
const BAD_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'AuthFailure',
  'InvalidAccessKeyId',
  'MissingAuthenticationToken',
  'ExpiredToken',
  'ExpiredTokenException',
  'CredentialsProviderError',
]);
const ROLE_HINT = 'the IAM role the pod uses (IRSA: serviceAccount.annotations eks.amazonaws.com/role-arn)';

/**
 * The setup error behind an AWS answer, if it is one: a queue that does not exist, a missing IAM action,
 * bad credentials, a queue in another region than the client. `what` is the IAM action (sqs:ReceiveMessage).
 */
function setupError(code: string, awsMessage: string, what: string, message: string, err: unknown) {
  const make = (reason: SetupError['reason'], fix: string): SetupError =>
    new SetupError(message, { cause: err, reason, fix });
  if (QUEUE_MISSING.has(code)) {
    return make(
      'queue_not_found',
      'set queue.url (QUEUE_URL) to an existing queue, and awsRegion (AWS_REGION) to its region',
    );
  }
  // SigV4 signed for one region, sent to another: the queue URL names a region the client does not use
  if (/scoped to a valid region|AuthorizationHeaderMalformed/i.test(`${code} ${awsMessage}`)) {
    return make('wrong_region', 'set awsRegion (AWS_REGION) to the region named in queue.url (QUEUE_URL)');
  }
  if (code === 'KmsAccessDenied' || code === 'KMS.AccessDeniedException') {
    return make('access_denied', `allow kms:Decrypt on the queue's KMS key for ${ROLE_HINT}`);
  }
  if (ACCESS_DENIED.has(code)) return make('access_denied', `allow ${what} for ${ROLE_HINT}`);
  if (BAD_CREDENTIALS.has(code)) {
    return make(
      'invalid_credentials',
      `give the pod valid AWS credentials: check ${ROLE_HINT} and the role's trust policy`,
    );
  }
  return undefined;
}

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
  const setup = setupError(code, e.message ?? '', what, message, err);
  if (setup) return setup;
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
