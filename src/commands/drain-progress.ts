/**
 * What `spot-handler drain` prints: a PodApi decorator that reports each eviction as it happens
 * (kubectl's "evicting pod", "pod/x evicted" lines), and the closing diagnostics of a drain result.
 */
import type { PodApi } from '../actions/kube-ports.js';
import type { PodList, PodRef, PodWatchEvent } from '../actions/kube-types.js';
import type { DrainResult } from '../pipeline/node-actuator-port.js';
import { EvictionBlockedError } from '../errors.js';

/** Where progress lines go. */
export type PrintLine = (line: string) => void;

/** Wraps the pod port: every call goes through unchanged; the first of each kind per pod is printed. */
export class ProgressPodApi implements PodApi {
  private readonly evicting = new Set<string>();
  private readonly blocked = new Set<string>();
  private readonly reportedGone = new Set<string>();

  constructor(
    private readonly inner: PodApi,
    private readonly print: PrintLine,
  ) {}

  /** Lists through the inner port. */
  listPods(nodeName: string, signal?: AbortSignal): Promise<PodList> {
    return this.inner.listPods(nodeName, signal);
  }

  /** Watches through the inner port; prints "pod/x evicted" when a pod we acted on is deleted. */
  watchPods(
    nodeName: string,
    resourceVersion: string,
    onEvent: (event: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    return this.inner.watchPods(
      nodeName,
      resourceVersion,
      (event) => {
        const { uid, name } = event.pod;
        if (event.type === 'DELETED' && this.evicting.has(uid) && !this.reportedGone.has(uid)) {
          this.reportedGone.add(uid);
          this.print(`pod/${name} evicted`);
        }
        onEvent(event);
      },
      signal,
    );
  }

  /** Evicts; prints the first attempt, and the first PDB refusal (the engine retries it). */
  async evictPod(pod: PodRef, gracePeriodSeconds: number): Promise<void> {
    if (!this.evicting.has(pod.uid)) {
      this.evicting.add(pod.uid);
      this.print(`evicting pod ${pod.namespace}/${pod.name}`);
    }
    try {
      await this.inner.evictPod(pod, gracePeriodSeconds);
    } catch (err) {
      if (err instanceof EvictionBlockedError && !this.blocked.has(pod.uid)) {
        this.blocked.add(pod.uid);
        const budget = err.budget ? ` (PodDisruptionBudget ${err.budget})` : '';
        this.print(
          `error when evicting pods/"${pod.name}" -n "${pod.namespace}" (will retry): ` +
            `cannot evict pod as it would violate the pod's disruption budget${budget}`,
        );
      }
      throw err;
    }
  }

  /** Deletes (terminal pods, or when the eviction API is absent). */
  async deletePod(pod: PodRef, gracePeriodSeconds: number): Promise<void> {
    if (!this.evicting.has(pod.uid)) {
      this.evicting.add(pod.uid);
      this.print(`deleting pod ${pod.namespace}/${pod.name}`);
    }
    await this.inner.deletePod(pod, gracePeriodSeconds);
  }

  /** Through the inner port. */
  daemonSetExists(namespace: string, name: string): Promise<boolean> {
    return this.inner.daemonSetExists(namespace, name);
  }
}

/** The closing lines: "node/x drained", or the error and a table of what blocked the drain. */
export function drainSummary(node: string, result: DrainResult): string[] {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const counts = `${result.podsEvicted} evicted, ${result.podsForceDeleted} force-deleted, ${result.podsRemaining} remaining`;
  if (result.result === 'succeeded' && result.podsRemaining === 0) {
    return [`node/${node} drained in ${seconds}s (${counts})`];
  }
  const lines = [`error: unable to drain node "${node}": ${result.result} after ${seconds}s (${counts})`];
  if (result.error) lines.push(`error: ${result.error}`);
  const forced = result.forcedPods ?? [];
  if (result.blockedBy.length === 0 && forced.length === 0) return lines;
  const rows = [
    ...result.blockedBy.map((b) => [`${b.namespace}/${b.name}`, b.reason, b.pdb ?? '-', b.message]),
    // deleted at the --deadline without eviction: named with what blocked the eviction
    ...forced.map((b) => [`${b.namespace}/${b.name}`, `${b.reason}, deleted`, b.pdb ?? '-', b.message]),
  ];
  const header = ['POD', 'REASON', 'PDB', 'DETAIL'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  lines.push('blocked by:', format(header), ...rows.map(format));
  return lines;
}
