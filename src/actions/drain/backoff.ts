/**
 * Retry delays for refused evictions and transient errors: exponential with jitter, Retry-After honoured,
 * never a tight loop (NTH #258). Pure: the random draw is passed in.
 */

/** Backoff settings. */
export interface BackoffOptions {
  readonly initialMs: number;
  readonly maxMs: number;
}

/** Lower bound of any delay: a server asking for 0 s must not cause a hot loop. */
export const MIN_RETRY_MS = 50;

/**
 * Delay before attempt `attempt + 1` (attempt counts from 0). Jitter draws from [75 %, 100 %] of the
 * exponential step so that pods refused together do not retry in lockstep. A Retry-After wins when longer.
 */
export function retryDelayMs(
  attempt: number,
  options: BackoffOptions,
  random: number,
  retryAfterMs?: number,
): number {
  const step = Math.min(options.maxMs, options.initialMs * 2 ** Math.min(attempt, 30));
  const jittered = step * (0.75 + 0.25 * Math.min(1, Math.max(0, random)));
  return Math.round(Math.max(MIN_RETRY_MS, jittered, retryAfterMs ?? 0));
}
