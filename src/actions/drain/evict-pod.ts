/**
 * Evicts one pod until it is evicted, gone, forced, or the drain ends. PDB refusals (429) and
 * multiple-PDB errors (500) are retried with jittered backoff honouring Retry-After; when an urgent
 * drain reaches deadline − forceLead, a still-refused pod is deleted with its shortened grace.
 */
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import {
  ConflictError,
  EvictionBlockedError,
  NotFoundError,
  NotLeader,
  ThrottledError,
  UnsupportedError,
  isRetryable,
} from '../../errors.js';
import type { Metrics } from '../../report/metrics.js';
import type { BlockingPod } from '../../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { KubePod, PodRef } from '../kube-types.js';
import type { PodApi } from '../kube-ports.js';
import { retryDelayMs } from './backoff.js';
import { graceSeconds } from './grace.js';
import type { ChangeSignal } from './change-signal.js';
import type { Semaphore } from './semaphore.js';

/** How one pod's eviction ended. */
export type EvictOutcome = 'evicted' | 'deleted' | 'forced' | 'gone' | 'blocked' | 'failed' | 'stopped';

/** What an eviction needs from its drain. */
export interface EvictContext {
  readonly pods: PodApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly options: ActuatorOptions;
  readonly semaphore: Semaphore;
  readonly random: () => number;
  readonly deadlineMs: number;
  readonly endAtMs: number;
  /** When refused pods are deleted instead (Infinity: never). */
  readonly forceAtMs: number;
  readonly signal: AbortSignal;
  /** True once the pod (this UID) has left the node. */
  readonly isGone: (uid: string) => boolean;
  /** Records why the pod is held up, or clears it (undefined). */
  readonly setBlocker: (uid: string, blocker: BlockingPod | undefined) => void;
  /**
   * Notified when a refused pod gets evicted: a budget just allowed a disruption, so the other refused
   * pods of the drain retry at once instead of sleeping out their backoff (up to retryMaxMs).
   */
  readonly budgetMoved?: ChangeSignal;
}

function refOf(pod: KubePod): PodRef {
  return { namespace: pod.namespace, name: pod.name, uid: pod.uid };
}

function blockerOf(pod: KubePod, err: EvictionBlockedError): BlockingPod {
  return {
    namespace: pod.namespace,
    name: pod.name,
    ...(err.budget !== undefined ? { pdb: err.budget } : {}),
    reason: err.multiplePdbs ? 'multiple-pdbs' : 'pdb',
    message: err.message,
  };
}

/** One eviction request (delete when `forcing`); throws the typed error of a refusal. */
export async function attempt(pod: KubePod, forcing: boolean, ctx: EvictContext): Promise<EvictOutcome> {
  // the grace is computed once a request slot is free, not before queueing for one: under a mass
  // interruption the queue can be seconds long and a stale grace would overshoot the deadline
  const graceNow = (): number =>
    graceSeconds(pod, {
      nowMs: ctx.clock.now(),
      deadlineMs: ctx.deadlineMs,
      deadlineMarginMs: ctx.options.deadlineMarginMs,
      overrideSeconds: ctx.options.podGracePeriodOverrideSeconds,
    });
  const ref = refOf(pod);
  let grace = 0;
  const send = (call: (ref: PodRef, grace: number) => Promise<void>) =>
    ctx.semaphore.run(() => {
      grace = graceNow();
      return call(ref, grace);
    });
  const log = () => ({ pod: `${pod.namespace}/${pod.name}`, graceSeconds: grace });
  if (forcing) {
    await send((r, g) => ctx.pods.deletePod(r, g));
    ctx.logger.warn(log(), 'deleted pod despite its disruption budget: deadline near');
    ctx.metrics.podsForceDeleted.inc();
    return 'forced';
  }
  try {
    await send((r, g) => ctx.pods.evictPod(r, g));
    ctx.logger.debug(log(), 'evicted pod');
    ctx.metrics.podsEvicted.inc();
    return 'evicted';
  } catch (err) {
    if (!(err instanceof UnsupportedError)) throw err;
    await send((r, g) => ctx.pods.deletePod(r, g));
    ctx.logger.info(log(), 'eviction API unavailable; deleted pod');
    ctx.metrics.podsEvicted.inc();
    return 'deleted';
  }
}

/** Runs the eviction loop for one pod. Never throws. */
export async function evictPod(pod: KubePod, ctx: EvictContext): Promise<EvictOutcome> {
  let blocked = false;
  for (let n = 0; ; n++) {
    if (ctx.signal.aborted) return 'stopped';
    if (ctx.isGone(pod.uid)) return 'gone';
    const now = ctx.clock.now();
    if (now >= ctx.endAtMs) return blocked ? 'blocked' : 'failed';
    let retryAfterMs: number | undefined;
    let refused = false;
    try {
      const outcome = await attempt(pod, blocked && now >= ctx.forceAtMs, ctx);
      // a forced pod keeps its blocker: the drain's result names the budget it was deleted past
      if (outcome !== 'forced') ctx.setBlocker(pod.uid, undefined);
      if (blocked) ctx.budgetMoved?.raise();
      return outcome;
    } catch (err) {
      if (err instanceof NotFoundError || err instanceof ConflictError) return 'gone';
      // fenced: this replica lost the lease; the new leader drains the node
      if (err instanceof NotLeader) return 'stopped';
      if (err instanceof EvictionBlockedError) {
        blocked = true;
        refused = true;
        retryAfterMs = err.retryAfterMs;
        ctx.metrics.podsBlockedByPdb.inc();
        ctx.setBlocker(pod.uid, blockerOf(pod, err));
        if (n === 0)
          ctx.logger.info({ pod: `${pod.namespace}/${pod.name}`, pdb: err.budget }, 'eviction refused');
      } else if (err instanceof ThrottledError) {
        retryAfterMs = err.retryAfterMs;
      } else if (!isRetryable(err)) {
        const message = err instanceof Error ? err.message : String(err);
        ctx.logger.error({ err, pod: `${pod.namespace}/${pod.name}` }, 'eviction failed');
        ctx.setBlocker(pod.uid, { namespace: pod.namespace, name: pod.name, reason: 'api-error', message });
        return 'failed';
      }
    }
    // refused right at or past the force time: delete now rather than after another backoff
    if (refused && ctx.clock.now() >= ctx.forceAtMs) continue;
    const delay = retryDelayMs(
      n,
      { initialMs: ctx.options.retryInitialMs, maxMs: ctx.options.retryMaxMs },
      ctx.random(),
      retryAfterMs,
    );
    let wakeAt = Math.min(ctx.clock.now() + delay, ctx.endAtMs);
    if (blocked && ctx.forceAtMs > ctx.clock.now()) wakeAt = Math.min(wakeAt, ctx.forceAtMs);
    if (refused && ctx.budgetMoved) await ctx.budgetMoved.wait(wakeAt, ctx.signal);
    else await ctx.clock.sleep(Math.max(0, wakeAt - ctx.clock.now()), ctx.signal).catch(() => undefined);
  }
}
