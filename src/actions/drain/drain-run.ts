/**
 * One drain of one node: list, filter, evict tier by tier, wait for the pods to go (one watch), re-list
 * once to catch pods that raced the cordon, and report what is left and why.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { isRetryable } from '../../errors.js';
import type { Metrics } from '../../report/metrics.js';
import type { BlockingPod, DrainRequest, DrainResult } from '../../pipeline/node-actuator-port.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { KubePod, PodList } from '../kube-types.js';
import type { PodApi } from '../kube-ports.js';
import { retryDelayMs } from './backoff.js';
import { evictPod, type EvictContext, type EvictOutcome } from './evict-pod.js';
import { requestedGraceSeconds, terminatesInTime } from './grace.js';
import {
  decidePod,
  daemonSetKey,
  refusalMessage,
  refusals,
  REFUSAL_TEXT,
  type RefusalReason,
} from './pod-filters.js';
import { tierPods } from './pod-tiers.js';
import { ChangeSignal } from './change-signal.js';
import { PodTracker } from './pod-tracker.js';
import type { Semaphore } from './semaphore.js';
import type { SurgeCoordinator } from './surge-coordinator.js';
import { SurgeEvictor } from './surge-evictor.js';

/** What a drain run is built from. */
export interface DrainDeps {
  readonly pods: PodApi;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly options: ActuatorOptions;
  readonly semaphore: Semaphore;
  readonly random: () => number;
  /** Surge-before-evict, when the daemon can read Deployments (docs/surge-before-evict.md). */
  readonly surge?: SurgeCoordinator;
}

/** The drain result without its duration (the drainer adds it). */
export type DrainOutcome = Omit<DrainResult, 'durationMs'>;

const MAX_PASSES = 3;
const NO_HOPE: ReadonlySet<EvictOutcome | undefined> = new Set(['blocked', 'failed', 'stopped']);
const BLOCKING: ReadonlySet<BlockingPod['reason']> = new Set(['pdb', 'multiple-pdbs', 'do-not-disrupt']);
const REFUSED: ReadonlySet<BlockingPod['reason']> = new Set<RefusalReason>(['daemonset', 'local-storage']);

/** One drain of one node. Create, `execute()` once. */
export class DrainRun {
  private readonly tracker: PodTracker;
  private readonly stopper = new AbortController();
  private readonly endAtMs: number;
  private readonly waited = new Map<string, KubePod>();
  private readonly heldBack = new Map<string, KubePod>();
  private readonly blockers = new Map<string, BlockingPod>();
  private readonly outcomes = new Map<string, EvictOutcome>();
  private readonly tasks: Promise<void>[] = [];
  private readonly budgetMoved: ChangeSignal;
  private readonly surge: SurgeEvictor | undefined;
  private evicted = 0;
  private forced = 0;

  constructor(
    private readonly deps: DrainDeps,
    private readonly request: DrainRequest,
  ) {
    this.endAtMs = deps.clock.now() + deps.options.drainTimeoutMs;
    // every pod's backoff sleep listens on this signal: hundreds of pods are normal
    setMaxListeners(0, this.stopper.signal);
    this.tracker = new PodTracker(deps.pods, request.nodeName, deps.clock, deps.logger);
    this.budgetMoved = new ChangeSignal(deps.clock);
    this.surge = deps.surge ? new SurgeEvictor(deps.surge, deps.metrics.surges, request.nodeName) : undefined;
  }

  /** Runs the drain to its end. Throws only when the pods cannot even be listed. */
  async execute(): Promise<DrainOutcome> {
    const onAbort = (): void => this.stopper.abort();
    this.request.signal.addEventListener('abort', onAbort, { once: true });
    try {
      const list = await this.listWithRetry();
      if (this.deps.options.dryRun) return await this.dryRun(list);
      this.tracker.start(list);
      let pods = list.pods;
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const acted = await this.pass(pods);
        await this.waitAll();
        if (!acted || this.timeUp()) break;
        pods = (await this.tracker.relist()).pods;
      }
      return this.outcome();
    } finally {
      this.request.signal.removeEventListener('abort', onAbort);
      this.stopper.abort();
      await Promise.allSettled(this.tasks);
      await this.tracker.stop();
    }
  }

  private timeUp(): boolean {
    return this.stopper.signal.aborted || this.deps.clock.now() >= this.endAtMs;
  }

  private async listWithRetry(): Promise<PodList> {
    for (let n = 0; ; n++) {
      try {
        return await this.deps.pods.listPods(this.request.nodeName, this.stopper.signal);
      } catch (err) {
        if (!isRetryable(err) || this.timeUp()) throw err;
        const delay = retryDelayMs(n, { initialMs: 200, maxMs: 2000 }, this.deps.random());
        await this.deps.clock.sleep(delay, this.stopper.signal).catch(() => undefined);
      }
    }
  }

  private async orphanedDaemonSets(pods: readonly KubePod[]): Promise<Set<string>> {
    const orphaned = new Set<string>();
    const keys = new Set(pods.map(daemonSetKey).filter((k): k is string => k !== undefined));
    await Promise.all(
      [...keys].map(async (key) => {
        const [namespace = '', name = ''] = key.split('/');
        // an error reading the DaemonSet leaves its pods alone (the safe side)
        const exists = await this.deps.pods.daemonSetExists(namespace, name).catch(() => true);
        if (!exists) orphaned.add(key);
      }),
    );
    return orphaned;
  }

  /** Classifies the pods not seen before and evicts them tier by tier. True when it acted on any. */
  private async pass(listed: readonly KubePod[]): Promise<boolean> {
    const { options } = this.deps;
    const fresh = listed.filter((p) => !this.waited.has(p.uid) && !this.heldBack.has(p.uid));
    const orphaned = await this.orphanedDaemonSets(fresh);
    const decided = fresh.map((pod) => ({
      pod,
      decision: decidePod(pod, this.request.nodeName, options, orphaned),
    }));
    // kubectl: a refused pod fails the drain before anything is evicted
    if (this.refuse(decided)) return false;
    const toEvict: KubePod[] = [];
    let acted = false;
    for (const { pod, decision } of decided) {
      if (decision.action === 'skip' || decision.action === 'refuse') continue;
      acted = true;
      this.waited.set(pod.uid, pod);
      if (decision.action === 'delete') this.track(this.deleteTerminal(pod));
      else if (!terminatesInTime(pod, this.request.deadlineMs, options.deadlineMarginMs)) toEvict.push(pod);
    }
    const { tiers, doNotDisrupt } = tierPods(toEvict, this.request.urgent, options.criticalPriorityThreshold);
    for (const pod of doNotDisrupt) {
      this.waited.delete(pod.uid);
      this.heldBack.set(pod.uid, pod);
      this.blockers.set(pod.uid, {
        namespace: pod.namespace,
        name: pod.name,
        reason: 'do-not-disrupt',
        message: 'pod is marked do-not-disrupt; not evicted for a non-urgent drain',
      });
    }
    const context = this.evictContext();
    for (const [i, { pods }] of tiers.entries()) {
      for (const pod of pods) this.track(this.evictTask(pod, context));
      const later = tiers.slice(i + 1).flatMap((t) => t.pods);
      if (later.length > 0) await this.waitTier(pods, later);
    }
    this.deps.logger.debug(
      { node: this.request.nodeName, pods: fresh.length, tiers: tiers.length },
      'drain pass',
    );
    return acted;
  }

  /** Holds back the pods the filters refuse and names them as blockers; true when there were any. */
  private refuse(decided: readonly { pod: KubePod; decision: ReturnType<typeof decidePod> }[]): boolean {
    let refused = 0;
    for (const { pod, decision } of decided) {
      if (decision.action !== 'refuse') continue;
      refused++;
      this.heldBack.set(pod.uid, pod);
      this.blockers.set(pod.uid, {
        namespace: pod.namespace,
        name: pod.name,
        reason: decision.reason,
        message: REFUSAL_TEXT[decision.reason],
      });
      this.deps.metrics.podsRefused.inc({ reason: decision.reason });
    }
    return refused > 0;
  }

  private track(task: Promise<void>): void {
    this.tasks.push(task);
  }

  private async deleteTerminal(pod: KubePod): Promise<void> {
    const ref = { namespace: pod.namespace, name: pod.name, uid: pod.uid };
    await this.deps.semaphore
      .run(() => this.deps.pods.deletePod(ref, 0))
      .catch((err: unknown) => {
        this.deps.logger.debug({ err, pod: `${pod.namespace}/${pod.name}` }, 'deleting terminal pod failed');
      });
  }

  private evictContext(): EvictContext {
    const { options } = this.deps;
    const forcing = this.request.urgent && options.forceAtDeadline;
    return {
      ...this.deps,
      deadlineMs: this.request.deadlineMs,
      endAtMs: this.endAtMs,
      forceAtMs: forcing ? this.request.deadlineMs - options.forceLeadMs : Infinity,
      signal: this.stopper.signal,
      isGone: (uid) => !this.tracker.has(uid),
      budgetMoved: this.budgetMoved,
      setBlocker: (uid, blocker) => {
        if (blocker) this.blockers.set(uid, blocker);
        else this.blockers.delete(uid);
        this.tracker.changed.raise();
      },
      logger: this.deps.logger.child({ node: this.request.nodeName }),
    };
  }

  private async evictTask(pod: KubePod, context: EvictContext): Promise<void> {
    const outcome = this.surge ? await this.surge.evict(pod, context) : await evictPod(pod, context);
    this.outcomes.set(pod.uid, outcome);
    if (outcome === 'evicted' || outcome === 'deleted') this.evicted++;
    if (outcome === 'forced') this.forced++;
    this.tracker.changed.raise();
  }

  /** Waits until the tier is gone, or every pod left in it is held up, or later tiers need the time left. */
  private async waitTier(tier: readonly KubePod[], later: readonly KubePod[]): Promise<void> {
    const { options } = this.deps;
    const longest = Math.max(
      ...later.map((p) => requestedGraceSeconds(p, options.podGracePeriodOverrideSeconds)),
    );
    const startLaterAt = this.request.deadlineMs - options.deadlineMarginMs - longest * 1000;
    for (;;) {
      const pending = tier.filter((p) => this.tracker.has(p.uid));
      if (pending.every((p) => this.blockers.has(p.uid) || NO_HOPE.has(this.outcomes.get(p.uid)))) return;
      if (this.timeUp() || this.deps.clock.now() >= startLaterAt) return;
      await this.tracker.changed.wait(Math.min(startLaterAt, this.endAtMs), this.stopper.signal);
    }
  }

  /** Waits until every pod acted on is gone, or nothing more can happen, or the drain times out. */
  private async waitAll(): Promise<void> {
    for (;;) {
      const remaining = [...this.waited.values()].filter((p) => this.tracker.has(p.uid));
      if (remaining.every((p) => NO_HOPE.has(this.outcomes.get(p.uid)))) return;
      if (this.timeUp()) return;
      await this.tracker.changed.wait(this.endAtMs, this.stopper.signal);
    }
  }

  private outcome(): DrainOutcome {
    const remaining = [...this.waited.values(), ...this.heldBack.values()].filter((p) =>
      this.tracker.has(p.uid),
    );
    const blockedBy = remaining.map(
      (p): BlockingPod =>
        this.blockers.get(p.uid) ?? {
          namespace: p.namespace,
          name: p.name,
          reason: 'slow-termination',
          message: `pod still terminating (outcome ${this.outcomes.get(p.uid) ?? 'waiting'})`,
        },
    );
    let result: DrainResult['result'] = this.forced > 0 ? 'forced' : 'succeeded';
    if (remaining.length > 0) {
      if (blockedBy.some((b) => REFUSED.has(b.reason))) result = 'failed';
      else if (blockedBy.some((b) => BLOCKING.has(b.reason))) result = 'blocked';
      else if (blockedBy.some((b) => b.reason === 'api-error')) result = 'failed';
      else result = 'timed_out';
    }
    const refused = refusalMessage(refusals(blockedBy));
    return {
      result,
      podsEvicted: this.evicted,
      podsForceDeleted: this.forced,
      podsRemaining: remaining.length,
      blockedBy,
      ...(refused ? { error: refused } : {}),
      ...(this.surge && this.surge.reports().length > 0 ? { surges: this.surge.reports() } : {}),
      pods: [...this.waited.values(), ...this.heldBack.values()].map((p) => `${p.namespace}/${p.name}`),
    };
  }

  private async dryRun(list: PodList): Promise<DrainOutcome> {
    const { options, logger } = this.deps;
    const orphaned = await this.orphanedDaemonSets(list.pods);
    const planned: KubePod[] = [];
    const refused: BlockingPod[] = [];
    for (const pod of list.pods) {
      const decision = decidePod(pod, this.request.nodeName, options, orphaned);
      logger.info(
        { pod: `${pod.namespace}/${pod.name}`, ...decision, dryRun: true },
        'dry run: would act on pod',
      );
      if (decision.action === 'refuse') {
        refused.push({
          namespace: pod.namespace,
          name: pod.name,
          reason: decision.reason,
          message: REFUSAL_TEXT[decision.reason],
        });
      } else if (decision.action !== 'skip') planned.push(pod);
    }
    const { doNotDisrupt } = tierPods(planned, this.request.urgent, options.criticalPriorityThreshold);
    const blockedBy = doNotDisrupt.map((p): BlockingPod => ({
      namespace: p.namespace,
      name: p.name,
      reason: 'do-not-disrupt',
      message: 'dry run',
    }));
    return {
      result: refused.length > 0 ? 'failed' : 'succeeded',
      podsEvicted: 0,
      podsForceDeleted: 0,
      podsRemaining: planned.length + refused.length,
      blockedBy: [...refused, ...blockedBy],
      ...(refused.length > 0 ? { error: refusalMessage(refusals(refused)) } : {}),
    };
  }
}
