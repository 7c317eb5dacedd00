/**
 * `npm run demo -- --surge`: the demo cluster gets a one-replica Deployment behind a PDB with
 * `minAvailable: 1`, annotated `spot-handler/surge-before-evict: "true"` (docs/surge-before-evict.md). A
 * watch records the Deployment's available replicas, and the demo ends with the surge decisions the
 * daemon logged, the `spot_handler_surge_total` counts and the lowest availability the watch saw.
 */
import * as k8s from '@kubernetes/client-node';
import type { DaemonLogLine, DemoDaemon } from './demo-daemon.js';
import { parseMetricsText } from './demo-metrics.js';
import { kubeConfigForUrl } from './kube-api/client-config.js';

/** A watch of one Deployment's `status.availableReplicas`. */
export interface AvailabilityWatch {
  /** Every value seen since the Deployment was first available, in order. */
  readonly seen: readonly number[];
  /** Resolves once the Deployment has been seen available (its status can lag its pods a little). */
  available(timeoutMs: number): Promise<boolean>;
  stop(): void;
}

/** Watches the Deployment (as `kubectl get deploy -w` would). */
export async function watchAvailability(
  url: string,
  namespace: string,
  name: string,
): Promise<AvailabilityWatch> {
  const seen: number[] = [];
  let onAvailable: (() => void) | undefined;
  const first = new Promise<void>((resolve) => (onAvailable = resolve));
  const req = await new k8s.Watch(kubeConfigForUrl(url)).watch(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { fieldSelector: `metadata.name=${name}` },
    (_type, obj: k8s.V1Deployment) => {
      const n = obj.status?.availableReplicas ?? 0;
      if (seen.length === 0 && n < 1) return; // not yet available: the story starts once it is
      seen.push(n);
      onAvailable?.();
    },
    () => undefined,
  );
  return {
    seen,
    available: (timeoutMs) =>
      Promise.race([
        first.then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs).unref()),
      ]),
    stop: () => req.abort(),
  };
}

/** The daemon's surge decisions, one line each, from its log. */
export function surgeDecisionLines(logs: readonly DaemonLogLine[]): string[] {
  const lines: string[] = [];
  for (const l of logs) {
    const d = l.fields['deployment'];
    const who = typeof d === 'string' ? d : '?';
    if (l.msg === 'surge: rollout restarted')
      lines.push(`${who}: would be left with no available replica: rollout restarted`);
    else if (l.msg === 'surge: joining the rollout in progress')
      lines.push(`${who}: a rollout was in progress: joined it`);
    else if (l.msg === 'surge: replacement Ready')
      lines.push(
        `${who}: replacement Ready on another node after ${(Number(l.fields['replacementMs']) / 1000).toFixed(2)} s; old pod evicted`,
      );
    else if (l.msg === 'surge: replacement not Ready in time; falling back')
      lines.push(`${who}: no replacement Ready in time; old pod took the normal path`);
  }
  return lines;
}

/** Prints the surge decisions, the surge counter and what the availability watch saw. */
export async function printSurgeSummary(
  daemon: DemoDaemon,
  out: (text: string) => void,
  availability?: AvailabilityWatch & { readonly name: string },
): Promise<void> {
  out('\nsurge before evict\n');
  const decisions = surgeDecisionLines(daemon.logs);
  for (const line of decisions.length > 0 ? decisions : ['no surge decision logged']) out(`  ${line}\n`);
  const text = await fetch(`http://127.0.0.1:${daemon.port}/metrics`, {
    signal: AbortSignal.timeout(2000),
  }).then(
    (r) => r.text(),
    () => '',
  );
  const counts = parseMetricsText(text)
    .filter((s) => s.name === 'spot_handler_surge_total' && s.value > 0)
    .map((s) => `${s.labels['result'] ?? '?'} ${s.value}`)
    .sort();
  out(`  spot_handler_surge_total (result): ${counts.length > 0 ? counts.join(', ') : 'none'}\n`);
  if (availability && availability.seen.length > 0) {
    out(`  ${availability.name} available replicas (watched): lowest ${Math.min(...availability.seen)}\n`);
  }
}
