/**
 * Watches the API server the way an operator would (nodes and pods, through client-node) and writes
 * timeline entries: taint added, node cordoned, each pod evicted (terminating) and gone, replacements.
 */
import * as k8s from '@kubernetes/client-node';
import type { DaemonLogLine } from './demo-daemon.js';
import { DEMO_DEPLOYMENTS, type DeploymentSpec, type SandboxWorld } from './demo-world.js';
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

/** Timeline texts for the daemon's log lines (by msg). */
const DAEMON_MESSAGES: Readonly<Record<string, (l: DaemonLogLine) => string>> = {
  'interruption event received': (l) =>
    `notice seen: ${String(l.fields['kind'])} ${String(l.fields['eventId'])}`,
  'node cordoned': () => 'node cordoned',
  'drain started': () => 'drain started',
  'drain finished': (l) =>
    `drain finished (${String(l.fields['result'])}, ${String(l.fields['evicted'])} evicted)`,
  'node drained': () => 'node drained',
  'drain did not finish': (l) => `drain did not finish (${String(l.fields['result'])})`,
  'surge: rollout restarted': (l) => `surge: Deployment ${String(l.fields['deployment'])} rollout restarted`,
  'surge: joining the rollout in progress': (l) =>
    `surge: Deployment ${String(l.fields['deployment'])} joins the rollout in progress`,
  'surge: replacement Ready': (l) =>
    `surge: replacement for ${String(l.fields['deployment'])} Ready on another node after ${secs(Number(l.fields['replacementMs']))} s`,
  'surge: replacement not Ready in time; falling back': (l) =>
    `surge: no Ready replacement for ${String(l.fields['deployment'])}; normal path`,
};

/** API and sandbox entries plus the daemon's known log lines, from a second before `from`, in time order. */
export function mergeTimeline(
  api: readonly TimelineEntry[],
  logs: readonly DaemonLogLine[],
  from: number,
): TimelineEntry[] {
  const daemon = logs.flatMap((l) => {
    const f = DAEMON_MESSAGES[l.msg];
    return f && l.atMs >= from - 1000 ? [{ atMs: l.atMs, source: 'daemon' as const, text: f(l) }] : [];
  });
  return [...api.filter((e) => e.atMs >= from - 1000), ...daemon].sort((a, b) => a.atMs - b.atMs);
}

/** Writes the timeline with times relative to the notice. */
export function printTimeline(
  timeline: readonly TimelineEntry[],
  noticeAt: number,
  out: (text: string) => void,
): void {
  out('\ntimeline (seconds after the notice; api = seen by a watch on the API server)\n');
  for (const e of timeline) {
    const t = `${e.atMs >= noticeAt ? '+' : '-'}${secs(Math.abs(e.atMs - noticeAt))}`.padStart(7);
    out(`  ${t}  ${e.source.padEnd(7)} ${e.text}\n`);
  }
}

/** Milliseconds as seconds with two decimals. */
export function secs(ms: number): string {
  return (ms / 1000).toFixed(2);
}

/** Writes what the sandbox cluster runs and which pods the interrupted node has. */
export function describeCluster(
  world: SandboxWorld,
  out: (text: string) => void,
  deployments: readonly DeploymentSpec[] = DEMO_DEPLOYMENTS,
): void {
  const apps = deployments.map(
    (d) =>
      `${d.name}×${d.replicas}${d.pdbMinAvailable ? ' (PDB)' : ''}${d.surgeBeforeEvict ? ' (surge before evict)' : ''}`,
  );
  out(`cluster: ${world.nodeNames.length} nodes; Deployments ${apps.join(', ')}; DaemonSet node-agent\n`);
  const mine = world.podsOn(world.nodeName).map((p) => p.metadata.name ?? '');
  out(`${world.nodeName} runs ${mine.length} pods: ${mine.join(', ')}\n`);
}
