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
  N1,
  N2,
} from './drain-support.js';
import { onRealCluster } from '../helpers/kube-env.js';

let env: DrainEnv;

beforeEach(async () => {
  env = await startDrainEnv();
});

afterEach(async () => {
  await env.stop();
});

// a real garbage collector deletes a pod whose DaemonSet is gone at once; the story needs one to stay
it.skipIf(onRealCluster())(
  'leaves DaemonSet and mirror pods alone, evicts ordinary and orphaned ones',
  async () => {
    await buildDrainWorld(env, {
      nodes: [N1, N2],
      apps: [{ name: 'web', replicas: 3, nodes: [N1], shutdownMs: 50 }],
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
    await createPod(env, N1, {
      name: 'node-agent-n1',
      labels: { app: 'node-agent' },
      ownerReferences: [{ ...dsOwner, name: 'node-agent', uid: ds.metadata?.uid ?? '' }],
    });
    await createPod(env, N1, {
      name: 'old-agent-n1',
      ownerReferences: [{ ...dsOwner, name: 'old-agent', uid: 'deleted-daemonset-uid' }],
    });
    await createPod(env, N1, {
      name: 'kube-proxy-n1',
      annotations: { 'kubernetes.io/config.mirror': 'a1b2c3', 'kubernetes.io/config.source': 'file' },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: N1, uid: 'node-uid', controller: true }],
    });
    await waitAllReady(env);
    const { actuator } = await cordonedActuator(env, N1);

    const result = await actuator.drain(drainRequest(N1, 30_000, true));

    expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 4, podsRemaining: 0, blockedBy: [] });
    const left = await podsOn(env, N1);
    expect(left.map((p) => p.metadata?.name).sort()).toEqual(['kube-proxy-n1', 'node-agent-n1']);
    expect(left.every((p) => p.metadata?.deletionTimestamp === undefined)).toBe(true);
    const touched = env.sim.requests.count({ path: /\/pods\/(kube-proxy|node-agent)-n1(\/eviction)?$/ });
    expect(touched).toBe(0);
    expect(
      env.sim.requests.count({ method: 'POST', path: /\/pods\/old-agent-n1\/eviction$/, status: 201 }),
    ).toBe(1);
  },
);
