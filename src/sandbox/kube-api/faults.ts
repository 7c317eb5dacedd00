/** Fault injection: latency, error statuses and cut watch streams, chosen by path and method. */

/** One fault rule. */
export interface FaultSpec {
  /** Matched against the request path (without query). A string must match exactly. */
  readonly path: RegExp | string;
  /** Only this HTTP method (default: any). */
  readonly method?: string;
  /** Only requests whose User-Agent matches (default: any), e.g. the daemon's `spot-handler/…`. */
  readonly userAgent?: RegExp;
  /** Delay before answering (or before the error). */
  readonly latencyMs?: number;
  /** Answer with this status (Status body) instead of serving the request. */
  readonly status?: number;
  /** Retry-After header and details.retryAfterSeconds (429/503). */
  readonly retryAfterSeconds?: number;
  /** Message in the Status body. */
  readonly message?: string;
  /** Apply to this many matching requests, then remove itself (default: until cleared). */
  readonly count?: number;
}

interface ActiveFault {
  readonly id: number;
  readonly spec: FaultSpec;
  remaining: number;
  hits: number;
}

/** Controls injected faults; `cutWatches` ends open watch streams now. */
export class FaultInjector {
  private faults: ActiveFault[] = [];
  private nextId = 1;
  private readonly cutters = new Set<(pattern?: RegExp) => void>();

  /** Adds a fault; returns its id. */
  add(spec: FaultSpec): number {
    const id = this.nextId++;
    this.faults.push({ id, spec, remaining: spec.count ?? Number.POSITIVE_INFINITY, hits: 0 });
    return id;
  }

  /** Removes one fault, or all when no id is given. */
  clear(id?: number): void {
    this.faults = id === undefined ? [] : this.faults.filter((f) => f.id !== id);
  }

  /** How many requests a fault has hit. */
  hits(id: number): number {
    return this.faults.find((f) => f.id === id)?.hits ?? this.spent.get(id) ?? 0;
  }

  private readonly spent = new Map<number, number>();

  /** The first fault that applies to this request (consumes one use). */
  take(method: string, path: string, userAgent = ''): FaultSpec | undefined {
    for (const f of this.faults) {
      const p = f.spec.path;
      const pathOk = typeof p === 'string' ? p === path : p.test(path);
      if (!pathOk || (f.spec.method !== undefined && f.spec.method !== method)) continue;
      if (f.spec.userAgent && !f.spec.userAgent.test(userAgent)) continue;
      f.hits++;
      f.remaining--;
      if (f.remaining <= 0) {
        this.spent.set(f.id, f.hits);
        this.faults = this.faults.filter((x) => x !== f);
      }
      return f.spec;
    }
    return undefined;
  }

  /** Ends every open watch stream whose path matches (all when no pattern). */
  cutWatches(path?: RegExp): void {
    for (const cut of [...this.cutters]) cut(path);
  }

  /** Registers an open watch (internal). Returns the unregister function. */
  onCut(cutter: (pattern?: RegExp) => void): () => void {
    this.cutters.add(cutter);
    return () => void this.cutters.delete(cutter);
  }
}

/**
 * A 403 as a real API server answers a ServiceAccount whose Role lacks `verb` on `resource` (the Status
 * message names user, verb, resource and group; reference/kube-api-behaviour.md "RBAC and auth").
 */
export function forbiddenFault(options: {
  readonly path: RegExp | string;
  readonly method: string;
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly user?: string;
  readonly namespace?: string;
  readonly count?: number;
}): FaultSpec {
  const user = options.user ?? 'system:serviceaccount:kube-system:spot-handler';
  const scope = options.namespace ? `in the namespace "${options.namespace}"` : 'at the cluster scope';
  const top = options.resource.split('/')[0] ?? options.resource;
  return {
    path: options.path,
    method: options.method,
    status: 403,
    message: `${top} is forbidden: User "${user}" cannot ${options.verb} resource "${options.resource}" in API group "${options.group ?? ''}" ${scope}`,
    ...(options.count === undefined ? {} : { count: options.count }),
  };
}
