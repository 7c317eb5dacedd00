/**
 * How errors read in the logs. Our typed errors (src/errors.ts) are expected failures: a 409, a 5xx, a
 * refused eviction, an unreachable IMDS. They are logged as one short object (class, our one-line
 * message, retryable, the HTTP status or error code of the cause, and fields such as `reason` and `fix`)
 * with no stack and no response body: client-node's ApiException message carries the whole body and
 * headers (about 2 KB), and pino's default serializer would append it to our message. Their stack is
 * written on a separate debug line. Anything else is a bug: it keeps pino's full serialization.
 */
import { pino, type Logger } from 'pino';
import { SpotHandlerError } from '../errors.js';

/** The short form of a typed error in a log line. */
export interface LoggedError {
  readonly type: string;
  readonly message: string;
  readonly retryable: boolean;
  /** HTTP status or error code (ECONNREFUSED, ThrottlingException) of the underlying failure. */
  readonly cause?: string;
  readonly [field: string]: unknown;
}

const SKIP = new Set(['name', 'message', 'stack', 'cause', 'retryable']);

/** The HTTP status or error code of a cause, when it has one. */
function causeCode(cause: unknown): string | undefined {
  if (typeof cause !== 'object' || cause === null) return undefined;
  const c = cause as {
    code?: unknown;
    statusCode?: unknown;
    name?: unknown;
    $metadata?: { httpStatusCode?: unknown };
  };
  if (typeof c.code === 'number') return `HTTP ${c.code}`;
  if (typeof c.statusCode === 'number') return `HTTP ${c.statusCode}`;
  if (typeof c.code === 'string') return c.code;
  const aws = c.$metadata?.httpStatusCode;
  if (typeof aws === 'number' && typeof c.name === 'string') return `${c.name} (HTTP ${aws})`;
  return undefined;
}

/** The `err` serializer of the process logger. */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof SpotHandlerError)) return err instanceof Error ? pino.stdSerializers.err(err) : err;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (!SKIP.has(key) && value !== undefined && typeof value !== 'function') fields[key] = value;
  }
  const code = causeCode(err.cause);
  const out: LoggedError = {
    type: err.name,
    message: err.message,
    retryable: err.retryable,
    ...(code !== undefined && !err.message.includes(code) ? { cause: code } : {}),
    ...fields,
  };
  return out;
}

/**
 * pino's logMethod hook: after a line above debug that carries a typed error, writes that error's stack
 * at debug (so `LOG_LEVEL=debug` shows where it came from, and info/warn lines stay one short line).
 */
export function logStackAtDebug(
  this: Logger,
  args: Parameters<Logger['info']>,
  method: Logger['info'],
  level: number,
): void {
  method.apply(this, args);
  if (level <= 20 || !this.isLevelEnabled('debug')) return;
  const first: unknown = args[0];
  const err = typeof first === 'object' && first !== null ? (first as { err?: unknown }).err : undefined;
  if (err instanceof SpotHandlerError && err.stack) {
    this.debug({ stack: err.stack }, `stack of "${err.message.split('\n')[0] ?? ''}"`);
  }
}

/** "retry in 1.5 s" style text for the `next` field of a failure line. */
export function retryIn(delayMs: number): string {
  const secs = delayMs / 1000;
  return `${secs >= 10 ? Math.round(secs) : Number(secs.toFixed(1))} s`;
}
