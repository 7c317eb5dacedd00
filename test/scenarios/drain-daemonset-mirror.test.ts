/**
 * Story: a node runs DaemonSet pods, a static pod's mirror and a pod of a DaemonSet that no longer
 * exists, next to ordinary pods. The drain (ignore-daemon-sets, the default) evicts the ordinary and the
 * orphaned pods and never touches the DaemonSet and mirror pods, and still reports `succeeded`.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import {
  buildDrainWorld,
  cordonedActuator,
  createPod,
  drainRequest,
  podsOn,
  startDrainEnv,
  waitAllReady,
  type DrainEnv,
} from './drain-support.js';
import { onRealCluster } from '../helpers/kube-env.js';

let env: DrainEnv;

beforeEach(async () => {
  env = await startDrainEnv();
});

afterEach(async () => {
  await env.stop();
});

// checks the simulator's request log (no call touched the DaemonSet and mirror pods)
it.skipIf(onRealCluster())(
  'leaves DaemonSet and mirror pods alone, evicts ordinary and orphaned ones',
  async () => {
    await buildDrainWorld(env, {
      nodes: ['n1', 'n2'],
      apps: [{ name: 'web', replicas: 3, nodes: ['n1'], shutdownMs: 50 }],
    });
    const ds = await env.apps.createNamespacedDaemonSet({
      namespace: env.namespace,
      body: {
        metadata: { name: 'node-agent' },
        spec: {
          selector: { matchLabels: { app: 'node-agent' } },
          template: {
            metadata: { labels: { app: 'node-agent' } },
            spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] },
          },
        },
      },
    });
    const dsOwner = { apiVersion: 'apps/v1', kind: 'DaemonSet', controller: true };
    await createPod(env, 'n1', {
      name: 'node-agent-n1',
      labels: { app: 'node-agent' },
      ownerReferences: [{ ...dsOwner, name: 'node-agent', uid: ds.metadata?.uid ?? '' }],
    });
    await createPod(env, 'n1', {
      name: 'old-agent-n1',
      ownerReferences: [{ ...dsOwner, name: 'old-agent', uid: 'deleted-daemonset-uid' }],
    });
    await createPod(env, 'n1', {
      name: 'kube-proxy-n1',
      annotations: { 'kubernetes.io/config.mirror': 'a1b2c3', 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'node-uid', controller: true }],
    });
    await waitAllReady(env);
    const { actuator } = await cordonedActuator(env, 'n1');

    const result = await actuator.drain(drainRequest('n1', 30_000, true));

    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 4, podsRemaining: 0, blockedBy: [] });
    const left = await podsOn(env, 'n1');
    expect(left.map((p) => p.metadata?.name).sort()).toEqual(['kube-proxy-n1', 'node-agent-n1']);
    expect(left.every((p) => p.metadata?.deletionTimestamp === undefined)).toBe(true);
    const touched = env.sim.requests.count({ path: /\/pods\/(kube-proxy|node-agent)-n1(\/eviction)?$/ });
    expect(touched).toBe(0);
    expect(
      env.sim.requests.count({ method: 'POST', path: /\/pods\/old-agent-n1\/eviction$/, status: 201 }),
    ).toBe(1);
  },
);
