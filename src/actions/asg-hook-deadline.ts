/**
 * When an instance held by an ASG terminate lifecycle hook goes (pure decisions, table-tested).
 * The hook expires HeartbeatTimeout after it started unless a heartbeat resets that timer; heartbeats
 * can hold it up to the global timeout, min(100 × HeartbeatTimeout, 48 h) (Auto Scaling LifecycleHook
 * GlobalTimeout). A drain blocked by a PodDisruptionBudget is tried again while the hook holds.
 */

/** Auto Scaling's largest global timeout: 48 hours. */
export const MAX_GLOBAL_TIMEOUT_SECONDS = 172_800;

/** What DescribeLifecycleHooks says about one hook (schema: Auto Scaling LifecycleHook). */
export interface HookTimeouts {
  readonly heartbeatTimeoutSeconds: number;
  /** GlobalTimeout as AWS reports it; absent = derived from HeartbeatTimeout. */
  readonly globalTimeoutSeconds?: number;
}

/** The global timeout: min(100 × HeartbeatTimeout, 48 h, what AWS reports). */
export function globalTimeoutSeconds(hook: HookTimeouts): number {
  return Math.min(
    100 * hook.heartbeatTimeoutSeconds,
    MAX_GLOBAL_TIMEOUT_SECONDS,
    hook.globalTimeoutSeconds ?? Number.POSITIVE_INFINITY,
  );
}

/** Inputs of the hook deadline. */
export interface HookDeadlineInput {
  /** When the lifecycle action started (event time), ms since epoch. */
  readonly startedAtMs: number;
  /** When our heartbeats start (the notice), ms since epoch. */
  readonly noticedAtMs: number;
  /** From DescribeLifecycleHooks; undefined when it could not be read. */
  readonly hook: HookTimeouts | undefined;
  /** Assumed HeartbeatTimeout when the hook could not be read (no heartbeat extension assumed). */
  readonly fallbackTimeoutSeconds: number;
  /** We send heartbeats (false in dry-run mode or without an Auto Scaling client). */
  readonly heartbeats: boolean;
  /** HEARTBEAT_INTERVAL; -1 = half the HeartbeatTimeout. */
  readonly heartbeatIntervalSeconds: number;
  /** HEARTBEAT_UNTIL; -1 = 48 h. */
  readonly heartbeatUntilSeconds: number;
}

/** The hook's deadline and where it came from. */
export interface HookDeadline {
  /** When the instance goes if the lifecycle action is not completed, ms since epoch. */
  readonly deadlineMs: number;
  /** hook: read from DescribeLifecycleHooks; assumed: the fallback timeout. */
  readonly basis: 'heartbeats' | 'hook' | 'assumed';
}

/**
 * The instance's deadline. Without heartbeats (or with an interval that does not beat the timeout)
 * the hook expires HeartbeatTimeout after it started. With them, it lives until the global timeout, or
 * HeartbeatTimeout after the last heartbeat HEARTBEAT_UNTIL allows (at least until − interval after
 * they started), whichever comes first.
 */
export function hookDeadline(input: HookDeadlineInput): HookDeadline {
  if (!input.hook || input.hook.heartbeatTimeoutSeconds <= 0) {
    return { deadlineMs: input.startedAtMs + input.fallbackTimeoutSeconds * 1000, basis: 'assumed' };
  }
  const timeoutMs = input.hook.heartbeatTimeoutSeconds * 1000;
  const expiresMs = input.startedAtMs + timeoutMs;
  const intervalMs =
    input.heartbeatIntervalSeconds > 0 ? input.heartbeatIntervalSeconds * 1000 : timeoutMs / 2;
  const firstBeatMs = input.noticedAtMs + intervalMs;
  if (!input.heartbeats || intervalMs >= timeoutMs || firstBeatMs >= expiresMs) {
    return { deadlineMs: expiresMs, basis: 'hook' };
  }
  const globalMs = input.startedAtMs + globalTimeoutSeconds(input.hook) * 1000;
  const untilMs =
    (input.heartbeatUntilSeconds > 0 ? input.heartbeatUntilSeconds : MAX_GLOBAL_TIMEOUT_SECONDS) * 1000;
  const lastBeatMs = input.noticedAtMs + Math.max(intervalMs, untilMs - intervalMs);
  return { deadlineMs: Math.max(expiresMs, Math.min(globalMs, lastBeatMs + timeoutMs)), basis: 'heartbeats' };
}

/** Inputs of the decision to drain again while a lifecycle hook holds the instance. */
export interface RedrainInput {
  readonly result: 'succeeded' | 'forced' | 'blocked' | 'timed_out' | 'failed';
  readonly nowMs: number;
  readonly deadlineMs: number;
  /** How long one drain attempt may take (NODE_TERMINATION_GRACE_PERIOD). */
  readonly drainTimeoutMs: number;
  /** Pause between attempts. */
  readonly retryDelayMs: number;
}

/**
 * Drain again only when the drain was blocked or timed out (a PDB or a slow pod: they may clear) and
 * another attempt, after the pause, still ends before the hook's deadline. Done, forced, or failed
 * (refused, API error) drains are final.
 */
export function shouldDrainAgain(input: RedrainInput): boolean {
  if (input.result !== 'blocked' && input.result !== 'timed_out') return false;
  return input.nowMs + input.retryDelayMs + input.drainTimeoutMs <= input.deadlineMs;
}
