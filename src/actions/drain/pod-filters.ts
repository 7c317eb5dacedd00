/**
 * Which pods a drain acts on: kubectl drain parity (reference/peers.md §2 filters) with NTH's defaults
 * (--ignore-daemonsets --delete-emptydir-data --force) and our own pod skipped. Pure.
 */
import type { KubePod } from '../kube-types.js';

/** What to do with one pod. */
export type PodDecision =
  | {
      readonly action: 'evict';
      readonly reason: 'ordinary' | 'unmanaged' | 'orphaned-daemonset' | 'daemonset';
    }
  | { readonly action: 'delete'; readonly reason: 'terminal' }
  | {
      readonly action: 'skip';
      readonly reason: 'self' | 'mirror' | 'daemonset' | 'local-storage' | 'unmanaged' | 'other-node';
    };

/** The options the filters read. */
export interface PodFilterOptions {
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly evictUnmanagedPods: boolean;
  readonly selfPodName?: string;
  readonly selfPodNamespace?: string;
}

/** Annotation the kubelet puts on mirror pods of static pods. */
export const MIRROR_ANNOTATION = 'kubernetes.io/config.mirror';

/** "namespace/name" of a DaemonSet owner, the key of `orphanedDaemonSets`. */
export function daemonSetKey(pod: KubePod): string | undefined {
  return pod.controller?.kind === 'DaemonSet' ? `${pod.namespace}/${pod.controller.name}` : undefined;
}

/** True for Succeeded and Failed pods: nothing runs, the server deletes them at once. */
export function isTerminal(pod: KubePod): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/** Decides one pod; orphanedDaemonSets holds DaemonSets that no longer exist (their pods are evicted). */
export function decidePod(
  pod: KubePod,
  nodeName: string,
  options: PodFilterOptions,
  orphanedDaemonSets: ReadonlySet<string> = new Set(),
): PodDecision {
  if (pod.nodeName !== undefined && pod.nodeName !== nodeName)
    return { action: 'skip', reason: 'other-node' };
  if (pod.name === options.selfPodName && pod.namespace === options.selfPodNamespace) {
    return { action: 'skip', reason: 'self' };
  }
  if (MIRROR_ANNOTATION in pod.annotations) return { action: 'skip', reason: 'mirror' };
  if (isTerminal(pod)) return { action: 'delete', reason: 'terminal' };
  const ds = daemonSetKey(pod);
  if (ds !== undefined) {
    if (orphanedDaemonSets.has(ds)) return { action: 'evict', reason: 'orphaned-daemonset' };
    return options.ignoreDaemonSets
      ? { action: 'skip', reason: 'daemonset' }
      : { action: 'evict', reason: 'daemonset' };
  }
  if (pod.hasEmptyDir && !options.deleteEmptyDirData) return { action: 'skip', reason: 'local-storage' };
  if (pod.controller === undefined) {
    return options.evictUnmanagedPods
      ? { action: 'evict', reason: 'unmanaged' }
      : { action: 'skip', reason: 'unmanaged' };
  }
  return { action: 'evict', reason: 'ordinary' };
}
