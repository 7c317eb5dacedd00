import { describe, expect, it } from 'vitest';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import type { NodeState } from '../../../src/pipeline/node-actuator-port.js';
import { plan, type PlanOptions } from '../../../src/pipeline/plan.js';
import { choosePrimary } from '../../../src/pipeline/event-store.js';
import { T0 } from './executor-world.js';

const base: PlanOptions = {
  mode: 'imds',
  cordonOnly: false,
  rebalanceDrain: false,
  rebalanceCordonTtlMs: 60_000,
};

function ev(kind: InterruptionEvent['kind'], over: Partial<InterruptionEvent> = {}): InterruptionEvent {
  return {
    id: `${kind}-1`,
    kind,
    instanceId: 'i-0123456789abcdef0',
    noticedAtMs: T0,
    deadlineMs: T0 + 120_000,
    source: 'imds',
    origin: { type: 'imds', path: '/x' },
    description: '',
    ...over,
  };
}

function node(over: Partial<NodeState> = {}): NodeState {
  return { name: 'n', unschedulable: false, ready: true, labels: {}, reported: [], taintKeys: [], ...over };
}

const steps = (p: ReturnType<typeof plan>) => (p.type === 'act' ? p.steps.map((s) => s.type) : p.reason);

describe('plan', () => {
  it.each([
    ['spot-interruption', base, ['cordon', 'notify', 'drain']],
    ['state-change', base, ['cordon', 'notify', 'drain']],
    ['asg-termination', base, ['cordon', 'notify', 'drain']],
    ['scheduled-maintenance', base, ['cordon', 'notify', 'drain']],
    ['rebalance-recommendation', base, ['cordon', 'notify', 'uncordon-at']],
    ['rebalance-recommendation', { ...base, rebalanceDrain: true }, ['cordon', 'notify', 'drain']],
    ['rebalance-recommendation', { ...base, rebalanceCordonTtlMs: 0 }, ['cordon', 'notify']],
    [
      'rebalance-recommendation',
      { ...base, mode: 'queue' as const },
      ['cordon', 'notify', 'complete-lifecycle'],
    ],
    ['spot-interruption', { ...base, cordonOnly: true }, ['cordon', 'notify']],
    ['asg-launch', base, ['wait-node-ready', 'complete-lifecycle']],
  ] as const)('%s with %j plans %j', (kind, options, expected) => {
    const source = options.mode === 'queue' ? 'sqs' : 'imds';
    expect(steps(plan(ev(kind, { source }), options, node(), T0))).toEqual(expected);
  });

  it('waits for the start time of scheduled maintenance', () => {
    const p = plan(ev('scheduled-maintenance', { startAtMs: T0 + 5000 }), base, node(), T0);
    expect(p.type === 'act' && p.steps[0]).toEqual({ type: 'wait-until', atMs: T0 + 5000 });
  });

  it('drains urgently only for kinds whose deadline is real', () => {
    const urgent = (k: InterruptionEvent['kind']) => {
      const p = plan(ev(k), { ...base, rebalanceDrain: true }, node(), T0);
      return p.type === 'act' ? p.steps.find((s) => s.type === 'drain') : undefined;
    };
    expect(urgent('spot-interruption')).toEqual({ type: 'drain', urgent: true });
    expect(urgent('scheduled-maintenance')).toEqual({ type: 'drain', urgent: false });
    expect(urgent('rebalance-recommendation')).toEqual({ type: 'drain', urgent: false });
  });

  it.each([
    ['ASG scale-in through the queue: the hook waits, PDBs are respected', 'asg-termination', 'sqs', false],
    ['ASG target state Terminated through IMDS: no hook to hold', 'asg-termination', 'imds', true],
    ['spot warning through the queue', 'spot-interruption', 'sqs', true],
    ['instance stopping through the queue', 'state-change', 'sqs', true],
  ] as const)('%s', (_name, kind, source, urgent) => {
    const p = plan(ev(kind, { source }), base, node(), T0);
    expect(p.type === 'act' && p.steps.find((s) => s.type === 'drain')).toEqual({ type: 'drain', urgent });
  });

  it('does nothing on an opted-out node', () => {
    expect(
      steps(plan(ev('spot-interruption'), base, node({ labels: { 'spot-handler/disabled': 'true' } }), T0)),
    ).toBe('node-opted-out');
  });

  it('skips the work already done for the same event after a restart', () => {
    const done = node({ eventId: 'spot-interruption-1', phase: 'drained', unschedulable: true });
    expect(steps(plan(ev('spot-interruption'), base, done, T0))).toEqual([]);
  });

  it.each<[string, Partial<NodeState>, InterruptionEvent, number, string | string[]]>([
    [
      'a redelivered spot notice past its deadline after our drain gave up: acknowledged',
      { eventId: 'spot-interruption-1', phase: 'drain-failed' },
      ev('spot-interruption'),
      T0 + 120_000,
      'past-deadline',
    ],
    [
      '… the same before its deadline: drained again (a PDB may have let go)',
      { eventId: 'spot-interruption-1', phase: 'drain-failed' },
      ev('spot-interruption'),
      T0 + 60_000,
      ['cordon', 'notify', 'drain'],
    ],
    [
      '… a different notice past its deadline on a node whose drain failed: acted on',
      { eventId: 'other-event', phase: 'drain-failed' },
      ev('spot-interruption'),
      T0 + 130_000,
      ['cordon', 'notify', 'drain'],
    ],
    [
      'queue mode: a redelivered state change past its deadline, acknowledged (no lifecycle step)',
      { eventId: 'state-change-1', phase: 'drain-failed' },
      ev('state-change', {
        source: 'sqs',
        origin: { type: 'sqs', message: { messageId: 'm', receiptHandle: 'r' } },
      }),
      T0 + 121_000,
      'past-deadline',
    ],
  ])('%s', (_name, state, event, now, expected) => {
    expect(steps(plan(event, base, node({ unschedulable: true, ...state }), now))).toEqual(expected);
  });

  it('ignores an expired rebalance notice', () => {
    expect(steps(plan(ev('rebalance-recommendation'), base, node(), T0 + 61_000))).toBe('expired');
  });

  it('chooses the strongest kind, then the earliest deadline, as the primary event', () => {
    const rebalance = ev('rebalance-recommendation', { id: 'r', deadlineMs: T0 + 10_000 });
    const spot = ev('spot-interruption', { id: 's', deadlineMs: T0 + 120_000 });
    const state = ev('state-change', { id: 'st', deadlineMs: T0 + 90_000 });
    const maint = ev('scheduled-maintenance', { id: 'm', deadlineMs: T0 + 5_000 });
    expect(choosePrimary([rebalance, spot], base).id).toBe('s');
    expect(choosePrimary([spot, state], base).id).toBe('st');
    expect(choosePrimary([maint, spot], base).id).toBe('s');
  });
});
