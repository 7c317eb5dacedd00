import { describe, expect, it } from 'vitest';
import { drainSummary } from '../../../src/commands/drain-progress.js';
import type { DrainResult } from '../../../src/pipeline/node-actuator-port.js';

const base: DrainResult = {
  result: 'succeeded',
  podsEvicted: 3,
  podsForceDeleted: 0,
  podsRemaining: 0,
  blockedBy: [],
  durationMs: 1234,
};

describe('drainSummary', () => {
  it('a finished drain is one line', () => {
    expect(drainSummary('n1', base)).toEqual([
      'node/n1 drained in 1.2s (3 evicted, 0 force-deleted, 0 remaining)',
    ]);
  });

  it('a blocked drain names each pod, its reason and PDB in a table', () => {
    const lines = drainSummary('n1', {
      ...base,
      result: 'blocked',
      podsRemaining: 2,
      blockedBy: [
        {
          namespace: 'shop',
          name: 'db-0',
          reason: 'pdb',
          pdb: 'db-pdb',
          message: 'would violate the budget',
        },
        { namespace: 'ml', name: 'trainer', reason: 'do-not-disrupt', message: 'marked do-not-disrupt' },
      ],
    });
    expect(lines).toEqual([
      'error: unable to drain node "n1": blocked after 1.2s (3 evicted, 0 force-deleted, 2 remaining)',
      'blocked by:',
      'POD         REASON          PDB     DETAIL',
      'shop/db-0   pdb             db-pdb  would violate the budget',
      'ml/trainer  do-not-disrupt  -       marked do-not-disrupt',
    ]);
  });

  it('a forced drain names the pods deleted at the deadline and the PDB that held each', () => {
    const lines = drainSummary('n1', {
      ...base,
      result: 'forced',
      podsForceDeleted: 1,
      forcedPods: [
        {
          namespace: 'shop',
          name: 'db-0',
          reason: 'pdb',
          pdb: 'db-pdb',
          message: 'would violate the budget',
        },
      ],
    });
    expect(lines).toEqual([
      'error: unable to drain node "n1": forced after 1.2s (3 evicted, 1 force-deleted, 0 remaining)',
      'blocked by:',
      'POD        REASON        PDB     DETAIL',
      'shop/db-0  pdb, deleted  db-pdb  would violate the budget',
    ]);
  });

  it("a refused drain carries kubectl's message", () => {
    const lines = drainSummary('n1', {
      ...base,
      result: 'failed',
      podsEvicted: 0,
      error: 'cannot delete X: ns/p',
    });
    expect(lines[1]).toBe('error: cannot delete X: ns/p');
  });
});
