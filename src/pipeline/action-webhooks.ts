/**
 * The webhooks of a node action (start, success, failure) and the node writes that record them, so that
 * a restarted handler does not send them twice. Deliveries run in the background, in order, and never
 * hold the cordon or the drain.
 */
import type { Logger } from 'pino';
import type { ActionReport, Notifier, NotifyTrigger } from './executor-ports.js';
import type { NodeActuator, NodePhase } from './node-actuator-port.js';
import { report, type RunContext } from './run-context.js';

/** What the webhooks of an action need. */
export interface ActionWebhookDeps {
  readonly notifier: Notifier;
  readonly actuator: NodeActuator;
  readonly logger: Logger;
  /** Runs a node write unless in dry-run mode or no longer leader. */
  readonly mutate: (fn: () => Promise<void>) => Promise<void>;
}

/** Sends an action's webhooks and records them on the node. */
export class ActionWebhooks {
  constructor(private readonly deps: ActionWebhookDeps) {}

  /**
   * Sends the start webhook, then writes the phase that follows the cordon (condition, with the start
   * recorded when delivered) as one status write. That write waits for the delivery only until the drain
   * returns, so a slow receiver never holds the drained write; a later write then records the start.
   */
  start(ctx: RunContext, phase: NodePhase, message: string): void {
    const delivered = this.send('start', ctx, {});
    ctx.phaseWrite = Promise.race([delivered, ctx.drainReturned])
      .then(() =>
        this.deps.mutate(() =>
          this.deps.actuator.setPhase(ctx.nodeName, phase, message, [...ctx.action.delivered]),
        ),
      )
      .catch((err: unknown) => {
        this.deps.logger.warn({ err, node: ctx.nodeName }, 'could not record the node condition');
      });
  }

  /** Sends the closing webhook after the earlier ones, then records what was delivered on the node. */
  async end(trigger: 'success' | 'failure', ctx: RunContext, extra: Partial<ActionReport>): Promise<void> {
    await this.send(trigger, ctx, extra);
    if (!ctx.action.delivered.has(trigger)) return;
    await ctx.phaseWrite;
    await this.deps
      .mutate(() => this.deps.actuator.recordReported(ctx.nodeName, [...ctx.action.delivered]))
      .catch((err: unknown) => {
        this.deps.logger.warn({ err, node: ctx.nodeName, trigger }, 'could not record the webhook');
      });
  }

  /** Queues one delivery (once per action); resolves when it was tried. */
  private send(trigger: NotifyTrigger, ctx: RunContext, extra: Partial<ActionReport>): Promise<void> {
    if (ctx.action.reported.has(trigger)) return ctx.action.notifications;
    ctx.action.reported.add(trigger);
    const data = { ...report(ctx), ...extra };
    ctx.action.notifications = ctx.action.notifications.then(async () => {
      const sent = await this.deps.notifier.sendWebhook(trigger, data).catch(() => false);
      if (sent) ctx.action.delivered.add(trigger);
    });
    return ctx.action.notifications;
  }
}
