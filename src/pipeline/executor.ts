/**
 * Runs the plan of one node action through the ports. Every step is idempotent; a stronger event that
 * arrives mid-action upgrades the run in place (run-upgrade.ts) or, when the run cannot take it, aborts
 * it and the action is planned again with the merged events.
 * The drain step is drain-step.ts; webhooks and their records, action-webhooks.ts. A drained node gets
 * at most four node writes: mark+cordon, the draining condition (with the start webhook recorded), the
 * drained condition and state, and the success webhook record.
 */
import { retryIn } from '../report/log-errors.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { SpotHandlerError } from '../errors.js';
import type { InterruptionEvent } from '../events/interruption-event.js';
import { ActionWebhooks } from './action-webhooks.js';
import { runDrainStep, type DrainStepDeps } from './drain-step.js';
import { runCordonStep } from './cordon-step.js';
import type { Metrics } from '../report/metrics.js';
import type { CordonGate } from './cordon-gate.js';
import type { NodeActuator } from './node-actuator-port.js';
import { plan, type PlanOptions, type Step } from './plan.js';
import type { AsgHookPort, NodeResolver, Notifier, ReadinessWaiter, StepRecorder } from './executor-ports.js';
import type { ActionOutcome, NodeAction } from './event-store.js';
import { createRunContext, NotLeader, phaseMessage, Superseded, type RunContext } from './run-context.js';
import { absorbMerged, type RunUpgradeDeps } from './run-upgrade.js';
import type { Upgrade } from './upgrade-decision.js';
import { STEP_RETRY_LIMIT, stepRetryDelayMs } from './step-retry.js';
import { countAction, AsgHookSteps } from './asg-hook-steps.js';
import { setMaxListeners } from 'node:events';

/** Options the executor reads. */
export interface ExecutorOptions extends PlanOptions {
  readonly dryRun: boolean;
  readonly launchReadyTimeoutMs: number;
  /** Wait this long after the drain before completing lifecycle hooks (NTH COMPLETE_LIFECYCLE_ACTION_DELAY_SECONDS). */
  readonly completeLifecycleDelayMs: number;
  /** One drain attempt's timeout (NODE_TERMINATION_GRACE_PERIOD): a blocked scale-in drain is tried again while it fits. */
  readonly drainTimeoutMs?: number;
  /** Pause between drain attempts while a lifecycle hook holds the instance. Default 15 s. */
  readonly redrainDelayMs?: number;
}

/** Everything the executor drives. */
export interface ExecutorDeps {
  readonly actuator: NodeActuator;
  readonly resolver: NodeResolver;
  readonly notifier: Notifier;
  readonly recorder: StepRecorder;
  readonly lifecycle?: AsgHookPort;
  readonly readiness?: ReadinessWaiter;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** False once this replica may no longer act (lost leadership): checked before each step. */
  readonly canAct: () => boolean;
  /** Cordon first: drains wait (bounded) while other actions have yet to cordon. None: no waiting. */
  readonly cordonGate?: CordonGate;
}

/** Executes node actions. */
export class Executor {
  private readonly hooks: AsgHookSteps;
  private readonly webhooks: ActionWebhooks;
  private readonly drainDeps: DrainStepDeps;
  private readonly upgradeDeps: RunUpgradeDeps;

  constructor(
    private readonly deps: ExecutorDeps,
    private readonly options: ExecutorOptions,
  ) {
    this.hooks = new AsgHookSteps(deps, options);
    const mutate = (fn: () => Promise<void>): Promise<void> => this.mutate(fn);
    this.webhooks = new ActionWebhooks({ ...deps, mutate });
    const redrain =
      options.drainTimeoutMs === undefined
        ? undefined
        : { drainTimeoutMs: options.drainTimeoutMs, retryDelayMs: options.redrainDelayMs ?? 15_000 };
    this.drainDeps = { ...deps, webhooks: this.webhooks, mutate, ...(redrain ? { redrain } : {}) };
    this.upgradeDeps = { ...deps, mutate };
  }

  /** Runs the action to its end, re-planning when a stronger event supersedes the current run. */
  async execute(action: NodeAction, stop: AbortSignal): Promise<ActionOutcome> {
    const { logger } = this.deps;
    try {
      const first = action.primary(this.options);
      // A launching instance has no node yet: its action waits for the node to register and be Ready.
      const nodeName = first.nodeName ?? (await this.deps.resolver.resolve(first)) ?? '';
      if (!nodeName && first.kind !== 'asg-launch')
        return { status: 'foreign', detail: `instance ${first.instanceId} is not a node of this cluster` };
      for (const e of action.events) this.startHeartbeats(action, e);
      let failures = 0;
      for (;;) {
        action.restartRequested = false;
        action.runAbort = new AbortController();
        const signal = AbortSignal.any([stop, action.runAbort.signal]);
        setMaxListeners(0, signal); // one listener per pod being evicted or waited for
        try {
          const outcome = await this.runOnce(action, nodeName, signal);
          // a drain that gave up, then a stronger event: drain again under its terms
          if (outcome.status === 'failed' && action.restartRequested && !stop.aborted) continue;
          return outcome;
        } catch (err) {
          if (err instanceof Superseded || (action.restartRequested && !stop.aborted)) {
            logger.info(
              { instanceId: action.instanceId, node: nodeName },
              'stronger event arrived: planning again',
            );
            continue;
          }
          // A transient API error (5xx, 429, timeout) retries the run soon: steps are idempotent, and
          // waiting for the next poll or redelivery would cost 15 s or more of a 120 s notice.
          if (!(err instanceof SpotHandlerError) || !err.retryable || signal.aborted) throw err;
          if (++failures > STEP_RETRY_LIMIT || !this.deps.canAct()) throw err;
          const delayMs = stepRetryDelayMs(err, failures);
          logger.warn(
            {
              err,
              instanceId: action.instanceId,
              node: nodeName,
              delayMs,
              next: `retry in ${retryIn(delayMs)} (attempt ${failures} of ${STEP_RETRY_LIMIT})`,
            },
            'step failed; retrying',
          );
          await this.deps.clock.sleep(delayMs, signal).catch((e: unknown) => {
            if (!action.restartRequested || stop.aborted) throw e; // superseded while waiting: plan again
          });
        }
      }
    } catch (err) {
      if (err instanceof NotLeader || !this.deps.canAct())
        return { status: 'aborted', detail: 'no longer leader' };
      // only a cancellation makes an aborted run "ignored" (its message deleted); any other abort (the
      // leadership lost, even if regained by now) leaves the work, and the message, for a later run
      if (action.canceled && !stop.aborted) return { status: 'ignored', detail: 'canceled' };
      if (stop.aborted) return { status: 'aborted', detail: 'shutting down' };
      if (action.runAbort.signal.aborted && !action.restartRequested)
        return { status: 'aborted', detail: 'stopped before its end' };
      logger.error({ err, instanceId: action.instanceId }, 'node action failed');
      return { status: 'failed', detail: err instanceof Error ? err.message : String(err) };
    } finally {
      action.heartbeats.abort();
    }
  }

  private async runOnce(action: NodeAction, nodeName: string, signal: AbortSignal): Promise<ActionOutcome> {
    this.deps.cordonGate?.begin(action.instanceId);
    try {
      return await this.runSteps(action, nodeName, signal);
    } finally {
      this.deps.cordonGate?.end(action.instanceId);
    }
  }

  private async runSteps(action: NodeAction, nodeName: string, signal: AbortSignal): Promise<ActionOutcome> {
    const { actuator, clock } = this.deps;
    const primary = action.primary(this.options);
    const node = nodeName ? await actuator.getNode(nodeName) : undefined;
    if (!node && primary.kind !== 'asg-launch') {
      return { status: 'foreign', detail: `node ${nodeName} not found` };
    }
    if (node && action.events.some((e) => e.id === node.eventId)) {
      for (const r of node.reported) action.reported.add(r);
    } else if (node?.eventId && node.reported.includes('start')) {
      // the node is still marked by an earlier action for this interruption (e.g. a rebalance cordon)
      action.reported.add('start');
    }
    const decided = plan(primary, this.options, node, clock.now());
    if (decided.type === 'none') {
      if (decided.reason === 'past-deadline')
        this.deps.logger.info(
          { instanceId: primary.instanceId, node: nodeName, eventId: primary.id, kind: primary.kind },
          'notice past its deadline after a failed drain: acknowledged without a second drain',
        );
      return { status: 'ignored', detail: decided.reason };
    }
    // a launch waiting for its node, or work already done: nothing to cordon, so no drain waits for it
    if (!decided.steps.some((st) => st.type === 'cordon')) this.deps.cordonGate?.end(action.instanceId);
    const ctx = createRunContext({ action, primary, nodeName, node, signal, steps: decided.steps });
    const { endDrainWait } = ctx;
    try {
      for (const step of decided.steps) {
        this.checkpoint(ctx);
        const failed = await this.runStep(step, ctx);
        if (failed) return failed;
      }
      if (ctx.drainGaveUp) {
        await ctx.phaseWrite;
        await ctx.marks;
        return { status: 'done', detail: `drain ${ctx.drain?.result}; lifecycle hook deadline reached` };
      }
      if (decided.steps.some((s) => s.type === 'drain' || s.type === 'cordon')) {
        await this.webhooks.end('success', ctx, {
          result: ctx.drain?.result ?? 'cordoned',
          drain: ctx.drain,
        });
      }
      await ctx.phaseWrite;
      await ctx.marks;
      return { status: 'done', detail: ctx.drain ? `drain ${ctx.drain.result}` : 'done' };
    } finally {
      if (action.run === ctx) action.run = undefined;
      endDrainWait();
    }
  }

  private checkpoint(ctx: RunContext): void {
    if (ctx.action.restartRequested) throw new Superseded();
    if (ctx.signal.aborted) throw ctx.signal.reason as Error;
    if (!this.deps.canAct()) throw new NotLeader();
  }

  /** Runs one step; returns an outcome when the action must end now. */
  private async runStep(step: Step, ctx: RunContext): Promise<ActionOutcome | undefined> {
    const { actuator, clock, recorder } = this.deps;
    const { nodeName, primary } = ctx;
    const recordCtx = primary;
    switch (step.type) {
      case 'wait-until':
        this.deps.logger.info(
          { node: nodeName, eventId: primary.id, at: new Date(step.atMs).toISOString() },
          'waiting to act',
        );
        this.deps.cordonGate?.end(ctx.action.instanceId); // hours ahead: do not hold other drains
        ctx.stage = 'waiting';
        await clock.sleep(step.atMs - clock.now(), ctx.signal);
        ctx.stage = 'before-drain';
        return undefined;
      case 'notify':
        this.webhooks.start(ctx, ctx.drains ? 'draining' : 'cordoned', phaseMessage(ctx.drains, primary));
        return undefined;
      case 'cordon':
        // the notice Event, then taint, labels and cordon in one write
        await runCordonStep(this.drainDeps, ctx);
        return undefined;
      case 'drain':
        return runDrainStep(this.drainDeps, ctx);
      case 'wait-node-ready':
        return this.waitReady(ctx);
      case 'complete-lifecycle':
        await this.hooks.complete(ctx);
        return undefined;
      case 'uncordon-at':
        await clock.sleep(step.atMs - clock.now(), ctx.signal);
        this.checkpoint(ctx);
        await this.act('uncordon', () => this.mutate(() => actuator.unmark(nodeName)));
        await recorder.recordStep(nodeName, { step: 'uncordoned' }, recordCtx);
        this.deps.logger.info(
          { node: nodeName, eventId: primary.id },
          'rebalance cordon expired: uncordoned',
        );
        return undefined;
    }
  }

  private async waitReady(ctx: RunContext): Promise<ActionOutcome | undefined> {
    const ready = await this.deps.readiness?.waitForReady(
      ctx.primary.instanceId,
      this.options.launchReadyTimeoutMs,
      ctx.signal,
    );
    if (ready) return undefined;
    return { status: 'failed', detail: `node of ${ctx.primary.instanceId} not Ready in time` };
  }

  /** An event was merged into the action (`stronger`: it is the primary now): upgrade or restart the run. */
  absorb(action: NodeAction, stronger: boolean): Upgrade['type'] {
    return absorbMerged(this.upgradeDeps, this.options, action, stronger);
  }

  /** Starts heartbeats for an ASG termination hook so it does not time out while the drain runs. */
  startHeartbeats(action: NodeAction, event: InterruptionEvent): void {
    this.hooks.startHeartbeats(action, event);
  }

  private act(action: string, fn: () => Promise<void>): Promise<void> {
    return countAction(this.deps.metrics, action, fn);
  }

  /** Runs a node mutation unless in dry-run mode (where the step is only logged). */
  private async mutate(fn: () => Promise<void>): Promise<void> {
    if (this.options.dryRun) return;
    if (!this.deps.canAct()) throw new NotLeader();
    await fn();
  }
}
