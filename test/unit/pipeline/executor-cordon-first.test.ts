/** Cordon first: with a CordonGate, no drain starts while another node action has yet to cordon (bounded). */
import { describe, expect, it } from 'vitest';
import type { FakeClock } from '../../../src/clock.js';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import { CordonGate } from '../../../src/pipeline/cordon-gate.js';
import { FakeNodeActuator } from '../../helpers/fake-node-actuator.js';
import { executorWorld, T0 } from './executor-world.js';

/** Cordons of some nodes take clock time (a slow or stuck API call). */
class SlowCordonActuator extends FakeNodeActuator {
  readonly cordonMs = new Map<string, number>();
  constructor(private readonly fakeClock: FakeClock) {
    super(fakeClock);
  }
  override async cordon(nodeName: string): Promise<void> {
    await this.fakeClock.sleep(this.cordonMs.get(nodeName) ?? 0);
    return super.cordon(nodeName);
  }
}

function setup(gate: boolean) {
  const { clock, actuator, pipeline } = executorWorld({
    nodes: [
      ['node-a', 'i-a'],
      ['node-b', 'i-b'],
    ],
    actuator: (c) => new SlowCordonActuator(c),
    deps: (c) => ({
      readiness: { waitForReady: (_id, _timeout, signal) => c.sleep(60_000, signal).then(() => true) },
      ...(gate ? { cordonGate: new CordonGate(c, { stallMs: 2000, maxWaitMs: 15_000 }) } : {}),
    }),
  });
  const event = (n: string): InterruptionEvent =>
    ({
      kind: 'spot-interruption',
      id: `spot-${n}`,
      instanceId: `i-${n}`,
      nodeName: `node-${n}`,
      noticedAtMs: T0,
      deadlineMs: T0 + 120_000,
      source: 'imds',
      origin: { type: 'imds' },
      description: 'test',
    }) as InterruptionEvent;
  const order = () => actuator.calls.filter((c) => c.method === 'cordon' || c.method === 'drain');
  return { clock, actuator, pipeline, event, order };
}

describe('executor: cordon first', () => {
  it('a drain waits until the other nodes are cordoned', async () => {
    const t = setup(true);
    t.actuator.cordonMs.set('node-b', 1000);
    const outcomes = [t.pipeline.submit(t.event('a')), t.pipeline.submit(t.event('b'))];
    await t.clock.advance(999);
    expect(t.order().map((c) => `${c.method} ${c.node}`)).toEqual(['cordon node-a']);
    await t.clock.advance(1);
    await t.clock.advance(5000);
    expect(t.order().map((c) => `${c.method} ${c.node}`)).toEqual([
      'cordon node-a',
      'cordon node-b',
      'drain node-a',
      'drain node-b',
    ]);
    await expect(Promise.all(outcomes)).resolves.toMatchObject([{ status: 'done' }, { status: 'done' }]);
  });

  it('a stuck cordon holds other drains for 2 s at most', async () => {
    const t = setup(true);
    t.actuator.cordonMs.set('node-b', 60_000);
    const outcomes = [t.pipeline.submit(t.event('a')), t.pipeline.submit(t.event('b'))];
    await t.clock.advance(1999);
    expect(t.actuator.count('drain', 'node-a')).toBe(0);
    await t.clock.advance(1);
    expect(t.actuator.count('drain', 'node-a')).toBe(1);
    await t.clock.advance(62_000);
    await expect(Promise.all(outcomes)).resolves.toMatchObject([{ status: 'done' }, { status: 'done' }]);
  });

  it('a launch waiting for its node does not hold drains (nothing to cordon)', async () => {
    const t = setup(true);
    const launch = {
      ...t.event('c'),
      kind: 'asg-launch',
      nodeName: undefined,
      origin: { type: 'sqs', message: { messageId: 'l', receiptHandle: 'rh' } },
    } as InterruptionEvent;
    const outcomes = [t.pipeline.submit(launch), t.pipeline.submit(t.event('a'))];
    await t.clock.advance(10);
    expect(t.actuator.count('drain', 'node-a')).toBe(1);
    await t.clock.advance(61_000);
    await Promise.all(outcomes);
  });

  it('without a gate the first drain starts while the other node still cordons (what the gate fixes)', async () => {
    const t = setup(false);
    t.actuator.cordonMs.set('node-b', 1000);
    const outcomes = [t.pipeline.submit(t.event('a')), t.pipeline.submit(t.event('b'))];
    await t.clock.advance(10);
    expect(t.actuator.count('drain', 'node-a')).toBe(1);
    await t.clock.advance(5000);
    await Promise.all(outcomes);
  });
});
