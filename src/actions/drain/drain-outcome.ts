/**
 * What a drain reports when it ends: the pods still on the node, why each is held up, and the result
 * (succeeded, forced, blocked by a budget or do-not-disrupt, refused, timed out). Pure.
 */
import type { BlockingPod, DrainResult, SurgeReport } from '../../pipeline/node-actuator-port.js';
import type { KubePod } from '../kube-types.js';
import type { EvictOutcome } from './evict-pod.js';
import { refusalMessage, refusals, type RefusalReason } from './pod-filters.js';

/** The drain result without its duration (the drainer adds it). */
export type DrainOutcome = Omit<DrainResult, 'durationMs'>;

const BLOCKING: ReadonlySet<BlockingPod['reason']> = new Set(['pdb', 'multiple-pdbs', 'do-not-disrupt']);
const REFUSED: ReadonlySet<BlockingPod['reason']> = new Set<RefusalReason>(['daemonset', 'local-storage']);

/** What the drain knows at its end. */
export interface DrainState {
  /** Pods acted on (evicted, deleted, or waited for). */
  readonly waited: ReadonlyMap<string, KubePod>;
  /** Pods held back (refused by the filters, do-not-disrupt in a non-urgent drain). */
  readonly heldBack: ReadonlyMap<string, KubePod>;
  readonly blockers: ReadonlyMap<string, BlockingPod>;
  readonly outcomes: ReadonlyMap<string, EvictOutcome>;
  /** True while the pod (UID) is on the node. */
  readonly present: (uid: string) => boolean;
  readonly evicted: number;
  readonly forced: number;
  readonly surges: readonly SurgeReport[];
}

/** The drain's outcome from its state. */
export function drainOutcome(state: DrainState): DrainOutcome {
  const all = [...state.waited.values(), ...state.heldBack.values()];
  const remaining = all.filter((p) => state.present(p.uid));
  const blockedBy = remaining.map(
    (p): BlockingPod =>
      state.blockers.get(p.uid) ?? {
        namespace: p.namespace,
        name: p.name,
        reason: 'slow-termination',
        message: `pod still terminating (outcome ${state.outcomes.get(p.uid) ?? 'waiting'})`,
      },
  );
  let result: DrainResult['result'] = state.forced > 0 ? 'forced' : 'succeeded';
  if (remaining.length > 0) {
    if (blockedBy.some((b) => REFUSED.has(b.reason))) result = 'failed';
    else if (blockedBy.some((b) => BLOCKING.has(b.reason))) result = 'blocked';
    else if (blockedBy.some((b) => b.reason === 'api-error')) result = 'failed';
    else result = 'timed_out';
  }
  const refused = refusalMessage(refusals(blockedBy));
  const forcedPods = all
    .filter((p) => state.outcomes.get(p.uid) === 'forced')
    .map(
      (p): BlockingPod =>
        state.blockers.get(p.uid) ?? {
          namespace: p.namespace,
          name: p.name,
          reason: 'slow-termination',
          message: 'deleted at the deadline without eviction',
        },
    );
  return {
    result,
    podsEvicted: state.evicted,
    podsForceDeleted: state.forced,
    podsRemaining: remaining.length,
    blockedBy,
    ...(forcedPods.length > 0 ? { forcedPods } : {}),
    ...(refused ? { error: refused } : {}),
    ...(state.surges.length > 0 ? { surges: state.surges } : {}),
    pods: all.map((p) => `${p.namespace}/${p.name}`),
  };
}
