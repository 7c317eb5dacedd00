/**
 * Cordon first (mass interruptions): no drain starts while another node action is between its start and
 * its cordon, so that hundreds of cordons are not queued behind thousands of evictions of the first nodes
 * (client-side the limiter serves node calls first, but the API server's own queue does not). The wait is
 * bounded: it ends when no cordon has started or finished for `stallMs` (one stuck cordon cannot hold
 * every drain), and after `maxWaitMs` in any case.
 */
import type { Clock } from '../clock.js';

/** Bounds of a drain's wait for other nodes' cordons. */
export interface CordonGateOptions {
  /** The wait ends when no action started or cordoned for this long (ms). */
  readonly stallMs: number;
  /** The wait ends after this long whatever happens (ms). */
  readonly maxWaitMs: number;
}

/** 2 s without progress, 15 s at most (a spot notice gives 120 s; a 20-pod drain needs a few). */
export const DEFAULT_CORDON_GATE: CordonGateOptions = { stallMs: 2000, maxWaitMs: 15_000 };

/** Tracks node actions that still have to cordon; drains wait until there are none (bounded). */
export class CordonGate {
  private readonly pending = new Set<string>();
  private readonly wakers = new Set<() => void>();
  private progressAtMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: CordonGateOptions = DEFAULT_CORDON_GATE,
  ) {
    this.progressAtMs = clock.now();
  }

  /** Actions between start and cordon right now. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** An action started and will cordon its node (idempotent). */
  begin(id: string): void {
    if (this.pending.has(id)) return;
    this.pending.add(id);
    this.progressAtMs = this.clock.now();
  }

  /** The action cordoned its node, or ended, or will not cordon after all (idempotent). */
  end(id: string): void {
    if (!this.pending.delete(id)) return;
    this.progressAtMs = this.clock.now();
    if (this.pending.size > 0) return;
    for (const wake of [...this.wakers]) wake();
  }

  /**
   * Resolves when no action is waiting to cordon (a draining action has cordoned already): true; or when
   * the wait ran out (stalled or too long): false. Rejects when the signal aborts.
   */
  async waitClear(signal?: AbortSignal): Promise<boolean> {
    const until = this.clock.now() + this.options.maxWaitMs;
    for (;;) {
      if (this.pending.size === 0) return true;
      const now = this.clock.now();
      const left = Math.min(until, this.progressAtMs + this.options.stallMs) - now;
      if (left <= 0) return false;
      await this.sleep(left, signal);
    }
  }

  /** Sleeps `ms`, woken early when the last pending cordon is done; rejects when the signal aborts. */
  private async sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
    const wake = new AbortController();
    const waker = (): void => wake.abort();
    this.wakers.add(waker);
    try {
      await this.clock.sleep(ms, signal ? AbortSignal.any([signal, wake.signal]) : wake.signal);
    } catch (err) {
      if (signal?.aborted) throw err;
    } finally {
      this.wakers.delete(waker);
    }
  }
}
