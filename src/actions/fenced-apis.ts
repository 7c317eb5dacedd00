/**
 * Fencing at the wire: every write a queue-mode replica sends to the API server first asks whether this
 * replica still holds the lease, right before the request leaves. A leader paused past its lease (GC
 * stall, SIGSTOP, a frozen VM) that resumes mid-step therefore sends nothing, even from a retry loop
 * (a 409 re-read, an eviction back-off) that started while it still led. Reads are not fenced.
 */
import { NotLeader } from '../errors.js';
import type { SurgeApi } from './drain/surge-port.js';
import type { NodeApi, PodApi } from './kube-ports.js';

/** True while this replica may write (the lease elector's stillLeader, or always in IMDS mode). */
export type CanAct = () => boolean;

function fenced<A extends unknown[], R>(canAct: CanAct, what: string, write: (...args: A) => Promise<R>) {
  return (...args: A): Promise<R> =>
    canAct() ? write(...args) : Promise.reject(new NotLeader(`not leader: ${what} not sent`));
}

/** Node writes (patch, status patch) sent only while canAct(). */
export function fenceNodeApi(api: NodeApi, canAct: CanAct): NodeApi {
  return {
    getNode: (name) => api.getNode(name),
    patchNode: fenced(canAct, 'node patch', (name, patch) => api.patchNode(name, patch)),
    patchNodeStatus: fenced(canAct, 'node status patch', (name, patch) => api.patchNodeStatus(name, patch)),
  };
}

/** Pod writes (eviction, delete) sent only while canAct(). */
export function fencePodApi(api: PodApi, canAct: CanAct): PodApi {
  return {
    listPods: (nodeName, signal) => api.listPods(nodeName, signal),
    watchPods: (nodeName, rv, onEvent, signal) => api.watchPods(nodeName, rv, onEvent, signal),
    evictPod: fenced(canAct, 'eviction', (pod, grace) => api.evictPod(pod, grace)),
    deletePod: fenced(canAct, 'pod delete', (pod, grace) => api.deletePod(pod, grace)),
    daemonSetExists: (namespace, name) => api.daemonSetExists(namespace, name),
  };
}

/** Deployment restarts (surge-before-evict) sent only while canAct(). */
export function fenceSurgeApi(api: SurgeApi, canAct: CanAct): SurgeApi {
  return {
    replicaSetOwner: (ns, name) => api.replicaSetOwner(ns, name),
    getDeployment: (ns, name) => api.getDeployment(ns, name),
    restartDeployment: fenced(canAct, 'deployment restart', (d, at) => api.restartDeployment(d, at)),
    listSelectedPods: (ns, selector, signal) => api.listSelectedPods(ns, selector, signal),
    watchSelectedPods: (...args) => api.watchSelectedPods(...args),
    nodeSchedulable: (name) => api.nodeSchedulable(name),
  };
}
