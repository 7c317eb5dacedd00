/**
 * The cordon step of a node action: the notice Event, then taint, labels and cordon in one node write
 * for the run's primary event. A stronger event merged later re-marks the node after this write
 * (run-upgrade.ts chains on `ctx.marks`), so the two never race.
 */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { Metrics } from '../report/metrics.js';
import { countAction } from './asg-hook-steps.js';
import type { CordonGate } from './cordon-gate.js';
import type { StepRecorder } from './executor-ports.js';
import type { NodeActuator } from './node-actuator-port.js';
import { marking, seconds, type RunContext } from './run-context.js';

/** What the cordon step drives. */
export interface CordonStepDeps {
  readonly actuator: NodeActuator;
  readonly recorder: StepRecorder;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly cordonGate?: CordonGate;
  /** Runs a node write unless in dry-run mode (throws NotLeader when no longer leader). */
  readonly mutate: (fn: () => Promise<void>) => Promise<void>;
}

/** Marks and cordons the node of a run. */
export async function runCordonStep(deps: CordonStepDeps, ctx: RunContext): Promise<void> {
  const { actuator, clock, metrics, recorder, logger } = deps;
  const { nodeName, primary } = ctx;
  // the notice Event first, so that `kubectl describe node` tells the story in order (the recorder
  // writes in the background: it never delays the cordon)
  await recorder.recordStep(nodeName, { step: 'notice', event: primary }, primary);
  // the state label says already where the action goes
  const marks = marking(primary, ctx.action);
  const phase = ctx.drains ? 'draining' : 'cordoned';
  ctx.markedEventId = primary.id;
  ctx.marks = countAction(metrics, 'cordon', () =>
    deps.mutate(() => actuator.cordon(nodeName, marks, phase)),
  );
  await ctx.marks;
  deps.cordonGate?.end(ctx.action.instanceId);
  metrics.noticeToCordonSeconds.observe(
    { kind: primary.kind },
    seconds(clock.now() - ctx.action.noticedAtMs),
  );
  await recorder.recordStep(nodeName, { step: 'tainted' }, primary);
  await recorder.recordStep(nodeName, { step: 'cordoned' }, primary);
  logger.info({ node: nodeName, eventId: primary.id, kind: primary.kind }, 'node cordoned');
}
