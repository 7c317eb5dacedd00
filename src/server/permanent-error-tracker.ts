/**
 * Honest readiness for errors no retry can fix (issue #17): while any call fails with a SetupError
 * (missing IAM action or RBAC verb, bad credentials, a queue that does not exist), /readyz is not ready
 * with a detail naming the cause and the fix. One log line per change of state, never per retry; the
 * first success of the same call clears it, so a fix applied later (a policy attached) needs no restart.
 */
import type { Logger } from 'pino';
import { SetupError, type SetupReason } from '../errors.js';

/** Which integration a call belongs to (the `component` label). */
export type SetupComponent = 'sqs' | 'autoscaling' | 'ec2' | 'kube';

/** The gauge the tracker keeps: calls failing now, by component and reason. */
export interface PermanentErrorGauge {
  set(labels: { component: SetupComponent; reason: SetupReason }, value: number): void;
}

/** Feeds the tracker: call `failed` with the SetupError of a call, `succeeded` after it worked. */
export interface PermanentErrorSink {
  failed(component: SetupComponent, call: string, err: SetupError): void;
  succeeded(component: SetupComponent, call: string): void;
}

/** The readiness check the tracker owns. */
export const SETUP_CHECK = 'setup';

interface Failing {
  readonly component: SetupComponent;
  readonly reason: SetupReason;
  readonly detail: string;
}

/** Tracks calls failing with a SetupError; ready when none is. */
export class PermanentErrorTracker implements PermanentErrorSink {
  private readonly failing = new Map<string, Failing>();

  constructor(
    private readonly deps: {
      readonly setReady: (check: string, ready: boolean, detail?: string) => void;
      readonly logger: Logger;
      readonly gauge: PermanentErrorGauge;
    },
  ) {
    deps.setReady(SETUP_CHECK, true, 'no permanent errors');
  }

  /** A call failed with a SetupError: not ready (logged once, when the state or its cause changes). */
  failed(component: SetupComponent, call: string, err: SetupError): void {
    const key = `${component}:${call}`;
    const detail = `${err.message} (${err.reason}); fix: ${err.fix}`;
    const before = this.failing.get(key);
    if (before?.detail === detail) return;
    this.failing.set(key, { component, reason: err.reason, detail });
    this.deps.logger.error(
      { api: component, call, reason: err.reason, fix: err.fix, err },
      `${component} ${call} fails with a permanent error: not ready until fixed; retrying`,
    );
    this.publish(component, err.reason, before?.reason);
  }

  /** A call worked: clears its permanent error, if it had one (logged once). */
  succeeded(component: SetupComponent, call: string): void {
    const key = `${component}:${call}`;
    const before = this.failing.get(key);
    if (!before) return;
    this.failing.delete(key);
    this.deps.logger.info(
      { api: component, call, reason: before.reason },
      `${component} ${call} works again: permanent error cleared`,
    );
    this.publish(component, before.reason);
  }

  private publish(component: SetupComponent, reason: SetupReason, previous?: SetupReason): void {
    for (const r of new Set([reason, ...(previous ? [previous] : [])])) {
      const count = [...this.failing.values()].filter((f) => f.component === component && f.reason === r);
      this.deps.gauge.set({ component, reason: r }, count.length);
    }
    const details = [...this.failing.values()].map((f) => f.detail);
    if (details.length === 0) this.deps.setReady(SETUP_CHECK, true, 'no permanent errors');
    else this.deps.setReady(SETUP_CHECK, false, details.join(' | '));
  }
}

/**
 * Wraps a port (an object of async methods) so every call reports to `sink`: a SetupError rejection as
 * failed, a resolution as succeeded, keyed `<label>.<method>`. The port's behaviour is unchanged.
 */
export function watchPermanentErrors<T extends object>(
  port: T,
  component: SetupComponent,
  label: string,
  sink: PermanentErrorSink,
): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function' || typeof prop !== 'string') return value;
      const call = `${label}.${prop}`;
      return (...args: unknown[]) => {
        const out: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(out instanceof Promise)) return out;
        return out.then(
          (result: unknown) => {
            sink.succeeded(component, call);
            return result;
          },
          (err: unknown) => {
            if (err instanceof SetupError) sink.failed(component, call, err);
            throw err;
          },
        );
      };
    },
  });
}
