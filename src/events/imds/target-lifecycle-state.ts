/** `/latest/meta-data/autoscaling/target-lifecycle-state`: plain text, `InService` or `Terminated`. */
import type { ParseOutcome } from '../interruption-event.js';
import { imdsEvent, invalid, MAX_IMDS_BODY_CHARS, type ImdsParseContext } from './imds-context.js';

/** IMDS path of the Auto Scaling target lifecycle state. */
export const TARGET_LIFECYCLE_STATE_PATH = '/latest/meta-data/autoscaling/target-lifecycle-state';

/** A lifecycle state token such as `InService`, `Terminated`, `Warmed:Stopped`. */
const STATE_TOKEN = /^[A-Za-z]+(:[A-Za-z]+)?$/;

/**
 * Parses the target lifecycle state. `Terminated` is an `asg-termination` event whose id comes from
 * the instance id and the state, so repeated polls are one event. It carries no deadline: deadline =
 * first seen (context.nowMs) + asgTerminationHorizonMs. Other states need no action.
 */
export function parseTargetLifecycleState(body: string, context: ImdsParseContext): ParseOutcome {
  if (body.length > MAX_IMDS_BODY_CHARS) return invalid('too-large', `body of ${body.length} chars`);
  const state = body.trim();
  if (state.length === 0) return invalid('missing-field', 'empty target lifecycle state');
  if (!STATE_TOKEN.test(state)) return invalid('bad-field', `not a lifecycle state: ${state.slice(0, 80)}`);
  if (state === 'InService') return { type: 'ignore', reason: 'no-notice' };
  if (state !== 'Terminated') return { type: 'ignore', reason: 'state-not-actionable', detail: state };
  const event = imdsEvent(context, {
    id: `asg-lifecycle-${context.instanceId}-terminated`,
    kind: 'asg-termination',
    path: TARGET_LIFECYCLE_STATE_PATH,
    deadlineMs: context.nowMs + context.asgTerminationHorizonMs,
    description: 'Auto Scaling target lifecycle state Terminated',
  });
  return { type: 'event', events: [event] };
}
