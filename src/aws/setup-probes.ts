/**
 * Read-only AWS calls `spot-handler check` makes to see whether queue mode can work: GetQueueAttributes on
 * the queue (it exists, is in the client's region, the credentials are valid) and EC2 DescribeInstances
 * with DryRun (EC2 answers DryRunOperation when the call would be allowed, UnauthorizedOperation when not),
 * and Auto Scaling DescribeLifecycleHooks for a group that does not exist (ValidationError when allowed).
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { sdkExports } from './aws-clients.js';
import { awsErrorCode, mapAwsError } from './map-aws-error.js';

/** GetQueueAttributes: the queue's ARN and visibility timeout; throws typed errors (SetupError…). */
export async function probeQueue(
  client: SQSClient,
  queueUrl: string,
): Promise<{ readonly arn?: string; readonly visibilityTimeoutSeconds?: number }> {
  const sdk = sdkExports(await import('@aws-sdk/client-sqs'), 'GetQueueAttributesCommand');
  try {
    const out = await client.send(
      new sdk.GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['QueueArn', 'VisibilityTimeout'],
      }),
    );
    const arn = out.Attributes?.QueueArn;
    const visibility = Number(out.Attributes?.VisibilityTimeout);
    return {
      ...(arn ? { arn } : {}),
      ...(Number.isFinite(visibility) ? { visibilityTimeoutSeconds: visibility } : {}),
    };
  } catch (err) {
    throw mapAwsError(err, 'sqs:GetQueueAttributes');
  }
}

/** DescribeInstances with DryRun: resolves when allowed; throws typed errors (SetupError when denied). */
export async function probeDescribeInstances(client: EC2Client): Promise<void> {
  const sdk = sdkExports(await import('@aws-sdk/client-ec2'), 'DescribeInstancesCommand');
  try {
    await client.send(new sdk.DescribeInstancesCommand({ DryRun: true, MaxResults: 5 }));
  } catch (err) {
    if (awsErrorCode(err) === 'DryRunOperation') return;
    throw mapAwsError(err, 'ec2:DescribeInstances');
  }
  // a server that ignores DryRun answered for real: the call is allowed all the same
}

/** A group name no ASG has (names allow ':' only in ARNs), so the probe reads nothing real. */
const PROBE_GROUP = 'spot-handler-permission-probe';

/**
 * DescribeLifecycleHooks for a group that does not exist: allowed when AWS answers ValidationError (or an
 * empty list); throws typed errors (SetupError when denied).
 */
export async function probeDescribeLifecycleHooks(client: AutoScalingClient): Promise<void> {
  const sdk = sdkExports(await import('@aws-sdk/client-auto-scaling'), 'DescribeLifecycleHooksCommand');
  try {
    await client.send(new sdk.DescribeLifecycleHooksCommand({ AutoScalingGroupName: PROBE_GROUP }));
  } catch (err) {
    if (awsErrorCode(err) === 'ValidationError') return;
    throw mapAwsError(err, 'autoscaling:DescribeLifecycleHooks');
  }
}
