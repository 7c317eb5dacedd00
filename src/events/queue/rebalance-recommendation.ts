/** EC2 Instance Rebalance Recommendation (source aws.ec2): elevated risk of interruption, no deadline. */
import type { ParseOutcome } from '../interruption-event.js';
import { baseEvent, eventsOutcome, requireInstanceId, type KindParser } from './queue-context.js';

/** Parses a rebalance recommendation; deadline = event time + options.rebalanceDeadlineSeconds. */
export const parseRebalanceRecommendation: KindParser = (envelope, context, options): ParseOutcome => {
  const instanceId = requireInstanceId(envelope.detail, 'instance-id');
  return eventsOutcome([
    {
      ...baseEvent(envelope, context, instanceId),
      kind: 'rebalance-recommendation',
      deadlineMs: (envelope.timeMs ?? context.nowMs) + options.rebalanceDeadlineSeconds * 1000,
      description: 'rebalance recommendation',
    },
  ]);
};
