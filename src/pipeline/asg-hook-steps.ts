/** The ASG lifecycle-hook steps of a node action: heartbeats while it runs, completion at its end. */
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import type { InterruptionEvent } from '../events/interruption-event.js';
import type { Metrics } from '../report/metrics.js';
import type { AsgHookPort, StepRecorder } from './executor-ports.js';
import type { RunContext } from './run-context.js';
import type { NodeAction } from './event-store.js';

/** Runs `fn` and counts it in `spot_handler_actions_total` by result. */
export async function countAction(
  metrics: Pick<Metrics, 'actions'>,
  action: string,
  fn: () => Promise<void>,
): Promise<void> {
  try {
    await fn();
    metrics.actions.inc({ action, result: 'success' });
  } catch (err) {
    metrics.actions.inc({ action, result: 'error' });
    throw err;
  }
}

/** Completes every merged message's hook (once) and keeps termination hooks alive with heartbeats. */
export class AsgHookSteps {
  constructor(
    private readonly deps: {
      readonly lifecycle?: AsgHookPort;
      readonly recorder: StepRecorder;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Metrics;
    },
    private readonly options: { readonly dryRun: boolean; readonly completeLifecycleDelayMs: number },
  ) {}

  /** CompleteLifecycleAction CONTINUE for every hook of the action's messages. */
  async complete(ctx: RunContext): Promise<void> {
    const lifecycle = this.deps.lifecycle;
    const hooks = ctx.action.events.flatMap((e) =>
      e.origin.type === 'sqs' && e.origin.lifecycle ? [e.origin.lifecycle] : [],
    );
    if (hooks.length === 0 || !lifecycle) return;
    if (this.options.completeLifecycleDelayMs > 0)
      await this.deps.clock.sleep(this.options.completeLifecycleDelayMs, ctx.signal);
    for (const hook of hooks) {
      if (this.options.dryRun) {
        this.deps.logger.info(
          { hook: hook.hookName, instanceId: hook.instanceId },
          'dry run: would complete lifecycle action',
        );
        continue;
      }
      await countAction(this.deps.metrics, 'complete-lifecycle', () => lifecycle.complete(hook));
    }
    if (ctx.nodeName)
      await this.deps.recorder.recordStep(ctx.nodeName, { step: 'lifecycle-completed' }, ctx.primary);
  }

  /** Starts heartbeats for an ASG termination hook so it does not time out while the drain runs. */
  startHeartbeats(action: NodeAction, event: InterruptionEvent): void {
    const lifecycle = this.deps.lifecycle;
    if (!lifecycle || this.options.dryRun || action.heartbeats.signal.aborted) return;
    if (action.heartbeating.has(event.id)) return;
    if (event.origin.type === 'sqs' && event.origin.lifecycle && event.kind === 'asg-termination') {
      action.heartbeating.add(event.id);
      lifecycle.startHeartbeats(event.origin.lifecycle, action.heartbeats.signal);
    }
  }
}
