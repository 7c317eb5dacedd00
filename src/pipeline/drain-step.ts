/**
 * The drain step of a node action: waits (bounded) for other nodes to cordon first, drains within the
 * earliest deadline of the merged events (live terms: a stronger event merged later tightens them in
 * place), and records the result on the node in one status write (condition, state label, webhooks
 * delivered), then reports it. While an ASG lifecycle hook holds the
 * instance (a scale-in: heartbeats keep it), a blocked drain is tried again until the hook's deadline;
 * then the failure is reported and the hook is completed anyway (the instance goes at that deadline).
 */
import type { Logger } from 'pino';
import { shouldDrainAgain } from '../actions/asg-hook-deadline.js';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import type { ActionWebhooks } from './action-webhooks.js';
import type { CordonGate } from './cordon-gate.js';
import type { ActionOutcome } from './event-store.js';
import type { StepRecorder } from './executor-ports.js';
import type { DrainResult, NodeActuator } from './node-actuator-port.js';
import { NotLeader, seconds, Superseded, type RunContext } from './run-context.js';

/** What the drain step drives. */
export interface DrainStepDeps {
  readonly actuator: NodeActuator;
  readonly recorder: StepRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly canAct: () => boolean;
  readonly cordonGate?: CordonGate;
  readonly webhooks: ActionWebhooks;
  /** Runs a node write unless in dry-run mode (throws NotLeader when no longer leader). */
  readonly mutate: (fn: () => Promise<void>) => Promise<void>;
  /** How long one drain attempt may take (NODE_TERMINATION_GRACE_PERIOD), and the pause between attempts. */
  readonly redrain?: { readonly drainTimeoutMs: number; readonly retryDelayMs: number };
}

/** True when an ASG lifecycle hook (seen through the queue) holds the instance for a non-urgent drain. */
function heldByHook(ctx: RunContext, urgent: boolean): boolean {
  return (
    !urgent &&
    ctx.action.events.some(
      (e) => e.kind === 'asg-termination' && e.origin.type === 'sqs' && e.origin.lifecycle !== undefined,
    )
  );
}

/** Drains, and drains again while a lifecycle hook holds the instance and the drain is blocked. */
async function drainWhileHeld(deps: DrainStepDeps, ctx: RunContext): Promise<DrainResult> {
  const { actuator, clock, logger } = deps;
  const { nodeName, terms } = ctx;
  for (let attempt = 1; ; attempt++) {
    const result = await actuator.drain({ nodeName, ...terms.current, terms, signal: ctx.signal });
    // read after the attempt: a stronger event may have made the drain urgent meanwhile
    const { urgent, deadlineMs, eventId } = terms.current;
    const held = heldByHook(ctx, urgent);
    if (!held || !deps.redrain || ctx.signal.aborted || ctx.action.restartRequested) return result;
    const again = shouldDrainAgain({
      result: result.result,
      nowMs: clock.now(),
      deadlineMs,
      ...deps.redrain,
    });
    if (!again) return result;
    logger.info(
      {
        node: nodeName,
        eventId,
        attempt,
        result: result.result,
        blockedBy: result.blockedBy,
        deadline: new Date(deadlineMs).toISOString(),
        next: `drain again in ${Math.round(deps.redrain.retryDelayMs / 1000)} s; heartbeats hold the lifecycle hook`,
      },
      'drain blocked while the lifecycle hook holds the instance',
    );
    await clock.sleep(deps.redrain.retryDelayMs, ctx.signal);
  }
}

/** Drains the node of a run; returns an outcome when the action must end now (drain failed). */
export async function runDrainStep(deps: DrainStepDeps, ctx: RunContext): Promise<ActionOutcome | undefined> {
  const { actuator, clock, metrics, recorder, logger, cordonGate } = deps;
  const { nodeName } = ctx;
  if (cordonGate && !(await cordonGate.waitClear(ctx.signal)))
    logger.info(
      { node: nodeName, pending: cordonGate.pendingCount },
      'other nodes still cordoning; draining anyway',
    );
  if (ctx.action.restartRequested) throw new Superseded();
  await recorder.recordStep(nodeName, { step: 'drain-started' }, ctx.primary);
  // from here a stronger event merged into the action tightens these terms in place
  ctx.stage = 'draining';
  const { terms } = ctx;
  const result = await drainWhileHeld(deps, ctx).finally(ctx.endDrainWait);
  const ok = result.result === 'succeeded' || result.result === 'forced';
  ctx.stage = ok ? 'drained' : 'drain-failed';
  if (ctx.action.restartRequested) throw new Superseded();
  if (ctx.signal.aborted) throw ctx.signal.reason as Error;
  // fencing: a leader paused past its lease must not record the drain it no longer owns
  if (!deps.canAct()) throw new NotLeader();
  ctx.drain = result;
  const primary = ctx.primary;
  const deadlineMs = terms.current.deadlineMs;
  metrics.actions.inc({ action: 'drain', result: ok ? 'success' : 'error' });
  await ctx.phaseWrite; // the draining condition lands before the drained one
  const delivered = [...ctx.action.delivered];
  if (ok) {
    metrics.noticeToDrainedSeconds.observe(
      { kind: primary.kind },
      seconds(clock.now() - ctx.action.noticedAtMs),
    );
    metrics.deadlineSlackSeconds.observe({ kind: primary.kind }, seconds(deadlineMs - clock.now()));
    await deps.mutate(() =>
      actuator.setPhase(nodeName, 'drained', `drained (${result.result}) for ${primary.id}`, delivered),
    );
    await recorder.recordStep(nodeName, { step: 'drained', drain: result }, primary);
    logger.info(
      { node: nodeName, eventId: primary.id, result: result.result, podsEvicted: result.podsEvicted },
      'node drained',
    );
    return undefined;
  }
  await deps.mutate(() => actuator.setPhase(nodeName, 'drain-failed', `drain ${result.result}`, delivered));
  await recorder.recordStep(nodeName, { step: 'drain-failed', drain: result }, primary);
  logger.warn(
    {
      node: nodeName,
      eventId: primary.id,
      result: result.result,
      remaining: result.podsRemaining,
      blockedBy: result.blockedBy,
      next: 'gave up: the node stays cordoned and tainted',
    },
    'drain did not finish',
  );
  await deps.webhooks.end('failure', ctx, {
    result: result.result,
    drain: result,
    ...(result.error ? { error: result.error } : {}),
  });
  if (
    heldByHook(ctx, terms.current.urgent) &&
    (result.result === 'blocked' || result.result === 'timed_out')
  ) {
    // the hook's deadline has come: the instance goes whatever we do, so let the ASG proceed now
    ctx.drainGaveUp = true;
    logger.warn(
      { node: nodeName, eventId: primary.id, next: 'completing the lifecycle action (CONTINUE)' },
      'lifecycle hook deadline reached with the drain blocked',
    );
    return undefined;
  }
  return { status: 'failed', detail: `drain ${result.result}` };
}
