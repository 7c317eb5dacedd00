/** AWS SDK failures → typed errors: which ones only a setup change can fix, and the fix each names. */
import { describe, expect, it } from 'vitest';
import { mapAwsError } from '../../../src/aws/map-aws-error.js';
import {
  NotFoundError,
  PermanentError,
  SetupError,
  ThrottledError,
  TransientError,
} from '../../../src/errors.js';

const sdkError = (name: string, status: number | undefined, message = name, fault?: 'client' | 'server') =>
  Object.assign(new Error(message), {
    name,
    ...(fault ? { $fault: fault } : {}),
    ...(status === undefined ? {} : { $metadata: { httpStatusCode: status } }),
  });

describe('mapAwsError: setup errors', () => {
  it.each([
    ['QueueDoesNotExist', 400, 'queue_not_found', /queue\.url \(QUEUE_URL\).*awsRegion/],
    ['AWS.SimpleQueueService.NonExistentQueue', 400, 'queue_not_found', /queue\.url/],
    ['AccessDenied', 403, 'access_denied', /^allow sqs:ReceiveMessage for the IAM role/],
    ['AccessDeniedException', 400, 'access_denied', /^allow sqs:ReceiveMessage/],
    ['KmsAccessDenied', 400, 'access_denied', /^allow kms:Decrypt on the queue's KMS key/],
    ['InvalidClientTokenId', 403, 'invalid_credentials', /valid AWS credentials.*role-arn/],
    ['UnrecognizedClientException', 400, 'invalid_credentials', /valid AWS credentials/],
    ['SignatureDoesNotMatch', 403, 'invalid_credentials', /valid AWS credentials/],
    ['ExpiredToken', 403, 'invalid_credentials', /valid AWS credentials/],
    ['CredentialsProviderError', undefined, 'invalid_credentials', /valid AWS credentials/],
  ])('%s → %s', (code, status, reason, fix) => {
    const mapped = mapAwsError(sdkError(code, status), 'sqs:ReceiveMessage');
    expect(mapped).toBeInstanceOf(SetupError);
    expect(mapped).toBeInstanceOf(PermanentError);
    expect(mapped.retryable).toBe(false);
    expect(mapped).toMatchObject({ reason });
    expect((mapped as SetupError).fix).toMatch(fix);
    expect(mapped.message).toContain('sqs:ReceiveMessage');
  });

  it('a signature scoped to another region is a wrong region, naming awsRegion and queue.url', () => {
    const err = sdkError(
      'SignatureDoesNotMatch',
      403,
      "Credential should be scoped to a valid region, not 'us-east-1'.",
    );
    const mapped = mapAwsError(err, 'sqs:ReceiveMessage') as SetupError;
    expect(mapped.reason).toBe('wrong_region');
    expect(mapped.fix).toMatch(/awsRegion \(AWS_REGION\).*queue\.url/);
  });

  it('EC2 UnauthorizedOperation names the EC2 action', () => {
    const mapped = mapAwsError(sdkError('UnauthorizedOperation', 403), 'ec2:DescribeInstances') as SetupError;
    expect(mapped).toMatchObject({ reason: 'access_denied' });
    expect(mapped.fix).toMatch(/^allow ec2:DescribeInstances/);
  });

  it.each([
    ['ThrottlingException', 400, ThrottledError],
    ['InternalError', 500, TransientError],
    ['ServiceUnavailable', 503, TransientError],
    ['TimeoutError', undefined, TransientError],
    ['InvalidInstanceID.NotFound', 400, NotFoundError],
    ['ValidationError', 400, PermanentError],
  ])('%s stays what it was (not a setup error)', (code, status, cls) => {
    const mapped = mapAwsError(sdkError(code, status), 'ec2:DescribeInstances');
    expect(mapped).toBeInstanceOf(cls);
    expect(mapped).not.toBeInstanceOf(SetupError);
  });
});
