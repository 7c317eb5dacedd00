import { describe, expect, it } from 'vitest';
import {
  recreateSteps,
  rollingUpdateSteps,
  type RolloutStep,
  type RsView,
} from '../../../src/sandbox/kube-api/deployment-rollout.js';

function view(name: string, replicas: number, available = replicas, createdMin = 0): RsView {
  const creationTimestamp = new Date(Date.UTC(2026, 0, 1, 0, createdMin)).toISOString();
  return { rs: { metadata: { name, creationTimestamp } }, replicas, active: replicas, available };
}

const names = (steps: RolloutStep[]) =>
  steps.map((s) => (s.type === 'create' ? `create ${s.replicas}` : `${s.rs.metadata.name} → ${s.replicas}`));

describe('rollout decisions (kube-controller-manager pkg/controller/deployment)', () => {
  it.each([
    ['first ReplicaSet: created at full size', [], undefined, 4, {}, ['create 4']],
    // 4 replicas, maxSurge 25% → 1, maxUnavailable 25% → 1
    ['a new template: the new ReplicaSet starts at maxSurge', [view('old', 4)], 'none', 4, {}, ['create 1']],
    [
      'surge room left: scale the new one up',
      [view('old', 4), view('new', 0, 0, 1)],
      'new',
      4,
      {},
      ['new → 1'],
    ],
    [
      'no room: old ones go down while replicas − maxUnavailable stay available',
      [view('old', 4), view('new', 1, 1, 1)],
      'new',
      4,
      {},
      ['old → 2'],
    ],
    [
      'the new pod is not available yet: nothing goes down below the floor',
      [view('old', 3), view('new', 2, 0, 1)],
      'new',
      4,
      {},
      [],
    ],
    [
      'unhealthy old pods go first, within the budget (total − minAvailable)',
      [view('old', 4, 2), view('new', 1, 1, 1)],
      'new',
      4,
      { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      ['old → 3'],
    ],
    [
      'maxSurge 0 and maxUnavailable 0 still moves (one unavailable)',
      [view('old', 2)],
      'none',
      2,
      { rollingUpdate: { maxSurge: 0, maxUnavailable: 0 } },
      ['create 0'],
    ],
  ] as const)('%s', (_n, all, currentName, replicas, strategy, expected) => {
    const current = all.find((v) => v.rs.metadata.name === currentName);
    expect(names(rollingUpdateSteps(all, current, replicas, strategy))).toEqual(expected);
  });

  it('Recreate: old ReplicaSets to 0 first, the new one only when their pods are gone', () => {
    const old = view('old', 3);
    expect(names(recreateSteps([old], undefined, 3))).toEqual(['old → 0']);
    const gone = { ...view('old', 0), active: 0 };
    expect(names(recreateSteps([gone], undefined, 3))).toEqual(['create 3']);
    const current = view('new', 1);
    expect(names(recreateSteps([gone, current], current, 3))).toEqual(['new → 3']);
  });
});
