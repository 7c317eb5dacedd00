/** EC2 Instance State-change Notification (source aws.ec2): act only when the instance is going away. */
import type { ParseOutcome } from '../interruption-event.js';
import { SPOT_WARNING_LEAD_MS } from './spot-interruption.js';
import {
  baseEvent,
  eventsOutcome,
  requireInstanceId,
  requireString,
  type KindParser,
} from './queue-context.js';

/**
 * States that mean the instance is leaving, with how long after the event it is expected to be gone:
 * stopping / shutting-down give no more notice than a spot warning; stopped / terminated are already gone.
 * Exact match (NTH matched substrings, so "stop" or "" passed).
 */
const ACTIONABLE_STATES: ReadonlyMap<string, number> = new Map([
  ['stopping', SPOT_WARNING_LEAD_MS],
  ['shutting-down', SPOT_WARNING_LEAD_MS],
  ['stopped', 0],
  ['terminated', 0],
]);

/** Parses a state change; other states (pending, running) are ignored. */
export const parseStateChange: KindParser = (envelope, context): ParseOutcome => {
  const instanceId = requireInstanceId(envelope.detail, 'instance-id');
  const state = requireString(envelope.detail, 'state');
  const leadMs = ACTIONABLE_STATES.get(state);
  if (leadMs === undefined) return { type: 'ignore', reason: 'state-not-actionable', detail: state };
  return eventsOutcome([
    {
      ...baseEvent(envelope, context, instanceId),
      kind: 'state-change',
      deadlineMs: (envelope.timeMs ?? context.nowMs) + leadMs,
      description: `instance state ${state}`,
    },
  ]);
};
