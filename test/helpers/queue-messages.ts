/**
 * SQS message bodies for queue-mode scenarios, shaped like the shared fixtures (EventBridge events,
 * direct ASG notifications, SNS envelopes) with fresh ids and times.
 */
import { randomUUID } from 'node:crypto';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

function envelope(source: string, detailType: string, resources: string[], detail: object, atMs: number) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source,
    account: ACCOUNT,
    time: iso(atMs),
    region: REGION,
    resources,
    detail,
  };
}

/** EC2 Spot Instance Interruption Warning (deadline: time + 120 s). */
export function spotWarning(instanceId: string, atMs = Date.now()) {
  return spotEvent(
    'EC2 Spot Instance Interruption Warning',
    instanceId,
    { 'instance-action': 'terminate' },
    atMs,
  );
}

/** EC2 Instance Rebalance Recommendation. */
export function rebalance(instanceId: string, atMs = Date.now()) {
  return spotEvent('EC2 Instance Rebalance Recommendation', instanceId, {}, atMs);
}

/** An aws.ec2 event about one spot instance (its resource ARN names the zone, as EventBridge's do). */
function spotEvent(detailType: string, instanceId: string, detail: object, atMs: number) {
  const resources = [`arn:aws:ec2:${REGION}b:instance/${instanceId}`];
  return envelope('aws.ec2', detailType, resources, { 'instance-id': instanceId, ...detail }, atMs);
}

/** EC2 Instance State-change Notification. */
export function stateChange(instanceId: string, state: string, atMs = Date.now()) {
  return envelope(
    'aws.ec2',
    'EC2 Instance State-change Notification',
    [`arn:aws:ec2:${REGION}:${ACCOUNT}:instance/${instanceId}`],
    { 'instance-id': instanceId, state },
    atMs,
  );
}

/** AWS Health scheduledChange for EC2 instances starting at `startMs`. */
export function healthScheduledChange(
  instanceIds: readonly string[],
  startMs: number,
  atMs = Date.now(),
  /** One Health event's notices share its eventArn; `closed` ends it. */
  over: { readonly eventArn?: string; readonly statusCode?: 'upcoming' | 'open' | 'closed' } = {},
) {
  const rfc1123 = (ms: number) => new Date(ms).toUTCString();
  return envelope(
    'aws.health',
    'AWS Health Event',
    [...instanceIds],
    {
      eventArn:
        over.eventArn ??
        `arn:aws:health:${REGION}::event/EC2/AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED/${randomUUID()}`,
      service: 'EC2',
      eventScopeCode: 'ACCOUNT_SPECIFIC',
      statusCode: over.statusCode ?? 'upcoming',
      eventRegion: REGION,
      eventTypeCode: 'AWS_EC2_INSTANCE_RETIREMENT_SCHEDULED',
      eventTypeCategory: 'scheduledChange',
      startTime: rfc1123(startMs),
      endTime: rfc1123(startMs + 2 * 3600_000),
      eventDescription: [
        { language: 'en_US', latestDescription: 'The instance is scheduled for retirement.' },
      ],
      affectedEntities: instanceIds.map((id) => ({ entityValue: id })),
    },
    atMs,
  );
}

/** Lifecycle hook details. */
export interface HookRef {
  readonly groupName: string;
  readonly hookName: string;
  readonly token: string;
}

/** EventBridge "EC2 Instance-terminate/-launch Lifecycle Action". */
export function asgLifecycle(
  instanceId: string,
  hook: HookRef,
  transition: 'terminate' | 'launch',
  atMs = Date.now(),
) {
  const launching = transition === 'launch';
  return envelope(
    'aws.autoscaling',
    launching ? 'EC2 Instance-launch Lifecycle Action' : 'EC2 Instance-terminate Lifecycle Action',
    [`arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:x:autoScalingGroupName/${hook.groupName}`],
    {
      LifecycleActionToken: hook.token,
      AutoScalingGroupName: hook.groupName,
      LifecycleHookName: hook.hookName,
      EC2InstanceId: instanceId,
      LifecycleTransition: launching
        ? 'autoscaling:EC2_INSTANCE_LAUNCHING'
        : 'autoscaling:EC2_INSTANCE_TERMINATING',
      Origin: launching ? 'EC2' : 'AutoScalingGroup',
      Destination: launching ? 'AutoScalingGroup' : 'EC2',
    },
    atMs,
  );
}

/** The test notification every new hook sends first (direct ASG → SQS). */
export function asgTestNotification(groupName: string) {
  return {
    AccountId: ACCOUNT,
    RequestId: randomUUID(),
    AutoScalingGroupARN: `arn:aws:autoscaling:${REGION}:${ACCOUNT}:autoScalingGroup:x:autoScalingGroupName/${groupName}`,
    AutoScalingGroupName: groupName,
    Service: 'AWS Auto Scaling',
    Event: 'autoscaling:TEST_NOTIFICATION',
    Time: new Date().toISOString(),
  };
}

/** Wraps a body in an SNS Notification envelope. */
export function snsWrap(inner: object) {
  return {
    Type: 'Notification',
    MessageId: randomUUID(),
    TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:spot-handler-events`,
    Message: JSON.stringify(inner),
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
  };
}
