/** What /healthz and /readyz report: loops send heartbeats, components set readiness checks. */
import type { Clock } from '../clock.js';

/** Handed to a loop: call beat() each iteration, stop() when the loop ends on purpose. */
export interface LoopHeartbeat {
  beat(): void;
  stop(): void;
}

/** One loop's liveness. */
export interface LoopStatus {
  readonly name: string;
  readonly alive: boolean;
  readonly ageMs: number;
  readonly allowanceMs: number;
}

/** Liveness: every registered loop has beaten within its allowance. */
export class LivenessRegistry {
  private readonly loops = new Map<string, { lastBeatMs: number; allowanceMs: number }>();

  constructor(private readonly clock: Clock) {}

  /** Registers a loop that must beat at least every `allowanceMs` (a long poll plus slack). */
  register(name: string, allowanceMs: number): LoopHeartbeat {
    const state = { lastBeatMs: this.clock.now(), allowanceMs };
    this.loops.set(name, state);
    return {
      beat: () => {
        state.lastBeatMs = this.clock.now();
      },
      stop: () => {
        if (this.loops.get(name) === state) this.loops.delete(name);
      },
    };
  }

  /** Each loop's state; alive when none is stuck. */
  check(): { readonly alive: boolean; readonly loops: readonly LoopStatus[] } {
    const now = this.clock.now();
    const loops = [...this.loops].map(([name, s]) => {
      const ageMs = now - s.lastBeatMs;
      return { name, alive: ageMs <= s.allowanceMs, ageMs, allowanceMs: s.allowanceMs };
    });
    return { alive: loops.every((l) => l.alive), loops };
  }
}

/** One readiness check's state. */
export interface CheckStatus {
  readonly name: string;
  readonly ready: boolean;
  readonly detail: string;
}

/** Readiness: every registered check passes (e.g. config, kube-api, imds, leader-election). */
export class ReadinessRegistry {
  private readonly checks = new Map<string, { ready: boolean; detail: string }>();

  /** Adds a check (not ready until set, unless `ready` is given). */
  register(name: string, ready = false, detail = ready ? 'ok' : 'starting'): void {
    this.checks.set(name, { ready, detail });
  }

  /** Updates a check; registers it when new. For leader election, leader and standby are both ready. */
  set(name: string, ready: boolean, detail = ready ? 'ok' : 'not ready'): void {
    this.checks.set(name, { ready, detail });
  }

  /** Each check's state; ready when all pass. */
  check(): { readonly ready: boolean; readonly checks: readonly CheckStatus[] } {
    const checks = [...this.checks].map(([name, s]) => ({ name, ...s }));
    return { ready: checks.every((c) => c.ready), checks };
  }
}
