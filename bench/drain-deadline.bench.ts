/**
 * drain-deadline: 110 pods with terminationGracePeriodSeconds 30–300 s and a 120 s deadline, every pod
 * using its whole grace to stop (the worst case). Time is scaled down 10× in real time so that a run
 * takes 12 s: grace 3–30 s, deadline 12 s, deadline margin 0.5 s, force lead 1.5 s (the production
 * defaults 5 s and 15 s, scaled); 10 of the pods are critical (priority ≥ 1e9, evicted in the second
 * tier). Counts, from the kubelet simulator's records, how many pods got SIGTERM with their full or a
 * shortened grace, how many the kubelet killed at the end of a shortened grace (before the deadline),
 * and how many were still running at the deadline (killed by the instance going away: SIGTERM plus
 * min(shutdown, grace) after the deadline, or no SIGTERM at all), counted from the eviction on the
 * server; `_kubelet_view` counts from when the kubelet simulator saw it (its watch lags under CPU
 * starvation: `kubelet_lag_ms_max`, which the scaled 0.5 s margin cannot absorb as 5 s would).
 * `pods_in_api_at_deadline` counts pods
 * whose deletion the (in-process, CPU-starved) kubelet simulator had not yet completed. The same pods
 * drained by `kubectl drain --timeout=12s` on another node give the baseline.
 */
import type { KubeletSimulator } from '../src/sandbox/kubelet.js';
import { benchActuator, kubectlDrain, seedNode, startBenchEnv, type BenchEnv } from './drain-support.js';
import { loadAvg1 } from './bench-args.js';

const PODS = 110;
const SCALE = 10;
const DEADLINE_MS = 120_000 / SCALE;

function graceOf(i: number): number {
  return Math.round(3 + (i * 27) / (PODS - 1)); // 30–300 s, scaled
}

async function prepare(env: BenchEnv, node: string): Promise<void> {
  await seedNode(
    env,
    node,
    Array.from({ length: PODS }, (_, i) => ({
      name: `${node}-${i}`,
      app: `app${i % 5}`,
      graceSeconds: graceOf(i),
      shutdownMs: graceOf(i) * 1000,
      ...(i % 11 === 0 ? { priority: 2_000_000_000 } : {}),
    })),
  );
  await new Promise((r) => setTimeout(r, 50));
  await env.kubelet.idle();
}

interface Tally {
  sigterm_full_grace: number;
  sigterm_shortened_grace: number;
  killed_at_shortened_grace: number;
  killed_by_instance: number;
  killed_by_instance_kubelet_view: number;
  kubelet_lag_ms_max: number;
  pods_in_api_at_deadline: number;
}

/** Records when the API server set each pod's deletionTimestamp (the eviction), by UID. */
function watchEvictions(env: BenchEnv): Map<string, number> {
  const at = new Map<string, number>();
  env.sim.store.subscribe((storage, ev) => {
    const meta = ev.entry.obj.metadata;
    if (storage === 'pods' && meta.deletionTimestamp !== undefined && !at.has(meta.uid ?? '')) {
      at.set(meta.uid ?? '', Date.now());
    }
  });
  return at;
}

function tally(
  kubelet: KubeletSimulator,
  node: string,
  deadline: number,
  evictedAt: ReadonlyMap<string, number>,
): Tally {
  const seen = new Set<string>();
  const terms = kubelet.terminations().filter((t) => {
    if (t.nodeName !== node || seen.has(t.uid) || t.sigtermAt > deadline) return false;
    seen.add(t.uid);
    return true;
  });
  const index = (name: string): number => Number(name.slice(name.lastIndexOf('-') + 1));
  const full = terms.filter((t) => t.graceSeconds >= graceOf(index(t.name))).length;
  // when the containers stopped (on their own, or SIGKILL at the end of the grace), counted from the
  // eviction on the server; the kubelet simulator's own view lags by its watch delay (kubelet_lag_ms)
  const stopAt = (t: (typeof terms)[number], from: number): number =>
    from + Math.min(t.shutdownMs, t.graceSeconds * 1000);
  const stopped = terms.filter((t) => stopAt(t, evictedAt.get(t.uid) ?? t.sigtermAt) <= deadline);
  const stoppedBySim = terms.filter((t) => stopAt(t, t.sigtermAt) <= deadline);
  const lags = terms.map((t) => t.sigtermAt - (evictedAt.get(t.uid) ?? t.sigtermAt));
  const gone = terms.filter((t) => t.finishedAt !== undefined && t.finishedAt <= deadline);
  return {
    sigterm_full_grace: full,
    sigterm_shortened_grace: terms.length - full,
    killed_at_shortened_grace: stopped.filter((t) => t.killed).length,
    killed_by_instance: PODS - stopped.length,
    killed_by_instance_kubelet_view: PODS - stoppedBySim.length,
    kubelet_lag_ms_max: Math.max(0, ...lags),
    pods_in_api_at_deadline: PODS - gone.length,
  };
}

/** Runs the benchmark. Flag `--margin-ms=N`: deadline margin (default 500, the 5 s default scaled). */
export default async function drainDeadline(args: readonly string[] = []): Promise<void> {
  const marginArg = args.find((a) => a.startsWith('--margin-ms='));
  const marginMs = marginArg ? Number(marginArg.slice('--margin-ms='.length)) : 5000 / SCALE;
  const env = await startBenchEnv({ replicaSetController: false, scheduler: 'none' });
  try {
    const evictedAt = watchEvictions(env);
    await prepare(env, 'ours');
    await prepare(env, 'kubectl');
    const actuator = benchActuator(env, {
      deadlineMarginMs: marginMs,
      forceLeadMs: 15_000 / SCALE,
      drainTimeoutMs: DEADLINE_MS,
    });
    const oursDeadline = Date.now() + DEADLINE_MS;
    const kubectlDeadline = Date.now() + DEADLINE_MS;
    const [result] = await Promise.all([
      actuator.cordon('ours').then(() =>
        actuator.drain({
          nodeName: 'ours',
          kind: 'spot-interruption',
          eventId: 'ours',
          deadlineMs: oursDeadline,
          urgent: true,
          signal: new AbortController().signal,
        }),
      ),
      kubectlDrain(env, 'kubectl', DEADLINE_MS / 1000).catch(() => undefined),
    ]);
    const wait = Math.max(oursDeadline, kubectlDeadline) - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    console.log(
      JSON.stringify({
        bench: 'drain-deadline',
        load_avg: loadAvg1(),
        time_scale: `1/${SCALE}`,
        pods: PODS,
        deadline_s: 120,
        margin_ms: marginMs,
        ours: { ...tally(env.kubelet, 'ours', oursDeadline, evictedAt), result: result.result },
        kubectl: tally(env.kubelet, 'kubectl', kubectlDeadline, evictedAt),
      }),
    );
  } finally {
    await env.stop();
  }
}
