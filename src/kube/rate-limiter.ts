/**
 * A client-side token bucket shared by every Kubernetes API call (DESIGN §3: one limit for all drains,
 * sized far above client-go's 5 QPS so mass interruptions are not throttled by ourselves).
 */
import type { Clock } from '../clock.js';

/** Token bucket settings: sustained requests per second and the burst allowed on top. */
export interface RateLimiterOptions {
  readonly qps: number;
  readonly burst: number;
}

/** Defaults from the contract: `--kube-api-qps 100`, `--kube-api-burst 200`. */
export const DEFAULT_RATE_LIMIT: RateLimiterOptions = { qps: 100, burst: 200 };

/** Token bucket; callers reserve a token and wait for it in arrival order (no starvation). */
export class RateLimiter {
  private tokens: number;
  private lastMs: number;

  constructor(
    private readonly clock: Clock,
    private readonly options: RateLimiterOptions = DEFAULT_RATE_LIMIT,
  ) {
    if (!(options.qps > 0) || !(options.burst >= 1)) {
      throw new RangeError(`rate limiter needs qps > 0 and burst >= 1, got ${options.qps}/${options.burst}`);
    }
    this.tokens = options.burst;
    this.lastMs = clock.now();
  }

  /** Takes one token, waiting until it is available (or rejects when the signal aborts). */
  async acquire(signal?: AbortSignal): Promise<void> {
    const waitMs = this.reserve();
    if (waitMs > 0) await this.clock.sleep(waitMs, signal);
  }

  /** Reserves a token now and returns how long the caller must wait for it (0 = go). */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens * 1000) / this.options.qps);
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.lastMs);
    this.lastMs = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.qps) / 1000);
  }
}
