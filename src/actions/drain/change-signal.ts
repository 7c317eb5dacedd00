/** Wakes waiters when something changed (a watch event, an eviction result), with a clock-based timeout. */
import type { Clock } from '../../clock.js';

/** Why a wait's timer is cancelled; a reason given means abort() builds no DOMException (a stack trace each). */
const WOKEN = new Error('woken');

/** A level-free change signal: `wait` resolves on the next `raise`, at `untilMs`, or when the signal aborts. */
export class ChangeSignal {
  private waiters: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  /** Wakes every current waiter. */
  raise(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next raise, at untilMs (clock time) or on abort; never rejects. */
  async wait(untilMs: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return;
    const timer = new AbortController();
    const onAbort = (): void => timer.abort(WOKEN);
    signal?.addEventListener('abort', onAbort, { once: true });
    const woken = new Promise<void>((resolve) => this.waiters.push(resolve));
    const delay = Number.isFinite(untilMs) ? untilMs - this.clock.now() : 2 ** 31 - 1;
    const slept = this.clock.sleep(Math.max(0, delay), timer.signal).catch(() => undefined);
    await Promise.race([woken, slept]);
    timer.abort(WOKEN);
    signal?.removeEventListener('abort', onAbort);
  }
}
