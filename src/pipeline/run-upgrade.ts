/**
 * Applies what an event merged into a running node action changes (upgrade-decision.ts): a restart, or
 * an in-place upgrade: new drain terms, the node re-marked for the stronger event (after the cordon
 * write, never racing it), and the draining condition renamed.
 */
import type { Logger } from 'pino';
import type { InterruptionEvent } from '../events/interruption-event.js';
import type { NodeAction } from './event-store.js';
import type { NodeActuator } from './node-actuator-port.js';
import type { PlanOptions } from './plan.js';
import { marking, phaseMessage, type RunContext } from './run-context.js';
import { decideUpgrade, type Upgrade } from './upgrade-decision.js';

/** What applying an upgrade drives. */
export interface RunUpgradeDeps {
  readonly actuator: NodeActuator;
  readonly logger: Logger;
  /** Runs a node write unless in dry-run mode (throws NotLeader when no longer leader). */
  readonly mutate: (fn: () => Promise<void>) => Promise<void>;
}

/**
 * An event was merged into `action` (`stronger`: it became the primary). Restarts the run or upgrades
 * it in place; returns which.
 */
export function absorbMerged(
  deps: RunUpgradeDeps,
  options: PlanOptions,
  action: NodeAction,
  stronger: boolean,
): Upgrade['type'] {
  const run = action.run;
  const primary = action.primary(options);
  const decided: Upgrade = run
    ? decideUpgrade(
        { stage: run.stage, drains: run.drains, terms: run.terms.current, markedEventId: run.markedEventId },
        primary,
        action.deadlineMs,
        options,
      )
    : // no run has planned yet (or one is between retries): the next plans with every merged event
      { type: stronger ? 'restart' : 'none' };
  if (decided.type === 'restart') {
    action.restartRequested = true;
    action.runAbort.abort(new Error('superseded'));
  } else if (decided.type === 'in-place' && run) {
    upgradeInPlace(deps, run, primary, decided);
  }
  return decided.type;
}

function upgradeInPlace(
  deps: RunUpgradeDeps,
  run: RunContext,
  primary: InterruptionEvent,
  decided: Extract<Upgrade, { type: 'in-place' }>,
): void {
  const { actuator, logger, mutate } = deps;
  const from = run.primary;
  run.primary = primary;
  run.terms.tighten(decided.terms);
  if (decided.remark) {
    run.markedEventId = primary.id;
    const marks = marking(primary, run.action);
    // after the cordon write: it was computed for the weaker event and must not land last
    const previous = (run.marks ?? Promise.resolve()).catch(() => undefined);
    run.marks = previous.then(() => mutate(() => actuator.remark(run.nodeName, marks)));
    // the run awaits it before it ends (a failed re-mark fails the run, which plans again)
    run.marks.catch(() => undefined);
  }
  if (run.phaseWrite && (run.stage === 'before-drain' || run.stage === 'draining')) {
    const message = phaseMessage(true, primary);
    run.phaseWrite = run.phaseWrite
      .then(() =>
        // a drain that ended meanwhile writes its own condition
        run.stage === 'before-drain' || run.stage === 'draining'
          ? mutate(() => actuator.setPhase(run.nodeName, 'draining', message, [...run.action.delivered]))
          : undefined,
      )
      .catch((err: unknown) => {
        logger.warn({ err, node: run.nodeName }, 'could not record the node condition');
      });
  }
  logger.info(
    {
      node: run.nodeName,
      instanceId: run.action.instanceId,
      from: `${from.kind} ${from.id}`,
      to: `${primary.kind} ${primary.id}`,
      deadline: new Date(decided.terms.deadlineMs).toISOString(),
      urgent: decided.terms.urgent,
      stage: run.stage,
    },
    'merged event: the running action is upgraded in place',
  );
}
