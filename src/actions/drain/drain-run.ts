/**
 * One drain of one node: list, filter, evict tier by tier, wait for the pods to go (one watch), act on
 * the pods the watch saw arrive (they raced the cordon), and report what is left and why (drain-outcome.ts). Its
 * terms are live: a stronger event tightens them in place (the pods still waiting get the shorter
 * budget, held-back do-not-disrupt pods go when the drain turns urgent); evictions done stand.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { isRetryable } from '../../errors.js';
import type { Metrics } from '../../report/metrics.js';
import type { BlockingPod, DrainRequest } from '../../pipeline/node-actuator-port.js';
import type { DrainTermsValue } from '../../pipeline/drain-terms.js';
import type { ActuatorOptions } from '../actuator-options.js';
import type { KubePod, PodList } from '../kube-types.js';
import type { PodApi } from '../kube-ports.js';
import { retryDelayMs } from './backoff.js';
import { evictPod, type EvictContext, type EvictOutcome } from './evict-pod.js';
import { requestedGraceSeconds } from './grace.js';
import { planPass } from './drain-pass.js';
import { drainOutcome, type DrainOutcome } from './drain-outcome.js';
import { dryRunDrain } from './drain-dry-run.js';
import { orphanedDaemonSets } from './orphaned-daemonsets.js';
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

const MAX_PASSES = 3;
const NO_HOPE: ReadonlySet<EvictOutcome | undefined> = new Set(['blocked', 'failed', 'stopped']);

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
  /** The live terms: a stronger event merged into the node action moves them (tighten). */
  private deadlineMs: number;
  private urgent: boolean;

  constructor(
    private readonly deps: DrainDeps,
    private readonly request: DrainRequest,
  ) {
    this.endAtMs = deps.clock.now() + deps.options.drainTimeoutMs;
    this.deadlineMs = request.terms?.current.deadlineMs ?? request.deadlineMs;
    this.urgent = request.terms?.current.urgent ?? request.urgent;
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
    const unsubscribe = this.request.terms?.subscribe((terms) => this.tighten(terms));
    try {
      const list = await this.listWithRetry();
      if (this.deps.options.dryRun) return await this.dryRun(list);
      this.tracker.start(list);
      let pods = list.pods;
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        const acted = await this.pass(pods);
        await this.waitAll();
        if (!acted || this.timeUp()) break;
        // pods that raced the cordon: the watch (from the list's resourceVersion, re-listing itself
        // when it fails) has shown every pod bound since, so its view is as fresh as a new list, and
        // costs no request (a list of the node's pods at the end was ~5% of a drain of 110 pods)
        pods = this.tracker.onNode();
      }
      // turned urgent after the last wait: the held-back pods still go
      if (this.releaseDoNotDisrupt()) await this.waitAll();
      return this.outcome();
    } finally {
      unsubscribe?.();
      this.request.signal.removeEventListener('abort', onAbort);
      this.stopper.abort();
      await Promise.allSettled(this.tasks);
      await this.tracker.stop();
    }
  }

  /** New terms from a stronger event: waits and backoffs recompute against them at once. */
  private tighten(terms: DrainTermsValue): void {
    this.deadlineMs = terms.deadlineMs;
    this.urgent = terms.urgent;
    this.deps.logger.info(
      {
        kind: terms.kind,
        eventId: terms.eventId,
        deadline: new Date(terms.deadlineMs).toISOString(),
        urgent: terms.urgent,
      },
      'drain upgraded in place',
    );
    this.budgetMoved.raise(); // refused pods: the force time may have come closer
    this.tracker.changed.raise(); // tier and final waits: the deadline moved
  }

  /** An urgent drain evicts the do-not-disrupt pods a non-urgent one held back; true when there were any. */
  private releaseDoNotDisrupt(): boolean {
    if (!this.urgent) return false;
    const released = [...this.heldBack.values()].filter(
      (p) => this.blockers.get(p.uid)?.reason === 'do-not-disrupt',
    );
    if (released.length === 0) return false;
    const context = this.evictContext();
    for (const pod of released) {
      this.heldBack.delete(pod.uid);
      this.blockers.delete(pod.uid);
      this.waited.set(pod.uid, pod);
      this.track(this.evictTask(pod, context));
    }
    return true;
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

  /** Classifies the pods not seen before and evicts them tier by tier. True when it acted on any. */
  private async pass(listed: readonly KubePod[]): Promise<boolean> {
    const { options, metrics } = this.deps;
    const fresh = listed.filter((p) => !this.waited.has(p.uid) && !this.heldBack.has(p.uid));
    const orphaned = await orphanedDaemonSets(fresh, this.deps.pods);
    const { nodeName } = this.request;
    const plan = planPass(
      fresh,
      { nodeName, deadlineMs: this.deadlineMs, urgent: this.urgent, orphaned },
      options,
    );
    for (const { pod, blocker, reason } of plan.refused) {
      this.heldBack.set(pod.uid, pod);
      this.blockers.set(pod.uid, blocker);
      metrics.podsRefused.inc({ reason });
    }
    // kubectl: a refused pod fails the drain before anything is evicted
    if (plan.refused.length > 0) return false;
    for (const { pod, blocker } of plan.heldBack) {
      this.heldBack.set(pod.uid, pod);
      this.blockers.set(pod.uid, blocker);
    }
    const evicted = plan.tiers.flatMap((t) => t.pods);
    for (const pod of [...plan.terminal, ...plan.terminating, ...evicted]) this.waited.set(pod.uid, pod);
    for (const pod of plan.terminal) this.track(this.deleteTerminal(pod));
    const context = this.evictContext();
    for (const [i, { pods }] of plan.tiers.entries()) {
      for (const pod of pods) this.track(this.evictTask(pod, context));
      const later = plan.tiers.slice(i + 1).flatMap((t) => t.pods);
      if (later.length > 0) await this.waitTier(pods, later);
    }
    this.releaseDoNotDisrupt(); // the drain turned urgent during the tiers
    this.deps.logger.debug({ node: nodeName, pods: fresh.length, tiers: plan.tiers.length }, 'drain pass');
    return plan.terminal.length + plan.terminating.length + evicted.length + plan.heldBack.length > 0;
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

  /** When refused pods are deleted instead (Infinity: never). */
  private forceAtMs(): number {
    const { options } = this.deps;
    return this.urgent && options.forceAtDeadline ? this.deadlineMs - options.forceLeadMs : Infinity;
  }

  private evictContext(): EvictContext {
    // deadline and force time are read live: a stronger event tightens them mid-eviction
    const live = { deadlineMs: (): number => this.deadlineMs, forceAtMs: (): number => this.forceAtMs() };
    return {
      ...this.deps,
      get deadlineMs(): number {
        return live.deadlineMs();
      },
      get forceAtMs(): number {
        return live.forceAtMs();
      },
      endAtMs: this.endAtMs,
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
    for (;;) {
      const startLaterAt = this.deadlineMs - options.deadlineMarginMs - longest * 1000;
      const pending = tier.filter((p) => this.tracker.has(p.uid));
      if (pending.every((p) => this.blockers.has(p.uid) || NO_HOPE.has(this.outcomes.get(p.uid)))) return;
      if (this.timeUp() || this.deps.clock.now() >= startLaterAt) return;
      await this.tracker.changed.wait(Math.min(startLaterAt, this.endAtMs), this.stopper.signal);
    }
  }

  /** Waits until every pod acted on is gone, or nothing more can happen, or the drain times out. */
  private async waitAll(): Promise<void> {
    for (;;) {
      this.releaseDoNotDisrupt();
      const remaining = [...this.waited.values()].filter((p) => this.tracker.has(p.uid));
      if (remaining.every((p) => NO_HOPE.has(this.outcomes.get(p.uid)))) return;
      if (this.timeUp()) return;
      await this.tracker.changed.wait(this.endAtMs, this.stopper.signal);
    }
  }

  private outcome(): DrainOutcome {
    return drainOutcome({
      waited: this.waited,
      heldBack: this.heldBack,
      blockers: this.blockers,
      outcomes: this.outcomes,
      present: (uid) => this.tracker.has(uid),
      evicted: this.evicted,
      forced: this.forced,
      surges: this.surge?.reports() ?? [],
    });
  }

  private async dryRun(list: PodList): Promise<DrainOutcome> {
    const { options, logger } = this.deps;
    const orphaned = await orphanedDaemonSets(list.pods, this.deps.pods);
    const { nodeName } = this.request;
    return dryRunDrain({ list, nodeName, urgent: this.urgent, orphaned, options, logger });
  }
}
