/** Table tests of the pure surge-before-evict decisions. */
import { describe, expect, it } from 'vitest';
import {
  fallBackAtMs,
  isReplacement,
  lastAvailableReplica,
  planSurge,
  resolveIntOrPercent,
  surgeOptedIn,
} from '../../../../src/actions/drain/surge-decision.js';
import type { KubeDeployment } from '../../../../src/actions/drain/surge-port.js';
import { pod } from '../pod-builders.js';

function deployment(overrides: Partial<KubeDeployment> = {}): KubeDeployment {
  return {
    namespace: 'default',
    name: 'web',
    uid: 'd1',
    generation: 3,
    annotations: {},
    templateAnnotations: {},
    replicas: 1,
    paused: false,
    strategy: 'RollingUpdate',
    maxSurge: '25%',
    maxUnavailable: '25%',
    labelSelector: 'app=web',
    status: { observedGeneration: 3, replicas: 1, updatedReplicas: 1, availableReplicas: 1 },
    ...overrides,
  };
}

const A = 'spot-handler/surge-before-evict';

describe('surgeOptedIn', () => {
  it.each([
    [{}, {}, false, false],
    [{}, {}, true, true],
    [{ [A]: 'true' }, {}, false, true],
    [{}, { [A]: 'true' }, false, true],
    [{}, { [A]: 'false' }, true, false],
    [{ [A]: 'false' }, { [A]: 'true' }, true, false],
    [{ [A]: ' TRUE ' }, {}, false, true],
    [{ [A]: 'yes' }, {}, false, false],
  ])('pod %j, deployment %j, cluster-wide %s → %s', (podA, depA, wide, want) => {
    expect(surgeOptedIn(podA, depA, wide)).toBe(want);
  });
});

describe('resolveIntOrPercent', () => {
  it.each([
    [1, 1, true, 1],
    [0, 1, true, 0],
    ['25%', 1, true, 1],
    ['25%', 1, false, 0],
    ['50%', 3, true, 2],
    ['50%', 3, false, 1],
    ['0%', 10, true, 0],
    ['2', 5, true, 2],
    ['junk', 5, true, 0],
  ] as const)('%s of %i (round up %s) → %i', (value, total, up, want) => {
    expect(resolveIntOrPercent(value, total, up)).toBe(want);
  });
});

describe('planSurge', () => {
  it.each([
    ['default RollingUpdate, settled', {}, { kind: 'restart' }],
    ['Recreate', { strategy: 'Recreate' as const }, { kind: 'not-eligible', reason: 'recreate' }],
    ['maxSurge 0', { maxSurge: 0 }, { kind: 'not-eligible', reason: 'no-surge' }],
    ['maxSurge 0%', { maxSurge: '0%' }, { kind: 'not-eligible', reason: 'no-surge' }],
    ['scaled to 0', { replicas: 0 }, { kind: 'not-eligible', reason: 'no-replicas' }],
    ['paused', { paused: true }, { kind: 'not-eligible', reason: 'paused' }],
    ['matchExpressions selector', { labelSelector: undefined }, { kind: 'not-eligible', reason: 'selector' }],
    ['new generation not observed yet', { generation: 4 }, { kind: 'join' }],
    [
      'old replicas still there',
      { status: { observedGeneration: 3, replicas: 2, updatedReplicas: 1, availableReplicas: 1 } },
      { kind: 'join' },
    ],
  ])('%s', (_name, overrides, want) => {
    expect(planSurge(deployment(overrides as Partial<KubeDeployment>))).toEqual(want);
  });
});

describe('fallBackAtMs', () => {
  it.each([
    // deadline − grace − force lead
    [{ deadlineMs: 120_000, endAtMs: 1e9, graceSeconds: 30, forceLeadMs: 15_000 }, 75_000],
    // the drain timeout comes first: its end minus the grace
    [{ deadlineMs: 120_000, endAtMs: 60_000, graceSeconds: 30, forceLeadMs: 15_000 }, 30_000],
    [{ deadlineMs: 10_000, endAtMs: 1e9, graceSeconds: 30, forceLeadMs: 15_000 }, -35_000],
  ])('%j → %i', (input, want) => {
    expect(fallBackAtMs(input)).toBe(want);
  });
});

describe('lastAvailableReplica and isReplacement', () => {
  const here = pod({ nodeName: 'n1' });
  it.each([
    ['only this node', [here], [], true],
    ['Ready elsewhere on a schedulable node', [here, pod({ nodeName: 'n2' })], ['n2'], false],
    ['elsewhere but that node is cordoned too', [here, pod({ nodeName: 'n2' })], [], true],
    ['elsewhere but not Ready', [here, pod({ nodeName: 'n2', ready: false })], ['n2'], true],
    ['elsewhere but terminating', [here, pod({ nodeName: 'n2', deletionTimestampMs: 1 })], ['n2'], true],
  ])('%s → %s', (_name, pods, schedulable, want) => {
    expect(lastAvailableReplica(pods, 'n1', new Set(schedulable))).toBe(want);
  });

  it.each([
    ['new and Ready on n2', pod({ uid: 'x', nodeName: 'n2' }), true],
    ['seen before', pod({ uid: 'old', nodeName: 'n2' }), false],
    ['not Ready yet', pod({ uid: 'x', nodeName: 'n2', ready: false }), false],
    ['on the drained node', pod({ uid: 'x', nodeName: 'n1' }), false],
    ['unscheduled', pod({ uid: 'x', nodeName: undefined }), false],
  ])('%s → %s', (_name, p, want) => {
    expect(isReplacement(p, new Set(['old']), 'n1')).toBe(want);
  });
});
