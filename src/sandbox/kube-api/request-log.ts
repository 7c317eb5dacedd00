/** A bounded log of the requests the simulator answered, for assertions and benchmark counts. */

/** One answered request. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** Raw query string without '?', '' when none. */
  readonly query: string;
  readonly contentType: string;
  readonly status: number;
  readonly at: number;
  readonly userAgent: string;
}

/** Filter for counting and finding requests. */
export interface RequestFilter {
  readonly method?: string;
  readonly path?: string | RegExp;
  readonly status?: number;
}

function matches(r: RecordedRequest, f: RequestFilter): boolean {
  if (f.method !== undefined && r.method !== f.method) return false;
  if (f.status !== undefined && r.status !== f.status) return false;
  if (typeof f.path === 'string' && r.path !== f.path) return false;
  if (f.path instanceof RegExp && !f.path.test(r.path)) return false;
  return true;
}

/** Ring buffer of recorded requests plus a total counter that never wraps. */
export class RequestLog {
  private items: RecordedRequest[] = [];
  private totalCount = 0;

  constructor(private readonly capacity = 20_000) {}

  /** Adds one request. */
  logRequest(r: RecordedRequest): void {
    this.totalCount++;
    this.items.push(r);
    if (this.items.length > this.capacity * 1.25)
      this.items = this.items.slice(this.items.length - this.capacity);
  }

  /** Requests still held (the newest `capacity`), optionally filtered. */
  entries(filter: RequestFilter = {}): RecordedRequest[] {
    return this.items.filter((r) => matches(r, filter));
  }

  /** Number of held requests matching the filter. */
  count(filter: RequestFilter = {}): number {
    let n = 0;
    for (const r of this.items) if (matches(r, filter)) n++;
    return n;
  }

  /** Requests answered since start or the last clear (not bounded by capacity). */
  get total(): number {
    return this.totalCount;
  }

  /** Forgets everything. */
  clear(): void {
    this.items = [];
    this.totalCount = 0;
  }
}
