/** Auto Scaling lifecycle hook actions, from EventBridge or sent straight to SQS (schema: LifecycleDetail). */
import type { EventKind, LifecycleHookRef, ParseOutcome } from '../interruption-event.js';
import {
  baseEvent,
  eventsOutcome,
  optionalString,
  requireInstanceId,
  requireString,
  type KindParser,
} from './queue-context.js';

/** The transitions we act on. */
const TRANSITION_KINDS: ReadonlyMap<string, EventKind> = new Map([
  ['autoscaling:EC2_INSTANCE_TERMINATING', 'asg-termination'],
  ['autoscaling:EC2_INSTANCE_LAUNCHING', 'asg-launch'],
]);

/**
 * Parses a lifecycle action (EventBridge detail or a direct notification wrapped as one).
 * Deadline = hook start (event time) + the hook timeout, which the message does not carry:
 * options.asgHookTimeoutSeconds is the assumption until DescribeLifecycleHooks says otherwise.
 */
export const parseAsgLifecycle: KindParser = (envelope, context, options): ParseOutcome => {
  const { detail } = envelope;
  const transition = requireString(detail, 'LifecycleTransition');
  const kind = TRANSITION_KINDS.get(transition);
  if (kind === undefined) return { type: 'ignore', reason: 'unsupported-transition', detail: transition };
  const instanceId = requireInstanceId(detail, 'EC2InstanceId');
  const groupName = requireString(detail, 'AutoScalingGroupName');
  const hookName = requireString(detail, 'LifecycleHookName');
  const token = optionalString(detail, 'LifecycleActionToken');
  const hook: LifecycleHookRef = { hookName, groupName, instanceId, ...(token ? { token } : {}) };
  return eventsOutcome([
    {
      ...baseEvent(envelope, context, instanceId, hook),
      kind,
      deadlineMs: (envelope.timeMs ?? context.nowMs) + options.asgHookTimeoutSeconds * 1000,
      description: `${transition} (hook ${hookName})`,
      autoScalingGroupName: groupName,
    },
  ]);
};
