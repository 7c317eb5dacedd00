/**
 * Watches the API server the way an operator would (nodes and pods, through client-node) and writes
 * timeline entries: taint added, node cordoned, each pod evicted (terminating) and gone, replacements.
 */
import * as k8s from '@kubernetes/client-node';
import { kubeConfigForUrl } from './kube-api/client-config.js';

/** One thing that happened, with its wall time. */
export interface TimelineEntry {
  readonly atMs: number;
  readonly source: 'api' | 'daemon' | 'sandbox';
  readonly text: string;
}

/** A running watcher. */
export interface TimelineWatcher {
  readonly entries: TimelineEntry[];
  /** Pods of the node that were evicted (terminating seen). */
  readonly evicted: ReadonlySet<string>;
  /** Pods of the node that are gone. */
  readonly gone: ReadonlySet<string>;
  stop(): void;
}

/** Starts watching `nodeName` and the pods of the cluster at `url`; resolves once both watches are open. */
export async function watchTimeline(url: string, nodeName: string): Promise<TimelineWatcher> {
  const watch = new k8s.Watch(kubeConfigForUrl(url));
  const entries: TimelineEntry[] = [];
  const evicted = new Set<string>();
  const gone = new Set<string>();
  const add = (text: string): void => void entries.push({ atMs: Date.now(), source: 'api', text });
  let tainted = false;
  let cordoned = false;
  const seenPods = new Set<string>();
  let listed = false;

  const onNode = (_type: string, node: k8s.V1Node): void => {
    if (node.metadata?.name !== nodeName) return;
    const ours = (node.spec?.taints ?? []).filter((t) => t.key.startsWith('spot-handler/'));
    if (!tainted && ours.length > 0) {
      tainted = true;
      add(`node tainted ${ours.map((t) => `${t.key}:${t.effect}`).join(', ')}`);
    }
    if (!cordoned && node.spec?.unschedulable) {
      cordoned = true;
      add('node cordoned (spec.unschedulable=true)');
    }
  };
  const onPod = (type: string, pod: k8s.V1Pod): void => {
    const key = `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
    const onNodeNow = pod.spec?.nodeName === nodeName;
    if (type === 'ADDED' && listed && !seenPods.has(key) && pod.spec?.nodeName) {
      add(`replacement ${key} scheduled on ${pod.spec.nodeName}`);
    }
    seenPods.add(key);
    if (!onNodeNow) return;
    if (pod.metadata?.deletionTimestamp && !evicted.has(key)) {
      evicted.add(key);
      add(`pod ${key} evicted (terminating, grace ${pod.metadata.deletionGracePeriodSeconds ?? '?'} s)`);
    }
    if (type === 'DELETED' && !gone.has(key)) {
      gone.add(key);
      add(`pod ${key} gone`);
    }
  };
  const controllers = await Promise.all([
    watch.watch('/api/v1/nodes', {}, onNode, () => undefined),
    watch.watch('/api/v1/pods', {}, onPod, () => undefined),
  ]);
  // the initial ADDED events of the watch are the existing pods, not replacements
  await new Promise((r) => setTimeout(r, 300));
  listed = true;
  return { entries, evicted, gone, stop: () => controllers.forEach((c) => c.abort()) };
}
