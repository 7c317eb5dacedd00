/** How the executor retries a step that failed with a retryable error (5xx, 429, 409, timeouts). */
import { ThrottledError, type SpotHandlerError } from '../errors.js';

/** Retryable step failures (5xx, 429, 409, timeouts) are retried in place this many times before failing. */
export const STEP_RETRY_LIMIT = 8;

/** Back-off before retry `attempt` (1-based): Retry-After when given, else 250 ms doubling up to 4 s. */
export function stepRetryDelayMs(err: SpotHandlerError, attempt: number): number {
  const own = err instanceof ThrottledError ? err.retryAfterMs : undefined;
  return own ?? Math.min(4000, 250 * 2 ** (attempt - 1));
}
