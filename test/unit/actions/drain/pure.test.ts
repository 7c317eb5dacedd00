import { describe, expect, it } from 'vitest';
import { retryDelayMs } from '../../../../src/actions/drain/backoff.js';
import { graceSeconds, terminatesInTime } from '../../../../src/actions/drain/grace.js';
import {
  decidePod,
  refusalMessage,
  type PodFilterOptions,
} from '../../../../src/actions/drain/pod-filters.js';
import { tierOf, tierPods } from '../../../../src/actions/drain/pod-tiers.js';
import { pod } from '../pod-builders.js';

const nth: PodFilterOptions = {
  ignoreDaemonSets: true,
  deleteEmptyDirData: true,
  evictUnmanagedPods: true,
  selfPodName: 'spot-handler-x',
  selfPodNamespace: 'kube-system',
};
const strict: PodFilterOptions = {
  ignoreDaemonSets: false,
  deleteEmptyDirData: false,
  evictUnmanagedPods: false,
};
const ds = { kind: 'DaemonSet', name: 'fluent', apiVersion: 'apps/v1' };

describe('decidePod', () => {
  it.each([
    ['ordinary pod', pod(), nth, { action: 'evict', reason: 'ordinary' }],
    [
      'our own pod',
      pod({ name: 'spot-handler-x', namespace: 'kube-system' }),
      nth,
      { action: 'skip', reason: 'self' },
    ],
    [
      'same name, other namespace',
      pod({ name: 'spot-handler-x' }),
      nth,
      { action: 'evict', reason: 'ordinary' },
    ],
    [
      'mirror pod',
      pod({
        annotations: { 'kubernetes.io/config.mirror': 'abc' },
        controller: { kind: 'Node', name: 'n1' },
      }),
      nth,
      { action: 'skip', reason: 'mirror' },
    ],
    ['succeeded pod', pod({ phase: 'Succeeded' }), nth, { action: 'delete', reason: 'terminal' }],
    [
      'failed DaemonSet pod',
      pod({ phase: 'Failed', controller: ds }),
      nth,
      { action: 'delete', reason: 'terminal' },
    ],
    ['DaemonSet pod, ignored', pod({ controller: ds }), nth, { action: 'skip', reason: 'daemonset' }],
    [
      'DaemonSet pod, not ignored (kubectl refuses)',
      pod({ controller: ds }),
      strict,
      { action: 'refuse', reason: 'daemonset' },
    ],
    [
      'finished DaemonSet pod, not ignored',
      pod({ phase: 'Succeeded', controller: ds }),
      strict,
      { action: 'delete', reason: 'terminal' },
    ],
    [
      'DaemonSet pod with emptyDir, neither allowed',
      pod({ controller: ds, hasEmptyDir: true }),
      strict,
      { action: 'refuse', reason: 'daemonset' },
    ],
    [
      'DaemonSet pod with emptyDir, ignored',
      pod({ controller: ds, hasEmptyDir: true }),
      { ...nth, deleteEmptyDirData: false },
      { action: 'skip', reason: 'daemonset' },
    ],
    [
      'finished emptyDir pod, not allowed',
      pod({ phase: 'Failed', hasEmptyDir: true }),
      strict,
      { action: 'delete', reason: 'terminal' },
    ],
    [
      'mirror pod with emptyDir, not allowed',
      pod({ annotations: { 'kubernetes.io/config.mirror': 'abc' }, hasEmptyDir: true }),
      strict,
      { action: 'skip', reason: 'mirror' },
    ],
    ['emptyDir, allowed', pod({ hasEmptyDir: true }), nth, { action: 'evict', reason: 'ordinary' }],
    [
      'emptyDir, not allowed (kubectl refuses)',
      pod({ hasEmptyDir: true }),
      strict,
      { action: 'refuse', reason: 'local-storage' },
    ],
    ['unmanaged, allowed', pod({ controller: undefined }), nth, { action: 'evict', reason: 'unmanaged' }],
    [
      'unmanaged, not allowed',
      pod({ controller: undefined }),
      strict,
      { action: 'skip', reason: 'unmanaged' },
    ],
    ['on another node', pod({ nodeName: 'n2' }), nth, { action: 'skip', reason: 'other-node' }],
  ] as const)('%s', (_name, p, options, expected) => {
    expect(decidePod(p, 'n1', options)).toEqual(expected);
  });

  it.each([nth, strict])('evicts pods of a DaemonSet that no longer exists (kubectl --force)', (options) => {
    expect(decidePod(pod({ controller: ds }), 'n1', options, new Set(['default/fluent']))).toEqual({
      action: 'evict',
      reason: 'orphaned-daemonset',
    });
  });
});

describe('refusalMessage', () => {
  it.each([
    ['nothing refused', [], ''],
    [
      'one DaemonSet pod',
      [{ namespace: 'kube-system', name: 'fluent-x', reason: 'daemonset' }],
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/fluent-x',
    ],
    [
      'both kinds, grouped as kubectl does',
      [
        { namespace: 'app', name: 'cache-1', reason: 'local-storage' },
        { namespace: 'kube-system', name: 'fluent-x', reason: 'daemonset' },
        { namespace: 'app', name: 'cache-2', reason: 'local-storage' },
      ],
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/fluent-x; ' +
        'cannot delete Pods with local storage (use --delete-emptydir-data to override): app/cache-1, app/cache-2',
    ],
  ] as const)('%s', (_name, refused, expected) => {
    expect(refusalMessage(refused)).toBe(expected);
  });
});

describe('tiers', () => {
  const T = 1_000_000_000;
  it.each([
    ['ordinary', pod(), 'ordinary'],
    ['node-critical class', pod({ priorityClassName: 'system-node-critical' }), 'critical'],
    ['cluster-critical class', pod({ priorityClassName: 'system-cluster-critical' }), 'critical'],
    ['priority at threshold', pod({ priority: T }), 'critical'],
    ['priority below threshold', pod({ priority: T - 1 }), 'ordinary'],
    [
      'safe-to-evict false',
      pod({ annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } }),
      'do-not-disrupt',
    ],
    [
      'safe-to-evict true',
      pod({ annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } }),
      'ordinary',
    ],
    [
      'karpenter do-not-disrupt',
      pod({ annotations: { 'karpenter.sh/do-not-disrupt': 'true' } }),
      'do-not-disrupt',
    ],
    ['DaemonSet', pod({ controller: ds, priorityClassName: 'system-node-critical' }), 'daemonset'],
  ] as const)('%s', (_n, p, tier) => {
    expect(tierOf(p, T)).toBe(tier);
  });

  it('orders tiers and holds do-not-disrupt pods back for non-urgent drains', () => {
    const a = pod();
    const c = pod({ priorityClassName: 'system-cluster-critical' });
    const d = pod({ annotations: { 'karpenter.sh/do-not-disrupt': 'true' } });
    const s = pod({ controller: ds });
    const urgent = tierPods([s, d, c, a], true, T);
    expect(urgent.tiers.map((t) => [t.tier, t.pods.map((p) => p.name)])).toEqual([
      ['ordinary', [a.name]],
      ['critical', [c.name]],
      ['do-not-disrupt', [d.name]],
      ['daemonset', [s.name]],
    ]);
    expect(urgent.doNotDisrupt).toEqual([]);
    const calm = tierPods([d, a], false, T);
    expect(calm.tiers.map((t) => t.tier)).toEqual(['ordinary']);
    expect(calm.doNotDisrupt).toEqual([d]);
  });
});

describe('graceSeconds', () => {
  const now = 1_000_000;
  const base = { nowMs: now, deadlineMarginMs: 5000, overrideSeconds: -1 };
  it.each([
    ['plenty of time: own grace', 30, now + 120_000, -1, 30],
    ['short on time: shortened', 300, now + 120_000, -1, 115],
    ['override wins over own grace', 300, now + 120_000, 10, 10],
    ['override still shortened', 300, now + 20_000, 60, 15],
    ['past the deadline: 1 s, never 0', 30, now - 10_000, -1, 1],
    ['inside the margin: 1 s', 30, now + 3000, -1, 1],
    ['pod asks for 0: 1 s (0 would be a forced delete)', 0, now + 120_000, -1, 1],
    ['no grace set: Kubernetes default 30', undefined, now + 120_000, -1, 30],
  ] as const)('%s', (_n, own, deadlineMs, overrideSeconds, expected) => {
    const p = pod(
      own === undefined
        ? { terminationGracePeriodSeconds: undefined }
        : { terminationGracePeriodSeconds: own },
    );
    expect(graceSeconds(p, { ...base, deadlineMs, overrideSeconds })).toBe(expected);
  });

  it('knows when a terminating pod will be gone in time', () => {
    expect(terminatesInTime(pod({ deletionTimestampMs: 50_000 }), 60_000, 5000)).toBe(true);
    expect(terminatesInTime(pod({ deletionTimestampMs: 58_000 }), 60_000, 5000)).toBe(false);
    expect(terminatesInTime(pod(), 60_000, 5000)).toBe(false);
  });
});

describe('retryDelayMs', () => {
  const o = { initialMs: 200, maxMs: 1000 };
  it.each([
    [0, 1, undefined, 200],
    [0, 0, undefined, 150],
    [1, 1, undefined, 400],
    [2, 1, undefined, 800],
    [3, 1, undefined, 1000],
    [50, 1, undefined, 1000],
    [0, 1, 10_000, 10_000],
    [3, 1, 0, 1000],
  ])('attempt %i, random %f, Retry-After %s → %i ms', (attempt, random, retryAfter, expected) => {
    expect(retryDelayMs(attempt, o, random, retryAfter)).toBe(expected);
  });

  it('never goes below the floor, even when configured to', () => {
    expect(retryDelayMs(0, { initialMs: 0, maxMs: 0 }, 0, 0)).toBe(50);
  });
});
