/** EC2 Spot Instance Interruption Warning (source aws.ec2): two minutes before the instance goes. */
import type { ParseOutcome } from '../interruption-event.js';
import {
  baseEvent,
  eventsOutcome,
  optionalString,
  requireInstanceId,
  type KindParser,
} from './queue-context.js';

/** The warning comes two minutes before the interruption (EC2 documentation). */
export const SPOT_WARNING_LEAD_MS = 120_000;

/** Parses a spot interruption warning; deadline = event time + 120 s. */
export const parseSpotInterruption: KindParser = (envelope, context): ParseOutcome => {
  const instanceId = requireInstanceId(envelope.detail, 'instance-id');
  const action = optionalString(envelope.detail, 'instance-action') ?? 'terminate';
  const base = baseEvent(envelope, context, instanceId);
  return eventsOutcome([
    {
      ...base,
      kind: 'spot-interruption',
      deadlineMs: (envelope.timeMs ?? context.nowMs) + SPOT_WARNING_LEAD_MS,
      description: `spot interruption warning: instance-action ${action}`,
    },
  ]);
};
