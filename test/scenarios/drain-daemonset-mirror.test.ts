/**
 * Story: a node runs DaemonSet pods, a static pod's mirror and a pod of a DaemonSet that no longer
 * exists, next to ordinary pods. The drain (ignore-daemon-sets, the default) evicts the ordinary and the
 * orphaned pods and never touches the DaemonSet and mirror pods, and still reports `succeeded`.
 */
import { expect, it } from 'vitest';
import { createDaemonSet } from '../helpers/world-builder.js';
import {
  buildDrainWorld,
  createPod,
  drainRequest,
  drainScenario,
  waitAllReady,
  N1,
  N2,
} from './drain-support.js';

const drain = drainScenario();

it('leaves DaemonSet and mirror pods alone, evicts ordinary and orphaned ones', async () => {
  await buildDrainWorld(drain.env, {
    nodes: [N1, N2],
    apps: [{ name: 'web', replicas: 3, nodes: [N1], shutdownMs: 50 }],
  });
  const agent = (await createDaemonSet(drain.env, 'node-agent', [N1])).get(N1) ?? '';
  // On the simulator the orphan keeps an owner reference to a DaemonSet that is gone. A real garbage
  // collector deletes such a pod at once, so there an orphan is what it leaves behind when a DaemonSet
  // is deleted with propagationPolicy=Orphan: a pod with no owner at all.
  const deletedOwner = { apiVersion: 'apps/v1', kind: 'DaemonSet', controller: true };
  await createPod(drain.env, N1, {
    name: 'old-agent-n1',
    ...(drain.env.real
      ? {}
      : { ownerReferences: [{ ...deletedOwner, name: 'old-agent', uid: 'deleted-uid' }] }),
  });
  // a static pod's mirror is owned by its Node (the real uid: a garbage collector checks it)
  const nodeUid = (await drain.env.core.readNode({ name: N1 })).metadata?.uid ?? '';
  await createPod(drain.env, N1, {
    name: 'kube-proxy-n1',
    annotations: { 'kubernetes.io/config.mirror': 'a1b2c3', 'kubernetes.io/config.source': 'file' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: N1, uid: nodeUid, controller: true }],
  });
  await waitAllReady(drain.env);
  const { actuator } = await drain.cordonedActuator(N1);

  const result = await actuator.drain(drainRequest(N1, 30_000, true));

  expect(result).toMatchObject({ result: 'succeeded', podsEvicted: 4, podsRemaining: 0, blockedBy: [] });
  const left = await drain.podsOn(N1);
  expect(left.map((p) => p.metadata?.name).sort()).toEqual([agent, 'kube-proxy-n1'].sort());
  expect(left.every((p) => p.metadata?.deletionTimestamp === undefined)).toBe(true);
  const untouched = new RegExp(`/pods/(kube-proxy-n1|${agent})(/eviction)?$`);
  expect(drain.env.sim.requests.count({ path: untouched })).toBe(0);
  expect(
    drain.env.sim.requests.count({ method: 'POST', path: /\/pods\/old-agent-n1\/eviction$/, status: 201 }),
  ).toBe(1);
});
