import { describe, expect, it } from 'vitest';
import { parseTargetLifecycleState } from '../../../../src/events/imds/target-lifecycle-state.js';
import { CONTEXT, fixture } from './imds-parse-fixtures.js';

describe('parseTargetLifecycleState', () => {
  it('turns the Terminated fixture into an asg-termination event with a stable id', () => {
    const first = parseTargetLifecycleState(fixture('target-lifecycle-state.txt'), CONTEXT);
    const later = parseTargetLifecycleState('Terminated\n', { ...CONTEXT, nowMs: CONTEXT.nowMs + 7000 });
    expect(first).toEqual({
      type: 'event',
      events: [
        expect.objectContaining({
          id: `asg-lifecycle-${CONTEXT.instanceId}-terminated`,
          kind: 'asg-termination',
          deadlineMs: CONTEXT.nowMs + CONTEXT.asgTerminationHorizonMs,
          origin: { type: 'imds', path: '/latest/meta-data/autoscaling/target-lifecycle-state' },
        }),
      ],
    });
    expect(later.type === 'event' && later.events[0]?.id).toBe(
      `asg-lifecycle-${CONTEXT.instanceId}-terminated`,
    );
  });

  it.each([
    ['InService', { type: 'ignore', reason: 'no-notice' }],
    ['InService\n', { type: 'ignore', reason: 'no-notice' }],
    ['Warmed:Stopped', { type: 'ignore', reason: 'state-not-actionable', detail: 'Warmed:Stopped' }],
    ['Pending', { type: 'ignore', reason: 'state-not-actionable', detail: 'Pending' }],
    ['', { type: 'invalid', reason: 'missing-field' }],
    ['  \n', { type: 'invalid', reason: 'missing-field' }],
    ['<html><body>500</body></html>', { type: 'invalid', reason: 'bad-field' }],
    ['{"state":"Terminated"}', { type: 'invalid', reason: 'bad-field' }],
    ['Terminated Terminated', { type: 'invalid', reason: 'bad-field' }],
    ['T'.repeat(70_000), { type: 'invalid', reason: 'too-large' }],
  ])('%j -> %j', (body, expected) => {
    expect(parseTargetLifecycleState(body, CONTEXT)).toMatchObject(expected);
  });
});
