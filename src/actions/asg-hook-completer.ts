/**
 * Completes ASG lifecycle actions (CONTINUE) and keeps them alive with heartbeats while a drain runs.
 * Completion is idempotent: "no active lifecycle action" after an earlier completion (or a timeout)
 * counts as done. Heartbeats stop at heartbeatUntil, on abort, or when AWS says the action is gone.
 */
import { retryIn } from '../report/log-errors.js';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { NotFoundError, isRetryable } from '../errors.js';
import type { InterruptionEvent, LifecycleHookRef } from '../events/interruption-event.js';
import type { Metrics } from '../report/metrics.js';
import { hookDeadline, type HookTimeouts } from './asg-hook-deadline.js';

/** The Auto Scaling calls this module needs (src/aws/autoscaling-lifecycle.ts implements them). */
export interface AsgHookPort {
  complete(hook: LifecycleHookRef): Promise<void>;
  recordHeartbeat(hook: LifecycleHookRef): Promise<void>;
  /** The hook's HeartbeatTimeout and GlobalTimeout (DescribeLifecycleHooks); undefined when not found. */
  describeHook(groupName: string, hookName: string): Promise<HookTimeouts | undefined>;
}

/** Options; -1 means "auto" as in the config (HEARTBEAT_INTERVAL, HEARTBEAT_UNTIL). */
export interface AsgHookCompleterOptions {
  /** Heartbeat period; -1 = half the hook's HeartbeatTimeout. */
  readonly heartbeatIntervalSeconds: number;
  /** Stop heartbeats this long after they started; -1 = 172800 (48 h, the ASG global maximum). */
  readonly heartbeatUntilSeconds: number;
  /** Attempts for CompleteLifecycleAction on retryable errors. Default 4. */
  readonly completeAttempts?: number;
  /** Used when the hook's timeout cannot be read. Default 60. */
  readonly fallbackIntervalSeconds?: number;
  /** HeartbeatTimeout assumed when DescribeLifecycleHooks cannot be read. Default 300. */
  readonly fallbackTimeoutSeconds?: number;
  /** False in dry-run mode: no heartbeats are sent, so the hook expires on its own timer. */
  readonly sendsHeartbeats?: boolean;
}

/** How a completion ended. */
export type CompleteResult = 'completed' | 'already-done';

/** Completes lifecycle actions and sends heartbeats. */
export class AsgHookCompleter {
  private readonly timeouts = new Map<string, Promise<HookTimeouts | undefined>>();

  constructor(
    private readonly deps: {
      readonly port: AsgHookPort;
      readonly clock: Clock;
      readonly logger: Logger;
      readonly metrics: Pick<Metrics, 'lifecycleActions'>;
    },
    private readonly options: AsgHookCompleterOptions,
  ) {}

  /** CompleteLifecycleAction CONTINUE, retrying transient errors; NotFound after a completion is success. */
  async complete(hook: LifecycleHookRef, signal?: AbortSignal): Promise<CompleteResult> {
    const attempts = this.options.completeAttempts ?? 4;
    const { port, clock, metrics, logger } = this.deps;
    for (let attempt = 1; ; attempt++) {
      try {
        await port.complete(hook);
        metrics.lifecycleActions.inc({ call: 'complete', result: 'success' });
        return 'completed';
      } catch (err) {
        if (err instanceof NotFoundError) {
          metrics.lifecycleActions.inc({ call: 'complete', result: 'already_done' });
          logger.info(
            { hook: hook.hookName, instanceId: hook.instanceId },
            'lifecycle action already completed',
          );
          return 'already-done';
        }
        metrics.lifecycleActions.inc({ call: 'complete', result: 'error' });
        if (!isRetryable(err) || attempt >= attempts) throw err;
        const delayMs = 500 * 2 ** (attempt - 1);
        logger.warn(
          { err, attempt, next: `retry in ${retryIn(delayMs)} (attempt ${attempt} of ${attempts})` },
          'CompleteLifecycleAction failed; retrying',
        );
        await clock.sleep(delayMs, signal);
      }
    }
  }

  /** The hook's timeouts (DescribeLifecycleHooks, cached per group and hook; failures are not cached). */
  async hookTimeouts(groupName: string, hookName: string): Promise<HookTimeouts | undefined> {
    const key = `${groupName}/${hookName}`;
    let cached = this.timeouts.get(key);
    if (!cached) {
      cached = this.deps.port.describeHook(groupName, hookName).catch((err: unknown) => {
        this.timeouts.delete(key); // do not cache failures
        this.deps.logger.warn(
          { err, group: groupName, hook: hookName, next: 'asked again for the next lifecycle action' },
          'DescribeLifecycleHooks failed',
        );
        return undefined;
      });
      this.timeouts.set(key, cached);
    }
    return cached;
  }

  /** The hook's HeartbeatTimeout in seconds (from the ref, else DescribeLifecycleHooks). */
  async hookTimeoutSeconds(hook: LifecycleHookRef): Promise<number | undefined> {
    if (hook.heartbeatTimeoutSeconds !== undefined) return hook.heartbeatTimeoutSeconds;
    return (await this.hookTimeouts(hook.groupName, hook.hookName))?.heartbeatTimeoutSeconds;
  }

  /**
   * An ASG termination event with its deadline taken from the hook itself (asg-hook-deadline.ts) and
   * the hook's HeartbeatTimeout on its ref; other events are returned as they are.
   */
  async withHookDeadline(event: InterruptionEvent): Promise<InterruptionEvent> {
    const ref = event.origin.type === 'sqs' ? event.origin.lifecycle : undefined;
    if (!ref || event.kind !== 'asg-termination' || event.origin.type !== 'sqs') return event;
    const hook = await this.hookTimeouts(ref.groupName, ref.hookName);
    const { deadlineMs, basis } = hookDeadline({
      startedAtMs: event.issuedAtMs ?? event.noticedAtMs,
      noticedAtMs: event.noticedAtMs,
      hook,
      fallbackTimeoutSeconds: this.options.fallbackTimeoutSeconds ?? 300,
      heartbeats: this.options.sendsHeartbeats ?? true,
      heartbeatIntervalSeconds: this.options.heartbeatIntervalSeconds,
      heartbeatUntilSeconds: this.options.heartbeatUntilSeconds,
    });
    this.deps.logger.info(
      {
        eventId: event.id,
        instanceId: event.instanceId,
        hook: ref.hookName,
        heartbeatTimeoutSeconds: hook?.heartbeatTimeoutSeconds,
        deadline: new Date(deadlineMs).toISOString(),
        basis,
      },
      'lifecycle hook deadline',
    );
    const lifecycle = hook ? { ...ref, heartbeatTimeoutSeconds: hook.heartbeatTimeoutSeconds } : ref;
    return { ...event, deadlineMs, origin: { ...event.origin, lifecycle } };
  }

  /** The heartbeat period for this hook, in ms. */
  async heartbeatIntervalMs(hook: LifecycleHookRef): Promise<number> {
    if (this.options.heartbeatIntervalSeconds > 0) return this.options.heartbeatIntervalSeconds * 1000;
    const timeout = await this.hookTimeoutSeconds(hook);
    const seconds =
      timeout !== undefined && timeout > 0 ? timeout / 2 : (this.options.fallbackIntervalSeconds ?? 60);
    return seconds * 1000;
  }

  /**
   * Sends heartbeats every interval until heartbeatUntil, the signal aborts, or the action is gone
   * (ValidationError/NotFound). Resolves when it stops; never rejects; leaves no timer behind.
   */
  async startHeartbeats(hook: LifecycleHookRef, signal: AbortSignal): Promise<void> {
    const { port, clock, metrics, logger } = this.deps;
    const intervalMs = await this.heartbeatIntervalMs(hook);
    const untilSeconds =
      this.options.heartbeatUntilSeconds > 0 ? this.options.heartbeatUntilSeconds : 172_800;
    const stopAt = clock.now() + untilSeconds * 1000;
    while (!signal.aborted) {
      const waitMs = Math.min(intervalMs, stopAt - clock.now());
      if (waitMs < intervalMs) break; // the next heartbeat would fall after heartbeatUntil
      try {
        await clock.sleep(waitMs, signal);
      } catch {
        break;
      }
      try {
        await port.recordHeartbeat(hook);
        metrics.lifecycleActions.inc({ call: 'heartbeat', result: 'success' });
      } catch (err) {
        metrics.lifecycleActions.inc({ call: 'heartbeat', result: 'error' });
        if (!isRetryable(err)) {
          logger.info({ err, hook: hook.hookName }, 'lifecycle action is gone; heartbeats stop');
          break;
        }
        logger.warn({ err, hook: hook.hookName }, 'heartbeat failed; will try at the next interval');
      }
    }
  }
}
