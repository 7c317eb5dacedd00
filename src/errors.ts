/** Typed errors mapped at adapter boundaries (STYLE rule 6). Branch on classes, never on message text. */

/** Base class: every error we raise says whether trying again can help. */
export class SpotHandlerError extends Error {
  readonly retryable: boolean;
  constructor(message: string, options: { cause?: unknown; retryable?: boolean } = {}) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.retryable = options.retryable ?? false;
  }
}

/** The object does not exist (HTTP 404). */
export class NotFoundError extends SpotHandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** This replica no longer leads (fencing, queue mode): the write was not sent; stop, never retry. */
export class NotLeader extends SpotHandlerError {
  constructor(message = 'this replica no longer holds the lease: write not sent') {
    super(message, { retryable: false });
  }
}

/** Optimistic concurrency lost (HTTP 409): re-read and try again. */
export class ConflictError extends SpotHandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** Eviction refused by a PodDisruptionBudget (HTTP 429 with cause DisruptionBudget, or 500 for several PDBs). */
export class EvictionBlockedError extends SpotHandlerError {
  readonly retryAfterMs: number | undefined;
  readonly budget: string | undefined;
  readonly multiplePdbs: boolean;
  constructor(
    message: string,
    options: { cause?: unknown; retryAfterMs?: number; budget?: string; multiplePdbs?: boolean } = {},
  ) {
    super(message, { cause: options.cause, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
    this.budget = options.budget;
    this.multiplePdbs = options.multiplePdbs ?? false;
  }
}

/** Server asks us to slow down (HTTP 429 without a PDB cause: API priority and fairness). */
export class ThrottledError extends SpotHandlerError {
  readonly retryAfterMs: number | undefined;
  constructor(message: string, options: { cause?: unknown; retryAfterMs?: number } = {}) {
    super(message, { cause: options.cause, retryable: true });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** A transient failure (5xx, timeout, connection reset). */
export class TransientError extends SpotHandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: true });
  }
}

/** The server does not offer what we asked for (e.g. no eviction subresource). */
export class UnsupportedError extends SpotHandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
  }
}

/** Any other permanent failure (4xx we cannot fix by retrying, 403 forbidden). */
export class PermanentError extends SpotHandlerError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { ...options, retryable: false });
  }
}

/**
 * Why a call fails in a way only a change of setup can fix: a bounded set (the `reason` label of
 * `spot_handler_permanent_error`).
 */
export type SetupReason =
  | 'queue_not_found'
  | 'access_denied'
  | 'invalid_credentials'
  | 'wrong_region'
  | 'kube_unauthorized'
  | 'kube_forbidden';

/**
 * A permanent error no retry can fix until someone changes the setup (a missing IAM action or RBAC verb,
 * bad credentials, a wrong queue URL or region). `fix` says what to change. Callers keep retrying at
 * their backoff anyway: the fix usually arrives without a restart (a policy attached later).
 */
export class SetupError extends PermanentError {
  readonly reason: SetupReason;
  /** What to change, for a person: the IAM action, the chart value, the RBAC verb and resource. */
  readonly fix: string;
  constructor(message: string, options: { cause?: unknown; reason: SetupReason; fix: string }) {
    super(message, { cause: options.cause });
    this.reason = options.reason;
    this.fix = options.fix;
  }
}

/** Invalid configuration: every problem listed at once. */
export class ConfigError extends SpotHandlerError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n  - ${problems.join('\n  - ')}`, { retryable: false });
    this.problems = problems;
  }
}

/** True when the error is ours and says retrying may help, or is not ours (unknown: assume transient). */
export function isRetryable(err: unknown): boolean {
  return err instanceof SpotHandlerError ? err.retryable : true;
}
