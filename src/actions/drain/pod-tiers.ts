/**
 * Eviction order (DESIGN §3, Karpenter and graceful node shutdown): ordinary pods first, then critical
 * ones, then do-not-disrupt pods (urgent kinds only), then DaemonSet pods when they are evicted at all. Pure.
 */
import type { KubePod } from '../kube-types.js';

/** Priority classes Kubernetes reserves for the control plane and node agents. */
export const CRITICAL_PRIORITY_CLASSES: ReadonlySet<string> = new Set([
  'system-node-critical',
  'system-cluster-critical',
]);

/** The tiers, in eviction order. */
export const TIERS = ['ordinary', 'critical', 'do-not-disrupt', 'daemonset'] as const;
export type Tier = (typeof TIERS)[number];

/** Pods grouped by tier, plus do-not-disrupt pods a non-urgent drain must not evict. */
export interface TieredPods {
  readonly tiers: readonly { readonly tier: Tier; readonly pods: readonly KubePod[] }[];
  readonly doNotDisrupt: readonly KubePod[];
}

/** True when the pod is critical by class or by priority value. */
export function isCritical(pod: KubePod, threshold: number): boolean {
  return (
    (pod.priorityClassName !== undefined && CRITICAL_PRIORITY_CLASSES.has(pod.priorityClassName)) ||
    (pod.priority !== undefined && pod.priority >= threshold)
  );
}

/** True for `cluster-autoscaler.kubernetes.io/safe-to-evict: "false"` or `karpenter.sh/do-not-disrupt: "true"`. */
export function isDoNotDisrupt(pod: KubePod): boolean {
  return (
    pod.annotations['cluster-autoscaler.kubernetes.io/safe-to-evict'] === 'false' ||
    pod.annotations['karpenter.sh/do-not-disrupt'] === 'true'
  );
}

/** Which tier a pod belongs to. */
export function tierOf(pod: KubePod, threshold: number): Tier {
  if (pod.controller?.kind === 'DaemonSet') return 'daemonset';
  if (isDoNotDisrupt(pod)) return 'do-not-disrupt';
  return isCritical(pod, threshold) ? 'critical' : 'ordinary';
}

/** Groups pods to evict into ordered, non-empty tiers; non-urgent drains hold do-not-disrupt pods back. */
export function tierPods(pods: readonly KubePod[], urgent: boolean, criticalThreshold: number): TieredPods {
  const groups = new Map<Tier, KubePod[]>(TIERS.map((t) => [t, []]));
  const doNotDisrupt: KubePod[] = [];
  for (const pod of pods) {
    const tier = tierOf(pod, criticalThreshold);
    if (tier === 'do-not-disrupt' && !urgent) doNotDisrupt.push(pod);
    else groups.get(tier)?.push(pod);
  }
  const tiers = TIERS.map((tier) => ({ tier, pods: groups.get(tier) ?? [] })).filter(
    (g) => g.pods.length > 0,
  );
  return { tiers, doNotDisrupt };
}
