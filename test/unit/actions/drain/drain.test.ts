import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../../src/errors.js';
import { pod } from '../pod-builders.js';
import { drainRequestFor, metricValue, settle, world } from '../world.js';

const request = drainRequestFor;

describe('drain', () => {
  it('evicts every pod in parallel with one watch and succeeds', async () => {
    const w = world();
    const pods = Array.from({ length: 20 }, () => w.kube.addPod(pod()));
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 20, podsRemaining: 0, blockedBy: [] });
    expect(w.kube.pods.size).toBe(0);
    expect(w.kube.count('evictPod')).toBe(20);
    expect(w.kube.count('watchPods')).toBe(1);
    expect(w.kube.watcherCount).toBe(0);
    expect(result.durationMs).toBeLessThanOrEqual(300);
    expect(w.kube.calls.filter((c) => c.method === 'evictPod').every((c) => c.grace === 30)).toBe(true);
    expect(await metricValue(w.registry, 'spot_handler_pods_evicted_total')).toBe(pods.length);
    expect(await metricValue(w.registry, 'spot_handler_drains_total', { result: 'succeeded' })).toBe(1);
    expect(await metricValue(w.registry, 'spot_handler_drains_in_flight')).toBe(0);
  });

  it('leaves DaemonSet and mirror pods and our own pod alone, deletes terminal pods', async () => {
    const w = world({ selfPodName: 'me', selfPodNamespace: 'kube-system' });
    const ds = w.kube.addPod(pod({ controller: { kind: 'DaemonSet', name: 'fluent' } }));
    const mirror = w.kube.addPod(pod({ annotations: { 'kubernetes.io/config.mirror': 'x' } }));
    const me = w.kube.addPod(pod({ name: 'me', namespace: 'kube-system' }));
    w.kube.addPod(pod({ phase: 'Succeeded' }));
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result.result).toBe('succeeded');
    expect([...w.kube.pods.keys()].sort()).toEqual([ds.uid, mirror.uid, me.uid].sort());
    expect(w.kube.count('evictPod')).toBe(0);
    expect(w.kube.count('deletePod')).toBe(1);
  });

  it.each([
    [
      'IGNORE_DAEMON_SETS=false',
      { ignoreDaemonSets: false },
      pod({ namespace: 'kube-system', name: 'fluent-n1', controller: { kind: 'DaemonSet', name: 'fluent' } }),
      'daemonset',
      'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/fluent-n1',
    ],
    [
      'DELETE_LOCAL_DATA=false',
      { deleteEmptyDirData: false },
      pod({ namespace: 'app', name: 'cache-0', hasEmptyDir: true }),
      'local-storage',
      'cannot delete Pods with local storage (use --delete-emptydir-data to override): app/cache-0',
    ],
  ] as const)(
    '%s: the drain fails naming the pod and evicts nothing (kubectl)',
    async (_n, options, bad, reason, error) => {
      const w = world(options);
      w.kube.addPod(pod());
      w.kube.addPod(pod());
      w.kube.addPod(bad);
      const result = await settle(w.clock, w.actuator.drain(request(w)));
      expect(result).toMatchObject({ result: 'failed', podsEvicted: 0, podsRemaining: 1, error });
      expect(result.blockedBy).toEqual([
        expect.objectContaining({ namespace: bad.namespace, name: bad.name, reason }),
      ]);
      expect(w.kube.pods.size).toBe(3);
      expect(w.kube.count('evictPod')).toBe(0);
      expect(w.kube.count('deletePod')).toBe(0);
      expect(await metricValue(w.registry, 'spot_handler_pods_refusing_drain_total', { reason })).toBe(1);
      expect(await metricValue(w.registry, 'spot_handler_drains_total', { result: 'failed' })).toBe(1);
    },
  );

  it('IGNORE_DAEMON_SETS=false still evicts the pod of a DaemonSet that is gone', async () => {
    const w = world({ ignoreDaemonSets: false });
    w.kube.missingDaemonSets.add('default/old-agent');
    w.kube.addPod(pod({ namespace: 'default', controller: { kind: 'DaemonSet', name: 'old-agent' } }));
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 1, podsRemaining: 0 });
    expect(result.error).toBeUndefined();
  });

  it('retries a PDB refusal with backoff and finishes soon after the budget allows it', async () => {
    const w = world();
    const p = w.kube.addPod(pod());
    w.kube.pdbBlocked.set(p.uid, 'web-pdb');
    const drain = w.actuator.drain(request(w));
    await w.clock.advance(5000);
    const attempts = w.kube.count('evictPod');
    expect(attempts).toBeGreaterThanOrEqual(5);
    expect(attempts).toBeLessThanOrEqual(12);
    w.kube.pdbBlocked.delete(p.uid);
    const unblockedAt = w.clock.now();
    const result = await settle(w.clock, drain, 10);
    expect(result.result).toBe('succeeded');
    expect(w.clock.now() - unblockedAt).toBeLessThanOrEqual(1200);
    expect(await metricValue(w.registry, 'spot_handler_pods_blocked_by_pdb_total')).toBe(attempts);
  });

  it('urgent: deletes a pod a PDB never releases when the deadline is near, with the shortened grace', async () => {
    const w = world({ forceLeadMs: 15_000, deadlineMarginMs: 5000 });
    const p = w.kube.addPod(pod({ terminationGracePeriodSeconds: 60 }));
    w.kube.pdbBlocked.set(p.uid, 'web-pdb');
    const start = w.clock.now();
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'forced', podsForceDeleted: 1, podsRemaining: 0 });
    // the pod deleted without eviction is named with the budget that held it
    expect(result.forcedPods).toEqual([
      expect.objectContaining({ name: p.name, reason: 'pdb', pdb: 'web-pdb' }),
    ]);
    const del = w.kube.calls.find((c) => c.method === 'deletePod')!;
    expect(del.grace).toBe(10);
    expect(w.clock.now() - start).toBeLessThan(120_000 - 5000);
    expect(await metricValue(w.registry, 'spot_handler_pods_deleted_at_deadline_total')).toBe(1);
  });

  it('non-urgent: respects the PDB to the end and names it', async () => {
    const w = world({ drainTimeoutMs: 30_000 });
    const p = w.kube.addPod(pod({ name: 'web-1' }));
    w.kube.addPod(pod());
    w.kube.pdbBlocked.set(p.uid, 'web-pdb');
    const result = await settle(
      w.clock,
      w.actuator.drain(
        request(w, { kind: 'rebalance-recommendation', urgent: false, deadlineMs: w.clock.now() + 60_000 }),
      ),
    );
    expect(result).toMatchObject({
      result: 'blocked',
      podsEvicted: 1,
      podsRemaining: 1,
      podsForceDeleted: 0,
    });
    expect(result.blockedBy).toEqual([
      expect.objectContaining({ namespace: 'default', name: 'web-1', pdb: 'web-pdb', reason: 'pdb' }),
    ]);
    expect(w.kube.count('deletePod')).toBe(0);
    expect(w.logs.some((l) => l.msg === 'drain did not finish')).toBe(true);
  });

  it('shortens grace to the time left and waits for slow pods', async () => {
    const w = world({ deadlineMarginMs: 5000 });
    const slow = w.kube.addPod(pod({ terminationGracePeriodSeconds: 300 }));
    w.kube.exitMs.set(slow.uid, 400_000);
    const result = await settle(
      w.clock,
      w.actuator.drain(request(w, { deadlineMs: w.clock.now() + 60_000 })),
      500,
    );
    expect(w.kube.calls.find((c) => c.method === 'evictPod')?.grace).toBe(55);
    expect(result.result).toBe('succeeded');
    expect(result.durationMs).toBeLessThanOrEqual(56_000);
  });

  it('evicts critical pods only after ordinary pods are gone', async () => {
    const w = world();
    const critical = w.kube.addPod(pod({ priorityClassName: 'system-cluster-critical' }));
    const ordinary = w.kube.addPod(pod());
    w.kube.exitMs.set(ordinary.uid, 2000);
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result.result).toBe('succeeded');
    const order = w.kube.calls.filter((c) => c.method === 'evictPod').map((c) => c.arg);
    expect(order).toEqual([`default/${ordinary.name}`, `default/${critical.name}`]);
  });

  it('do-not-disrupt pods: evicted last when urgent, held back (blocked) otherwise', async () => {
    const annotations = { 'karpenter.sh/do-not-disrupt': 'true' };
    const urgent = world();
    urgent.kube.addPod(pod({ annotations }));
    urgent.kube.addPod(pod());
    expect((await settle(urgent.clock, urgent.actuator.drain(request(urgent)))).result).toBe('succeeded');

    const calm = world();
    const keep = calm.kube.addPod(pod({ annotations }));
    calm.kube.addPod(pod());
    const result = await settle(calm.clock, calm.actuator.drain(request(calm, { urgent: false })));
    expect(result).toMatchObject({ result: 'blocked', podsEvicted: 1, podsRemaining: 1 });
    expect(result.blockedBy[0]).toMatchObject({ name: keep.name, reason: 'do-not-disrupt' });
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('a second drain of the same node joins the first', async () => {
    const w = world();
    w.kube.addPod(pod());
    const first = w.actuator.drain(request(w));
    const second = w.actuator.drain(request(w, { eventId: 'e2' }));
    const [a, b] = await settle(w.clock, Promise.all([first, second]));
    expect(a).toBe(b);
    expect(w.kube.count('listPods')).toBeLessThanOrEqual(2);
  });

  it('an already drained node succeeds at once with one list', async () => {
    const w = world();
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 0 });
    expect(w.kube.count('listPods')).toBe(1);
  });

  it('falls back to delete when the eviction API is missing', async () => {
    const w = world();
    w.kube.evictionUnsupported = true;
    w.kube.addPod(pod());
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 1 });
    expect(w.kube.count('deletePod')).toBe(1);
  });

  it('retries 5xx errors from the eviction API', async () => {
    const w = world();
    w.kube.addPod(pod());
    w.kube.failNext(
      'evictPod',
      new TransientError('500'),
      new TransientError('503'),
      new TransientError('500'),
    );
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result.result).toBe('succeeded');
    expect(w.kube.count('evictPod')).toBe(4);
  });

  it('re-lists when the watch fails, and still sees pods go', async () => {
    const w = world();
    w.kube.addPod(pod());
    w.kube.failNext('watchPods', new TransientError('410 Gone'));
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result.result).toBe('succeeded');
    expect(w.kube.count('listPods')).toBeGreaterThanOrEqual(2);
  });

  it('catches pods that arrive during the drain (raced the cordon)', async () => {
    const w = world();
    const first = w.kube.addPod(pod());
    w.kube.exitMs.set(first.uid, 1000);
    const drain = w.actuator.drain(request(w));
    await w.clock.advance(200);
    w.kube.addPod(pod());
    const result = await settle(w.clock, drain);
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 2 });
    expect(w.kube.pods.size).toBe(0);
  });

  it('times out with slow-termination named when pods outlive the drain timeout', async () => {
    const w = world({ drainTimeoutMs: 10_000 });
    const p = w.kube.addPod(pod({ terminationGracePeriodSeconds: 60 }));
    w.kube.exitMs.set(p.uid, 50_000);
    const result = await settle(w.clock, w.actuator.drain(request(w)), 200);
    expect(result.result).toBe('timed_out');
    expect(result.blockedBy[0]?.reason).toBe('slow-termination');
  });

  it('dry run lists and logs but evicts nothing', async () => {
    const w = world({ dryRun: true });
    w.kube.addPod(pod());
    const result = await settle(w.clock, w.actuator.drain(request(w)));
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 0, podsRemaining: 1 });
    expect(w.kube.count('evictPod')).toBe(0);
    expect(w.logs.some((l) => l.msg === 'dry run: would act on pod')).toBe(true);
  });

  it('adds the out-of-service taint after a successful drain when enabled', async () => {
    const w = world({ outOfServiceTaint: true });
    w.kube.addPod(pod());
    await settle(w.clock, w.actuator.drain(request(w)));
    expect(w.kube.nodes.get('n1')!.taints.map((t) => t.key)).toContain('node.kubernetes.io/out-of-service');
    await w.actuator.unmark('n1');
    expect(w.kube.nodes.get('n1')!.taints).toEqual([]);
  });
});
