/**
 * Which pods a drain acts on: kubectl drain parity (reference/peers.md §2 filters) with NTH's defaults
 * (--ignore-daemonsets --delete-emptydir-data --force) and our own pod skipped. Without
 * --ignore-daemonsets or --delete-emptydir-data kubectl refuses the whole drain and names the pods;
 * so do we (`refuse`, then `refusalMessage`). Pure.
 */
import type { KubePod } from '../kube-types.js';

/** What to do with one pod. */
export type PodDecision =
  | {
      readonly action: 'evict';
      readonly reason: 'ordinary' | 'unmanaged' | 'orphaned-daemonset';
    }
  | { readonly action: 'delete'; readonly reason: 'terminal' }
  | { readonly action: 'refuse'; readonly reason: RefusalReason }
  | {
      readonly action: 'skip';
      readonly reason: 'self' | 'mirror' | 'daemonset' | 'unmanaged' | 'other-node';
    };

/** Why kubectl (and we) refuse a drain outright. */
export type RefusalReason = 'daemonset' | 'local-storage';

/** kubectl's words for each refusal (k8s.io/kubectl/pkg/drain filters.go), so operators recognise them. */
export const REFUSAL_TEXT: Readonly<Record<RefusalReason, string>> = {
  daemonset: 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)',
  'local-storage': 'cannot delete Pods with local storage (use --delete-emptydir-data to override)',
};

/** A pod that made the drain refuse. */
export interface RefusedPod {
  readonly namespace: string;
  readonly name: string;
  readonly reason: RefusalReason;
}

/**
 * kubectl's aggregate error for the refused pods, one clause per reason, e.g.
 * "cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore): kube-system/agent-x".
 */
export function refusalMessage(refused: readonly RefusedPod[]): string {
  const clauses: string[] = [];
  for (const reason of Object.keys(REFUSAL_TEXT) as RefusalReason[]) {
    const pods = refused.filter((p) => p.reason === reason).map((p) => `${p.namespace}/${p.name}`);
    if (pods.length > 0) clauses.push(`${REFUSAL_TEXT[reason]}: ${pods.join(', ')}`);
  }
  return clauses.join('; ');
}

/** The refused pods among a drain's blockers. */
export function refusals<T extends { readonly reason: string }>(
  blockers: readonly T[],
): (T & { readonly reason: RefusalReason })[] {
  return blockers.filter((b): b is T & { readonly reason: RefusalReason } => b.reason in REFUSAL_TEXT);
}

/** The options the filters read. */
export interface PodFilterOptions {
  /** false: a pod of an existing DaemonSet refuses the drain (kubectl without --ignore-daemonsets). */
  readonly ignoreDaemonSets: boolean;
  /** false: a pod with an emptyDir volume refuses the drain (kubectl without --delete-emptydir-data). */
  readonly deleteEmptyDirData: boolean;
  /** false: pods without a controller are left alone (not a kubectl option: kubectl needs --force). */
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

/**
 * Decides one pod; orphanedDaemonSets holds DaemonSets that no longer exist (their pods are evicted,
 * as kubectl --force does, whatever ignoreDaemonSets says).
 */
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
      : { action: 'refuse', reason: 'daemonset' };
  }
  if (pod.hasEmptyDir && !options.deleteEmptyDirData) return { action: 'refuse', reason: 'local-storage' };
  if (pod.controller === undefined) {
    return options.evictUnmanagedPods
      ? { action: 'evict', reason: 'unmanaged' }
      : { action: 'skip', reason: 'unmanaged' };
  }
  return { action: 'evict', reason: 'ordinary' };
}
