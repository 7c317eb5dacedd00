/**
 * Kubelet simulator: a separate API client (works against the simulator or a real API server) that
 * keeps its nodes Ready and heartbeats them (kubelet-node-keeper.ts), runs new pods (Running + Ready
 * through pods/status) and finishes terminating pods after their simulated shutdown time, capped by the
 * grace period (then it "kills" them), with grace 0 deletes.
 */
import * as k8s from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { closeKeepAlive, kubeConfigForUrl, withKeepAlive } from './kube-api/client-config.js';
import { Limiter } from './kube-api/limiter.js';
import { podRunningStatus } from './kube-api/kubelet-status.js';
import { NodeKeeper } from './kubelet-node-keeper.js';
import { startWatchLoop, type WatchLoop } from './kubelet-watch-loop.js';

/** User-Agent of the kubelet simulator's API calls (tests tell its requests from the daemon's). */
export const KUBELET_USER_AGENT = 'spot-handler-kubelet-simulator';

/** Annotation with a pod's simulated shutdown time in milliseconds. */
export const SHUTDOWN_MS_ANNOTATION = 'sandbox.spot-handler/shutdown-ms';

/** Options for `startKubeletSimulator`. */
export interface KubeletSimulatorOptions {
  /** Client configuration; or give `url` for a plain-HTTP server. */
  readonly kubeConfig?: k8s.KubeConfig;
  readonly url?: string;
  /** Nodes this kubelet runs (default: every node, or those `ownsNode` accepts). */
  readonly nodeNames?: readonly string[];
  /** Which nodes this kubelet runs, when not listed by `nodeNames`. */
  readonly ownsNode?: (nodeName: string) => boolean;
  /** Node heartbeat period (default 5000 ms; 0: none). A real control plane needs one every < 40 s. */
  readonly heartbeatMs?: number;
  readonly logger?: Logger;
  /** Shutdown time of pods without the annotation (default 1000 ms). */
  readonly defaultShutdownMs?: number;
  /** Delay before a new pod is reported Running + Ready (default 0). */
  readonly startDelayMs?: number;
  /** Keep nodes Ready: status (capacity, Ready) and remove the not-ready taint (default true). */
  readonly manageNodes?: boolean;
  /** API calls in flight at most (default 64). */
  readonly concurrency?: number;
  readonly clock?: Clock;
}

/** What happened to one terminating pod (for benchmarks). */
export interface PodTermination {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  readonly nodeName: string;
  /** When the kubelet saw the deletionTimestamp (SIGTERM), epoch ms. */
  readonly sigtermAt: number;
  /** When the containers stopped and the grace-0 delete was sent, epoch ms. */
  finishedAt?: number;
  /** True when the pod's shutdown outlived its grace period and it was killed at the cap. */
  killed: boolean;
  readonly shutdownMs: number;
  graceSeconds: number;
}

/** A running kubelet simulator. */
export interface KubeletSimulator {
  /** Terminations seen so far (in SIGTERM order). */
  terminations(): readonly PodTermination[];
  /** Pods this kubelet has marked Running + Ready (namespace/name). */
  readonly started: ReadonlySet<string>;
  /** Resolves when the initial node status patches and the first watch are done. */
  readonly ready: Promise<void>;
  /** Resolves once no API call of this kubelet is running or queued (polls every 10 ms). */
  idle(): Promise<void>;
  /** Stops watches and timers; pending terminations are dropped. */
  stop(): Promise<void>;
}

interface Tracked {
  record: PodTermination;
  timer: NodeJS.Timeout;
  deadline: number;
  /** The grace-0 delete went out; kept until the DELETED event so its echo adds no second record. */
  done: boolean;
}

/** Starts the kubelet simulator. */
export async function startKubeletSimulator(options: KubeletSimulatorOptions): Promise<KubeletSimulator> {
  const base = options.kubeConfig ?? (options.url ? kubeConfigForUrl(options.url) : undefined);
  if (!base) throw new Error('startKubeletSimulator needs kubeConfig or url');
  const kubelet = new Kubelet(withKeepAlive(base, KUBELET_USER_AGENT), options);
  await kubelet.start();
  return kubelet;
}

class Kubelet implements KubeletSimulator {
  readonly started = new Set<string>();
  ready: Promise<void> = Promise.resolve();
  private readonly core: k8s.CoreV1Api;
  private readonly clock: Clock;
  private readonly limiter: Limiter;
  private readonly records: PodTermination[] = [];
  private readonly tracked = new Map<string, Tracked>();
  private readonly watches: WatchLoop[] = [];
  private readonly nodeSet: ReadonlySet<string> | undefined;
  private readonly nodes: NodeKeeper;
  private stopped = false;
  private podIndex = 1;

  constructor(
    private readonly kc: k8s.KubeConfig,
    private readonly options: KubeletSimulatorOptions,
  ) {
    this.core = kc.makeApiClient(k8s.CoreV1Api);
    this.clock = options.clock ?? systemClock;
    this.limiter = new Limiter(options.concurrency ?? 64);
    this.nodeSet = options.nodeNames ? new Set(options.nodeNames) : undefined;
    this.nodes = new NodeKeeper(this.core, this.limiter, this.clock, (n) => this.mine(n), options.logger);
  }

  terminations(): readonly PodTermination[] {
    return this.records;
  }

  async start(): Promise<void> {
    const watch = (path: string, query: Record<string, string>, on: (t: string, o: unknown) => void) => {
      const loop = startWatchLoop(this.kc, path, query, on, this.options.logger);
      this.watches.push(loop);
      return loop.opened;
    };
    const tasks: Promise<void>[] = [];
    if (this.options.manageNodes ?? true) {
      tasks.push(watch('/api/v1/nodes', {}, (t, o) => this.nodes.onNode(t, o as k8s.V1Node)));
      this.nodes.startHeartbeat(this.options.heartbeatMs ?? 5000);
    }
    const one = this.options.nodeNames?.length === 1 ? this.options.nodeNames[0] : undefined;
    const podQuery: Record<string, string> =
      one !== undefined ? { fieldSelector: `spec.nodeName=${one}` } : {};
    tasks.push(watch('/api/v1/pods', podQuery, (t, o) => this.onPod(t, o as k8s.V1Pod)));
    this.ready = Promise.all(tasks).then(() => this.limiter.run(async () => undefined));
    await this.ready;
  }

  private mine(nodeName: string | undefined): boolean {
    if (!nodeName) return false;
    if (this.nodeSet) return this.nodeSet.has(nodeName);
    return this.options.ownsNode?.(nodeName) ?? true;
  }

  private onPod(type: string, pod: k8s.V1Pod): void {
    const meta = pod.metadata ?? {};
    const key = `${meta.namespace ?? ''}/${meta.name ?? ''}`;
    if (!this.mine(pod.spec?.nodeName)) return;
    if (type === 'DELETED') {
      const t = this.tracked.get(key);
      if (t && t.record.uid === meta.uid) {
        clearTimeout(t.timer);
        this.tracked.delete(key);
      }
      this.started.delete(key);
      return;
    }
    if (meta.deletionTimestamp) this.terminate(key, pod);
    else if (pod.status?.phase === 'Pending' && !this.started.has(key)) this.run(key, pod);
  }

  private run(key: string, pod: k8s.V1Pod): void {
    this.started.add(key);
    const index = this.podIndex++;
    const go = (): void =>
      void this.limiter
        .run(async () => {
          const now = new Date(this.clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
          const body = { status: podRunningStatus(pod, now, index) };
          const strategic = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
          await this.core.patchNamespacedPodStatus(
            { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', body },
            strategic,
          );
        })
        .catch((err: unknown) => {
          this.started.delete(key);
          this.options.logger?.debug({ err, pod: key }, 'kubelet could not start pod');
        });
    const delay = this.options.startDelayMs ?? 0;
    if (delay > 0) setTimeout(go, delay);
    else go();
  }

  private terminate(key: string, pod: k8s.V1Pod): void {
    const meta = pod.metadata ?? {};
    const graceSeconds = meta.deletionGracePeriodSeconds ?? 0;
    const now = this.clock.now();
    const existing = this.tracked.get(key);
    if (existing && existing.record.uid === meta.uid) {
      if (existing.done) return; // our own grace-0 delete coming back
      // a shorter grace period (a second delete) pulls the kill forward
      const deadline = Math.min(existing.deadline, now + graceSeconds * 1000);
      if (deadline < existing.deadline) this.schedule(key, pod, existing.record, deadline);
      return;
    }
    const annotated = Number(meta.annotations?.[SHUTDOWN_MS_ANNOTATION]);
    const shutdownMs =
      Number.isFinite(annotated) && annotated >= 0 ? annotated : (this.options.defaultShutdownMs ?? 1000);
    const record: PodTermination = {
      namespace: meta.namespace ?? '',
      name: meta.name ?? '',
      uid: meta.uid ?? '',
      nodeName: pod.spec?.nodeName ?? '',
      sigtermAt: now,
      killed: false,
      shutdownMs,
      graceSeconds,
    };
    this.records.push(record);
    this.schedule(key, pod, record, now + Math.min(shutdownMs, graceSeconds * 1000));
  }

  private schedule(key: string, pod: k8s.V1Pod, record: PodTermination, deadline: number): void {
    const previous = this.tracked.get(key);
    if (previous) clearTimeout(previous.timer);
    record.killed = deadline < record.sigtermAt + record.shutdownMs;
    const timer = setTimeout(
      () => void this.finish(key, pod, record),
      Math.max(0, deadline - this.clock.now()),
    );
    this.tracked.set(key, { record, timer, deadline, done: false });
  }

  private async finish(key: string, pod: k8s.V1Pod, record: PodTermination): Promise<void> {
    if (this.stopped) return;
    try {
      await this.limiter.run(() => {
        record.finishedAt ??= this.clock.now();
        return this.core.deleteNamespacedPod({
          name: record.name,
          namespace: record.namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: record.uid } },
        });
      });
    } catch (err) {
      const code = (err as { code?: number }).code;
      if (code !== 404 && code !== 409) {
        this.options.logger?.warn({ err, pod: key }, 'kubelet could not finish pod; retrying');
        if (!this.stopped) setTimeout(() => void this.finish(key, pod, record), 500);
        return;
      }
    }
    const t = this.tracked.get(key);
    if (t && t.record === record) t.done = true;
  }

  async idle(): Promise<void> {
    while (this.limiter.size > 0) await new Promise((r) => setTimeout(r, 10));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.nodes.stop();
    for (const w of this.watches) w.stop();
    for (const t of this.tracked.values()) clearTimeout(t.timer);
    this.tracked.clear();
    closeKeepAlive(this.kc);
  }
}
