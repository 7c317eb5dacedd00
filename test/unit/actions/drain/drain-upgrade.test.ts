/**
 * A running drain whose terms a stronger event tightens (issue #14 item 5): no restart, the evictions
 * done stand, pods still waiting get the shorter budget, an urgent drain forces at its deadline and
 * evicts the do-not-disrupt pods a non-urgent one held back.
 */
import { describe, expect, it } from 'vitest';
import { DrainTerms } from '../../../../src/pipeline/drain-terms.js';
import type { DrainRequest } from '../../../../src/pipeline/node-actuator-port.js';
import { pod } from '../pod-builders.js';
import { settle, world, type World } from '../world.js';

const HOUR = 3_600_000;

/** A non-urgent rebalance drain with live terms. */
function rebalanceDrain(w: World): { terms: DrainTerms; request: DrainRequest } {
  const terms = new DrainTerms({
    kind: 'rebalance-recommendation',
    eventId: 'rb',
    deadlineMs: w.clock.now() + HOUR,
    urgent: false,
  });
  return {
    terms,
    request: { nodeName: 'n1', ...terms.current, terms, signal: new AbortController().signal },
  };
}

function spotTerms(w: World, inMs = 120_000) {
  return {
    kind: 'spot-interruption',
    eventId: 'spot',
    deadlineMs: w.clock.now() + inMs,
    urgent: true,
  } as const;
}

describe('drain: terms tightened in place', () => {
  it('pods still waiting get the shorter grace; evictions done are not repeated', async () => {
    const w = world({ evictionConcurrency: 1, deadlineMarginMs: 5000 });
    const first = w.kube.addPod(pod({ terminationGracePeriodSeconds: 300 }));
    const second = w.kube.addPod(pod({ terminationGracePeriodSeconds: 300 }));
    w.kube.pdbBlocked.set(second.uid, 'web-pdb'); // waits in backoff until the spot warning
    const { terms, request } = rebalanceDrain(w);
    const drain = w.actuator.drain(request);
    await w.clock.advance(1000);
    const evictions = () => w.kube.calls.filter((c) => c.method === 'evictPod');
    expect(evictions().find((c) => c.arg === `default/${first.name}`)?.grace).toBe(300);
    w.kube.pdbBlocked.delete(second.uid);
    terms.tighten(spotTerms(w, 60_000));
    const result = await settle(w.clock, drain);
    expect(result).toMatchObject({ result: 'succeeded', podsRemaining: 0 });
    expect(evictions().filter((c) => c.arg === `default/${first.name}`)).toHaveLength(1);
    const last = evictions()
      .filter((c) => c.arg === `default/${second.name}`)
      .at(-1);
    expect(last?.grace).toBeLessThanOrEqual(55);
    expect(w.logs.some((l) => l.msg === 'drain upgraded in place' && l['kind'] === 'spot-interruption')).toBe(
      true,
    );
  });

  it('a PDB a non-urgent drain respected is overridden near the new deadline', async () => {
    const w = world({ forceLeadMs: 15_000, deadlineMarginMs: 5000 });
    const p = w.kube.addPod(pod({ terminationGracePeriodSeconds: 60 }));
    w.kube.pdbBlocked.set(p.uid, 'web-pdb');
    const { terms, request } = rebalanceDrain(w);
    const drain = w.actuator.drain(request);
    await w.clock.advance(2000);
    expect(w.kube.count('deletePod')).toBe(0);
    const tightenedAt = w.clock.now();
    terms.tighten(spotTerms(w));
    const result = await settle(w.clock, drain);
    expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
    // forced at deadline − forceLead, not after the rebalance drain's hour
    expect(w.clock.now() - tightenedAt).toBeLessThan(120_000 - 10_000);
    expect(w.kube.calls.find((c) => c.method === 'deletePod')?.grace).toBe(10);
  });

  it('do-not-disrupt pods held back by the non-urgent drain are evicted once it turns urgent', async () => {
    const w = world();
    const keep = w.kube.addPod(pod({ annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }));
    const slow = w.kube.addPod(pod());
    w.kube.exitMs.set(slow.uid, 3000); // the drain is still waiting when the spot warning comes
    const { terms, request } = rebalanceDrain(w);
    const drain = w.actuator.drain(request);
    await w.clock.advance(1000);
    expect(w.kube.calls.some((c) => c.method === 'evictPod' && c.arg === `default/${keep.name}`)).toBe(false);
    terms.tighten(spotTerms(w));
    const result = await settle(w.clock, drain);
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 2, podsRemaining: 0, blockedBy: [] });
  });
});
