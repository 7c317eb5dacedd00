/** A minimal scheduler for replacement pods: unschedulable, taints, nodeSelector and pod capacity. */
import type { ObjectStore } from './object-store.js';
import type { KubeObject } from './types.js';
import { isRecord } from './types.js';

/** Picks a node for a pod, or undefined to leave it Pending and unbound. */
export type Scheduler = (pod: KubeObject, store: ObjectStore) => string | undefined;

interface Taint {
  key?: string;
  value?: string;
  effect?: string;
}

/** True when the tolerations tolerate the taint (same rules as the scheduler's TaintToleration plugin). */
export function tolerates(tolerations: readonly Record<string, unknown>[], taint: Taint): boolean {
  return tolerations.some((t) => {
    if (t['effect'] && t['effect'] !== taint.effect) return false;
    if (t['operator'] === 'Exists') return !t['key'] || t['key'] === taint.key;
    return t['key'] === taint.key && (t['value'] ?? '') === (taint.value ?? '');
  });
}

/** True when the node accepts the pod: not cordoned, no untolerated NoSchedule/NoExecute taint, labels match. */
export function nodeFits(pod: KubeObject, node: KubeObject, podsOnNode: number): boolean {
  if (node.spec?.['unschedulable'] === true || node.metadata.deletionTimestamp !== undefined) return false;
  const tolerations = Array.isArray(pod.spec?.['tolerations'])
    ? (pod.spec['tolerations'] as Record<string, unknown>[])
    : [];
  const taints = Array.isArray(node.spec?.['taints']) ? (node.spec['taints'] as Taint[]) : [];
  for (const taint of taints) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerates(tolerations, taint)) return false;
  }
  const selector = isRecord(pod.spec?.['nodeSelector'])
    ? (pod.spec['nodeSelector'] as Record<string, string>)
    : {};
  const labels = node.metadata.labels ?? {};
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) return false;
  const allocatable = isRecord(node.status?.['allocatable']) ? node.status['allocatable'] : {};
  const maxPods = Number(allocatable['pods'] ?? Number.POSITIVE_INFINITY);
  return podsOnNode < maxPods;
}

/** Default scheduler: among fitting nodes, the one with the fewest pods (ties: by name). */
export const leastPodsScheduler: Scheduler = (pod, store) => {
  let best: string | undefined;
  let bestCount = Number.POSITIVE_INFINITY;
  for (const node of store.entries('nodes')) {
    const name = node.obj.metadata.name ?? '';
    const count = store.countOnNode(name);
    // cheap comparison first: nodeFits (taints, tolerations, selector) only for a better candidate
    if (count > bestCount || (count === bestCount && best !== undefined && name >= best)) continue;
    if (!nodeFits(pod, node.obj, count)) continue;
    best = name;
    bestCount = count;
  }
  return best;
};

/** Scheduler that never binds (replacements stay Pending). */
export const noScheduler: Scheduler = () => undefined;
