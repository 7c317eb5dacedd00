/**
 * What the Events say: each note tells an on-call engineer what happened to the node or pod, and for a
 * Warning what to do about it. Pure text builders; the recorder (kube-events.ts) sends them.
 */
import type { EventKind } from '../events/interruption-event.js';
import type { BlockingPod, DrainResult } from '../pipeline/node-actuator-port.js';

/** The notice of each kind, in words. */
export const KIND_TEXT: Readonly<Record<EventKind, string>> = {
  'spot-interruption': 'Spot interruption notice',
  'rebalance-recommendation': 'Rebalance recommendation',
  'scheduled-maintenance': 'Scheduled maintenance',
  'asg-termination': 'Auto Scaling termination lifecycle action',
  'asg-launch': 'Auto Scaling launch lifecycle action',
  'state-change': 'EC2 instance state change',
};

/** A time span from now, for notes: `in 118 s`, `in 25 min`, `in 3 h`, `in 2 d`, `already past`. */
export function inWords(ms: number): string {
  if (ms < 0) return 'already past';
  const s = Math.round(ms / 1000);
  if (s < 300) return `in ${s} s`;
  if (s < 7200) return `in ${Math.round(s / 60)} min`;
  if (s < 172_800) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86_400)} d`;
}

const BLOCKER_TEXT: Readonly<Record<BlockingPod['reason'], string>> = {
  pdb: 'PodDisruptionBudget',
  'multiple-pdbs': 'more than one PodDisruptionBudget',
  'do-not-disrupt': 'do-not-disrupt annotation',
  'slow-termination': 'still terminating',
  'api-error': 'API error',
  daemonset: 'DaemonSet pod',
  'local-storage': 'emptyDir data',
};

/** Short text naming the blocking pods and why each one blocked: `shop/db-0 (PDB db-pdb), …`. */
export function describeBlockers(blockers: readonly BlockingPod[], max = 5): string {
  const shown = blockers.slice(0, max).map((b) => {
    const why = b.reason === 'pdb' && b.pdb ? `PDB ${b.pdb}` : BLOCKER_TEXT[b.reason];
    return `${b.namespace}/${b.name} (${why})`;
  });
  const more = blockers.length > max ? ` and ${blockers.length - max} more` : '';
  return shown.join(', ') + more;
}

/** After "Pod ns/name": why a PDB kept it, what became of it (from the drain result), what to do. */
export function blockedPodText(pod: BlockingPod, outcome?: DrainResult['result']): string {
  const refused =
    pod.reason === 'multiple-pdbs'
      ? 'more than one PodDisruptionBudget selects it, and the eviction API refuses such pods'
      : `${pod.pdb ? `PodDisruptionBudget ${pod.namespace}/${pod.pdb}` : 'a PodDisruptionBudget'} allowed no disruption`;
  const became =
    outcome === 'forced'
      ? '; it was deleted at the deadline without eviction'
      : outcome === 'blocked' || outcome === 'timed_out' || outcome === 'failed'
        ? '; it is still on the node'
        : '';
  // the eviction error names the pod again ("evict pod ns/name: HTTP 429: …"): keep what the server said
  const said = pod.message.replace(/^evict pod \S+: /, '').replace(/\.$/, '');
  const detail = said ? ` (${said})` : '';
  const todo =
    pod.reason === 'multiple-pdbs'
      ? 'Make exactly one budget select the pod'
      : 'Give the workload more replicas or relax the budget';
  return `could not be evicted: ${refused}${detail}${became}. ${todo}`;
}

/** `4 evicted, 1 deleted at the deadline, 2 still on the node` (zero counts after the first left out). */
function counts(r: DrainResult): string {
  const parts = [`${r.podsEvicted} pods evicted`];
  if (r.podsForceDeleted > 0) parts.push(`${r.podsForceDeleted} deleted at the deadline`);
  if (r.podsRemaining > 0) parts.push(`${r.podsRemaining} still on the node`);
  return parts.join(', ');
}

/** "; deleted: ns/pod (PDB x), ..." for the pods a forced drain deleted without eviction. */
function forcedText(r: DrainResult): string {
  const forced = r.forcedPods ?? [];
  return forced.length > 0 ? `; deleted: ${describeBlockers(forced)}` : '';
}

/** The note of the drain's last Event: the result, the counts, who blocked, and what to do. */
export function drainResultText(r: DrainResult): string {
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  const blockers = r.blockedBy.length > 0 ? `; blocked by ${describeBlockers(r.blockedBy)}` : '';
  if (r.error) return `Drain failed: ${r.error} (${counts(r)}). See the spot-handler logs`;
  switch (r.result) {
    case 'succeeded':
      return `Node drained in ${secs}: ${counts(r)}`;
    case 'forced':
      return (
        `Drain forced after ${secs}: the deadline was near and pods were still blocked, so they were ` +
        `deleted without eviction (${counts(r)}${forcedText(r)}${blockers}). ` +
        'Give these workloads more replicas or relax their PodDisruptionBudgets'
      );
    case 'blocked':
      return (
        `Drain blocked after ${secs}: PodDisruptionBudgets are respected for this kind of notice and ` +
        `some pods could not be evicted, so the node stays cordoned (${counts(r)}${blockers}). ` +
        'Let the budgets allow a disruption; the next notice drains the node'
      );
    case 'timed_out':
      return (
        `Drain timed out after ${secs} (${counts(r)}${blockers}); pods left stop when the instance goes. ` +
        'Shorten their terminationGracePeriodSeconds or raise NODE_TERMINATION_GRACE_PERIOD'
      );
    case 'failed':
      return `Drain failed after ${secs} (${counts(r)}${blockers}). See the spot-handler logs`;
  }
}
