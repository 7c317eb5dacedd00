/**
 * Story: a spot interruption drains a node through the real adapters (client-node, keep-alive, rate
 * limiter) against the Kubernetes API simulator. A minimal kubelet stand-in in this file finishes pod
 * deletions 100 ms after SIGTERM (the sandbox kubelet simulator was not on main yet).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { Registry } from 'prom-client';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.js';
import { createMetrics } from '../../src/report/metrics.js';
import { startKubeApiSimulator, type KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../../src/kube/kube-config.js';
import { RateLimiter } from '../../src/kube/rate-limiter.js';
import { createKubeAdapters } from '../../src/kube/adapters.js';
import { KubeNodeActuator } from '../../src/actions/node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS } from '../../src/actions/actuator-options.js';

let sim: KubeApiSimulator;
let kc: KeepAliveKubeConfig;
let kubelet: AbortController | undefined;

async function startKubelet(core: CoreV1Api, exitMs: number): Promise<AbortController> {
  const seen = new Set<string>();
  return new Watch(kc).watch(
    '/api/v1/pods',
    {},
    (_type, obj: V1Pod) => {
      const uid = obj.metadata?.uid ?? '';
      if (!obj.metadata?.deletionTimestamp || seen.has(uid)) return;
      seen.add(uid);
      setTimeout(() => {
        core
          .deleteNamespacedPod({
            name: obj.metadata!.name!,
            namespace: obj.metadata!.namespace!,
            gracePeriodSeconds: 0,
          })
          .catch(() => undefined);
      }, exitMs);
    },
    () => undefined,
  );
}

beforeEach(async () => {
  sim = await startKubeApiSimulator({ replicaSetController: false, scheduler: 'none' });
  kc = loadKubeConfig({ server: { url: sim.url }, rateLimiter: new RateLimiter(systemClock) });
});

afterEach(async () => {
  kubelet?.abort();
  kc.destroy();
  await sim.stop();
});

function actuator() {
  const metrics = createMetrics(new Registry(), { version: 't', mode: 't' }, { defaultMetrics: false });
  const { nodes, pods } = createKubeAdapters(kc, metrics);
  return {
    metrics,
    actuator: new KubeNodeActuator({
      nodes,
      pods,
      clock: systemClock,
      logger: pino({ level: 'silent' }),
      metrics,
      options: DEFAULT_ACTUATOR_OPTIONS,
    }),
  };
}

describe('drain against the API simulator', () => {
  it('marks, cordons and drains 30 pods; conditions and taints land on the node', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'n1' } } });
    for (let i = 0; i < 30; i++) {
      await core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: {
            name: `web-${i}`,
            ownerReferences: [
              { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true },
            ],
          },
          spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x' }] },
        },
      });
    }
    kubelet = await startKubelet(core, 100);
    const { actuator: act } = actuator();
    const deadlineMs = Date.now() + 120_000;
    await act.mark('n1', { kind: 'spot-interruption', eventId: 'e-1', deadlineMs, noticedAtMs: Date.now() });
    await act.cordon('n1');
    await act.setPhase('n1', 'draining', 'evicting');
    const started = Date.now();
    const result = await act.drain({
      nodeName: 'n1',
      kind: 'spot-interruption',
      eventId: 'e-1',
      deadlineMs,
      urgent: true,
      signal: new AbortController().signal,
    });
    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 30, podsRemaining: 0 });
    expect(Date.now() - started).toBeLessThan(5000);
    const left = await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=n1' });
    expect(left.items).toHaveLength(0);
    const node = await core.readNode({ name: 'n1' });
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints?.map((t) => t.key)).toContain('spot-handler/spot-interruption');
    expect(node.status?.conditions?.find((c) => c.type === 'SpotHandlerDrain')?.reason).toBe('Draining');
    const state = await act.getNode('n1');
    expect(state?.phase).toBe('draining');
    await act.unmark('n1');
    const after = await core.readNode({ name: 'n1' });
    expect(after.spec?.unschedulable ?? false).toBe(false);
    expect((after.spec?.taints ?? []).some((t) => t.key.startsWith('spot-handler/'))).toBe(false);
  });

  it('keeps a taint another client writes concurrently (409 on the stale resourceVersion, re-read)', async () => {
    const core = kc.makeApiClient(CoreV1Api);
    await core.createNode({ body: { metadata: { name: 'n1' } } });
    const { actuator: act } = actuator();
    const marks = Array.from({ length: 5 }, (_, i) =>
      act.mark('n1', {
        kind: i % 2 === 0 ? 'spot-interruption' : 'rebalance-recommendation',
        eventId: `e-${i}`,
        deadlineMs: Date.now() + 60_000,
        noticedAtMs: Date.now(),
      }),
    );
    await Promise.all(marks);
    const keys = ((await core.readNode({ name: 'n1' })).spec?.taints ?? []).map((t) => t.key).sort();
    expect(keys).toEqual(
      expect.arrayContaining(['spot-handler/rebalance-recommendation', 'spot-handler/spot-interruption']),
    );
  });
});
