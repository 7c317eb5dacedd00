import { describe, expect, it } from 'vitest';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import { DrainTerms, type DrainTermsValue } from '../../../src/pipeline/drain-terms.js';
import type { PlanOptions } from '../../../src/pipeline/plan.js';
import { decideUpgrade, type RunningAction, type RunStage } from '../../../src/pipeline/upgrade-decision.js';
import { T0 } from './executor-world.js';

const queue: PlanOptions = {
  mode: 'queue',
  cordonOnly: false,
  rebalanceDrain: true,
  rebalanceCordonTtlMs: 0,
};
const cordonOnlyRebalance: PlanOptions = { ...queue, rebalanceDrain: false };

function ev(
  kind: InterruptionEvent['kind'],
  id: string,
  deadlineMs: number,
  source: InterruptionEvent['source'] = 'sqs',
): InterruptionEvent {
  return {
    id,
    kind,
    instanceId: 'i-0123456789abcdef0',
    noticedAtMs: T0,
    deadlineMs,
    source,
    origin: { type: 'imds', path: '/x' },
    description: '',
  };
}

const rebalanceTerms: DrainTermsValue = {
  kind: 'rebalance-recommendation',
  eventId: 'rb',
  deadlineMs: T0 + 3_600_000,
  urgent: false,
};
const scaleInTerms: DrainTermsValue = {
  kind: 'asg-termination',
  eventId: 'asg',
  deadlineMs: T0 + 3_600_000,
  urgent: false,
};

/** `marked` null: the cordon step has not begun. */
function run(stage: RunStage, terms = rebalanceTerms, marked: string | null = terms.eventId): RunningAction {
  return { stage, drains: true, terms, markedEventId: marked ?? undefined };
}

const spot = ev('spot-interruption', 'spot', T0 + 120_000);
const spotTerms: DrainTermsValue = {
  kind: 'spot-interruption',
  eventId: 'spot',
  deadlineMs: T0 + 120_000,
  urgent: true,
};

describe('decideUpgrade: what an event merged into a running action changes', () => {
  it.each([
    // stage, running, new primary, merged deadline, options, decision
    [
      'draining',
      run('draining'),
      spot,
      T0 + 120_000,
      queue,
      { type: 'in-place', terms: spotTerms, remark: true },
    ],
    [
      'before the cordon write',
      run('before-drain', rebalanceTerms, null),
      spot,
      T0 + 120_000,
      queue,
      { type: 'in-place', terms: spotTerms, remark: false },
    ],
    [
      'cordoned, drain not started',
      run('before-drain'),
      spot,
      T0 + 120_000,
      queue,
      { type: 'in-place', terms: spotTerms, remark: true },
    ],
    [
      'ASG scale-in draining, then a spot warning',
      run('draining', scaleInTerms),
      spot,
      T0 + 120_000,
      queue,
      { type: 'in-place', terms: spotTerms, remark: true },
    ],
    [
      'drained already: only the marks move',
      run('drained'),
      spot,
      T0 + 120_000,
      queue,
      { type: 'in-place', terms: spotTerms, remark: true },
    ],
    [
      'a weaker event with an earlier deadline: the deadline shortens, the marks stay',
      run('draining', scaleInTerms),
      ev('asg-termination', 'asg', T0 + 3_600_000),
      T0 + 600_000,
      queue,
      { type: 'in-place', terms: { ...scaleInTerms, deadlineMs: T0 + 600_000 }, remark: false },
    ],
    [
      'a later deadline never lengthens the drain',
      run('draining', spotTerms, 'spot'),
      ev('state-change', 'st', T0 + 300_000),
      T0 + 300_000,
      queue,
      {
        type: 'in-place',
        terms: { ...spotTerms, kind: 'state-change', eventId: 'st' },
        remark: true,
      },
    ],
    [
      'nothing changes',
      run('draining'),
      ev('rebalance-recommendation', 'rb', T0 + 3_600_000),
      T0 + 3_600_000,
      queue,
      { type: 'none' },
    ],
    [
      'a drain that gave up drains again',
      run('drain-failed'),
      spot,
      T0 + 120_000,
      queue,
      { type: 'restart' },
    ],
    ['waiting for maintenance hours ahead', run('waiting'), spot, T0 + 120_000, queue, { type: 'restart' }],
    [
      'a cordon-only rebalance becomes a drain',
      { ...run('before-drain'), drains: false },
      spot,
      T0 + 120_000,
      cordonOnlyRebalance,
      { type: 'restart' },
    ],
    [
      'cordon-only mode, same event',
      { ...run('before-drain'), drains: false },
      ev('rebalance-recommendation', 'rb', T0),
      T0,
      { ...queue, cordonOnly: true },
      { type: 'none' },
    ],
  ] as const)('%s', (_name, running, primary, deadlineMs, options, expected) => {
    expect(decideUpgrade(running, primary, deadlineMs, options)).toEqual(expected);
  });
});

describe('DrainTerms', () => {
  it('only tightens: the deadline moves earlier, urgency is kept, listeners hear each change', () => {
    const terms = new DrainTerms(rebalanceTerms);
    const heard: DrainTermsValue[] = [];
    const stop = terms.subscribe((t) => heard.push(t));
    expect(terms.tighten(spotTerms)).toBe(true);
    expect(terms.tighten({ ...spotTerms, deadlineMs: T0 + 900_000, urgent: false })).toBe(false);
    expect(terms.current).toEqual(spotTerms);
    stop();
    expect(terms.tighten({ ...spotTerms, deadlineMs: T0 + 60_000 })).toBe(true);
    expect(heard).toEqual([spotTerms]);
    expect(terms.current.deadlineMs).toBe(T0 + 60_000);
  });
});
