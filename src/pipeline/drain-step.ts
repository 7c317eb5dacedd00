/**
 * The drain step of a node action: waits (bounded) for other nodes to cordon first, drains within the
 * earliest deadline of the merged events, and records the result on the node in one status write
 * (condition, state label, webhooks delivered), then reports it.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import type { ActionWebhooks } from './action-webhooks.js';
import type { CordonGate } from './cordon-gate.js';
import type { ActionOutcome } from './event-store.js';
import type { StepRecorder } from './executor-ports.js';
import type { NodeActuator } from './node-actuator-port.js';
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
}

/** Drains the node of a run; returns an outcome when the action must end now (drain failed). */
export async function runDrainStep(
  deps: DrainStepDeps,
  urgent: boolean,
  ctx: RunContext,
): Promise<ActionOutcome | undefined> {
  const { actuator, clock, metrics, recorder, logger, cordonGate } = deps;
  const { nodeName, primary } = ctx;
  if (cordonGate && !(await cordonGate.waitClear(ctx.signal)))
    logger.info(
      { node: nodeName, pending: cordonGate.pendingCount },
      'other nodes still cordoning; draining anyway',
    );
  if (ctx.action.restartRequested) throw new Superseded();
  await recorder.recordStep(nodeName, { step: 'drain-started' }, primary);
  const deadlineMs = Math.min(
    ...ctx.action.events.filter((e) => e.kind !== 'asg-launch').map((e) => e.deadlineMs),
  );
  const result = await actuator
    .drain({ nodeName, kind: primary.kind, eventId: primary.id, deadlineMs, urgent, signal: ctx.signal })
    .finally(ctx.endDrainWait);
  if (ctx.action.restartRequested) throw new Superseded();
  if (ctx.signal.aborted) throw ctx.signal.reason as Error;
  // fencing: a leader paused past its lease must not record the drain it no longer owns
  if (!deps.canAct()) throw new NotLeader();
  ctx.drain = result;
  const ok = result.result === 'succeeded' || result.result === 'forced';
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
  return { status: 'failed', detail: `drain ${result.result}` };
}
