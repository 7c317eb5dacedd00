/**
 * Waits for a Deployment's replacement pod to be Ready on another node: one list, then one watch of
 * the Deployment's pods (label selector) until a replacement shows up or the time is up.
 */
import type { Clock } from '../../clock.js';
import type { KubePod } from '../kube-types.js';
import { isReplacement } from './surge-decision.js';
import type { SurgeApi } from './surge-port.js';

const RELIST_PAUSE_MS = 250;

/** What one wait looks at. */
export interface ReplacementWatch {
  readonly namespace: string;
  readonly labelSelector: string;
  /** UIDs that do not count as a replacement (pods already there, or already Ready, at the start). */
  readonly before: ReadonlySet<string>;
  readonly drainingNode: string;
  readonly untilMs: number;
}

/** Resolves true as soon as a replacement is Ready, false at `untilMs` or when the signal aborts. */
export async function waitForReplacement(
  api: SurgeApi,
  clock: Clock,
  w: ReplacementWatch,
  signal: AbortSignal,
): Promise<boolean> {
  const found = (p: KubePod): boolean => isReplacement(p, w.before, w.drainingNode);
  while (!signal.aborted && clock.now() < w.untilMs) {
    let rv: string;
    try {
      const list = await api.listSelectedPods(w.namespace, w.labelSelector, signal);
      if (list.pods.some(found)) return true;
      rv = list.resourceVersion;
    } catch {
      // transient: try again after a pause, within the time left
      await clock.sleep(RELIST_PAUSE_MS, signal).catch(() => undefined);
      continue;
    }
    const stop = new AbortController();
    const onAbort = (): void => stop.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    void clock.sleep(Math.max(0, w.untilMs - clock.now()), stop.signal).then(onAbort, () => undefined);
    let ready = false;
    const onEvent = (e: { type: string; pod: KubePod }): void => {
      if (e.type !== 'DELETED' && found(e.pod)) {
        ready = true;
        stop.abort();
      }
    };
    await api
      .watchSelectedPods(w.namespace, w.labelSelector, rv, onEvent, stop.signal)
      .catch(() => undefined);
    stop.abort();
    signal.removeEventListener('abort', onAbort);
    if (ready) return true;
    // the watch ended (server timeout, 410, error): re-list after a short pause
    if (!signal.aborted && clock.now() < w.untilMs)
      await clock.sleep(Math.min(RELIST_PAUSE_MS, w.untilMs - clock.now()), signal).catch(() => undefined);
  }
  return false;
}
