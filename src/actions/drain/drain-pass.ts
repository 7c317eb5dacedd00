/**
 * One pass of a drain over the pods it has not seen yet: which are refused (kubectl's refusals fail
 * the drain before anything is evicted), which terminal pods are deleted, which are already going in
 * time, and which are evicted tier by tier or held back (do-not-disrupt in a non-urgent drain). Pure.
 */
import type { BlockingPod } from '../../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { KubePod } from '../kube-types.js';
import { terminatesInTime } from './grace.js';
import { decidePod, REFUSAL_TEXT, type RefusalReason } from './pod-filters.js';
import { tierPods, type TieredPods } from './pod-tiers.js';

/** A pod held back, and why (the drain names it as a blocker). */
export interface HeldPod {
  readonly pod: KubePod;
  readonly blocker: BlockingPod;
}

/** What one pass does. */
export interface PassPlan {
  /** Pods the filters refuse; when any, nothing else is acted on. */
  readonly refused: readonly (HeldPod & { readonly reason: RefusalReason })[];
  /** Succeeded or Failed pods: deleted at once. */
  readonly terminal: readonly KubePod[];
  /** Pods already terminating that will be gone before the deadline: only waited for. */
  readonly terminating: readonly KubePod[];
  /** Pods to evict, in tiers. */
  readonly tiers: TieredPods['tiers'];
  /** do-not-disrupt pods a non-urgent drain does not evict. */
  readonly heldBack: readonly HeldPod[];
}

/** The terms a pass is decided under. */
export interface PassTerms {
  readonly nodeName: string;
  readonly deadlineMs: number;
  readonly urgent: boolean;
  /** DaemonSets of the pods that no longer exist. */
  readonly orphaned: ReadonlySet<string>;
}

/** The blocker of a do-not-disrupt pod held back by a non-urgent drain. */
export function doNotDisruptBlocker(pod: KubePod): BlockingPod {
  return {
    namespace: pod.namespace,
    name: pod.name,
    reason: 'do-not-disrupt',
    message: 'pod is marked do-not-disrupt; not evicted for a non-urgent drain',
  };
}

/** Decides one pass over `fresh` pods. */
export function planPass(fresh: readonly KubePod[], terms: PassTerms, options: ActuatorOptions): PassPlan {
  const terminal: KubePod[] = [];
  const terminating: KubePod[] = [];
  const toEvict: KubePod[] = [];
  const refused: (HeldPod & { reason: RefusalReason })[] = [];
  for (const pod of fresh) {
    const decision = decidePod(pod, terms.nodeName, options, terms.orphaned);
    if (decision.action === 'skip') continue;
    if (decision.action === 'refuse') {
      const { reason } = decision;
      const blocker = { namespace: pod.namespace, name: pod.name, reason, message: REFUSAL_TEXT[reason] };
      refused.push({ pod, blocker, reason });
    } else if (decision.action === 'delete') terminal.push(pod);
    else if (terminatesInTime(pod, terms.deadlineMs, options.deadlineMarginMs)) terminating.push(pod);
    else toEvict.push(pod);
  }
  if (refused.length > 0) return { refused, terminal: [], terminating: [], tiers: [], heldBack: [] };
  const { tiers, doNotDisrupt } = tierPods(toEvict, terms.urgent, options.criticalPriorityThreshold);
  const heldBack = doNotDisrupt.map((pod) => ({ pod, blocker: doNotDisruptBlocker(pod) }));
  return { refused, terminal, terminating, tiers, heldBack };
}
