/**
 * A client-side token bucket shared by every Kubernetes API call (DESIGN §3: one limit for all drains,
 * sized far above client-go's 5 QPS so mass interruptions are not throttled by ourselves). Waiting
 * requests are served by priority, then in arrival order: the lease renewal first (a leader that cannot
 * renew behind a queue of evictions loses its lease and aborts every drain), node reads and writes next
 * (cordons), then pod calls (lists, evictions), Kubernetes Events last.
 */
import type { Clock } from '../clock.js';

/** Token bucket settings: sustained requests per second and the burst allowed on top. */
export interface RateLimiterOptions {
  readonly qps: number;
  readonly burst: number;
}

/**
 * Defaults from the contract: `--kube-api-qps 500`, `--kube-api-burst 1000`. 300 interrupted nodes of 20
 * pods need about 300 × (≈4 node calls + 20 evictions + ≈3 pod lists) ≈ 8,000 requests; at 500 QPS the
 * cordons (≈1,200 node calls, served first) take ≈1.5 s after the burst and the evictions ≈15 s. An EKS
 * API server under API Priority and Fairness admits this from one client without 429s.
 */
export const DEFAULT_RATE_LIMIT: RateLimiterOptions = { qps: 500, burst: 1000 };

/** Who waits first when the bucket is empty, most urgent first. */
export type RequestPriority = 'lease' | 'node' | 'pod' | 'event';

const RANK: Readonly<Record<RequestPriority, number>> = { lease: 0, node: 1, pod: 2, event: 3 };

/** The priority of an API request from its URL (path of /api or /apis); every method of a kind alike. */
export function requestPriority(url: string): RequestPriority {
  const path = url.replace(/^[a-z]+:\/\/[^/]+/i, '').split('?')[0] ?? '';
  if (path.startsWith('/apis/coordination.k8s.io/')) return 'lease';
  if (/^\/api\/v1\/nodes(\/|$)/.test(path)) return 'node';
  if (path.startsWith('/apis/events.k8s.io/') || /^\/api\/v1\/(namespaces\/[^/]+\/)?events(\/|$)/.test(path))
    return 'event';
  return 'pod';
}

interface Waiter {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/** Token bucket with one FIFO queue per priority; no request overtakes one of its own priority. */
export class RateLimiter {
  private tokens: number;
  private lastMs: number;
  private readonly queues: Waiter[][] = [[], [], [], []];
  private waiting = 0;
  private pumping = false;

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

  /** Requests waiting for a token. */
  get queued(): number {
    return this.waiting;
  }

  /** Takes one token, waiting behind more urgent and earlier requests (rejects when the signal aborts). */
  acquire(priority: RequestPriority = 'pod', signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason as Error);
    this.refill();
    if (this.waiting === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const queue = this.queues[RANK[priority]] ?? [];
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = queue.indexOf(waiter);
          if (at < 0) return;
          queue.splice(at, 1);
          this.waiting--;
          reject(signal?.reason as Error);
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      queue.push(waiter);
      this.waiting++;
      void this.pump();
    });
  }

  /** Hands out tokens to waiters, most urgent first, sleeping on the clock until the next token. */
  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.waiting > 0) {
        this.refill();
        while (this.tokens >= 1 && this.waiting > 0) {
          const next = this.queues.find((q) => q.length > 0)?.shift();
          if (!next) break;
          this.waiting--;
          this.tokens -= 1;
          next.signal?.removeEventListener('abort', next.onAbort);
          next.resolve();
        }
        if (this.waiting === 0) break;
        await this.clock.sleep(Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.options.qps)));
      }
    } finally {
      this.pumping = false;
    }
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.lastMs);
    this.lastMs = now;
    this.tokens = Math.min(this.options.burst, this.tokens + (elapsed * this.options.qps) / 1000);
  }
}
