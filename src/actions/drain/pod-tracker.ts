/**
 * Knows which pods are still on the node, from one watch per drain (field selector spec.nodeName),
 * re-listing when the watch ends or fails (410 Gone included). Pods are keyed by UID, so a replacement
 * with the same name counts as a different pod and the original as gone.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import type { KubePod, PodList, PodWatchEvent } from '../kube-types.js';
import type { PodApi } from '../kube-ports.js';
import { ChangeSignal } from './change-signal.js';

const RELIST_BACKOFF_MS = [0, 100, 250, 500, 1000, 2000];

/** The live set of pods on one node. */
export class PodTracker {
  /** Wakes on every change seen. */
  readonly changed: ChangeSignal;
  private readonly present = new Map<string, KubePod>();
  private readonly stopper = new AbortController();
  private resourceVersion = '';
  private loop: Promise<void> | undefined;

  constructor(
    private readonly pods: PodApi,
    private readonly nodeName: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.changed = new ChangeSignal(clock);
    setMaxListeners(0, this.stopper.signal);
  }

  /** Seeds the set from a list and starts watching from its resourceVersion. */
  start(list: PodList): void {
    this.apply(list);
    this.loop ??= this.watchLoop();
  }

  /** Lists again and replaces the view (after the watch ends or fails). */
  async relist(): Promise<PodList> {
    const list = await this.pods.listPods(this.nodeName, this.stopper.signal);
    this.apply(list);
    return list;
  }

  /** The pods on the node now, as the list and the watch since have shown them. */
  onNode(): KubePod[] {
    return [...this.present.values()];
  }

  /** True while a pod with this UID is on the node. */
  has(uid: string): boolean {
    return this.present.has(uid);
  }

  /** The latest copy of a pod, when present. */
  get(uid: string): KubePod | undefined {
    return this.present.get(uid);
  }

  /** Stops the watch and waits for its loop to end. */
  async stop(): Promise<void> {
    this.stopper.abort();
    await this.loop;
  }

  private apply(list: PodList): void {
    this.present.clear();
    for (const pod of list.pods) this.present.set(pod.uid, pod);
    this.resourceVersion = list.resourceVersion;
    this.changed.raise();
  }

  private onEvent(event: PodWatchEvent): void {
    if (event.resourceVersion) this.resourceVersion = event.resourceVersion;
    if (event.type === 'DELETED') this.present.delete(event.pod.uid);
    else if (event.pod.nodeName === undefined || event.pod.nodeName === this.nodeName) {
      this.present.set(event.pod.uid, event.pod);
    }
    this.changed.raise();
  }

  private async watchLoop(): Promise<void> {
    const signal = this.stopper.signal;
    let failures = 0;
    while (!signal.aborted) {
      const startedAt = this.clock.now();
      try {
        await this.pods.watchPods(this.nodeName, this.resourceVersion, (e) => this.onEvent(e), signal);
        // a watch the server closes at once is treated like a failure, so it cannot spin
        failures = this.clock.now() - startedAt < 1000 ? failures + 1 : 0;
      } catch (err) {
        if (signal.aborted) break;
        failures++;
        this.logger.debug({ err, node: this.nodeName }, 'pod watch failed; re-listing');
      }
      if (signal.aborted) break;
      const pause = RELIST_BACKOFF_MS[Math.min(failures, RELIST_BACKOFF_MS.length - 1)] ?? 0;
      if (pause > 0) await this.clock.sleep(pause, signal).catch(() => undefined);
      if (signal.aborted) break;
      await this.relist().catch((err: unknown) => {
        failures++;
        this.logger.debug({ err, node: this.nodeName }, 'pod re-list failed');
      });
    }
  }
}
