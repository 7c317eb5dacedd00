/**
 * Maps @kubernetes/client-node failures to our typed errors (STYLE rule 6). This is the one place that
 * reads HTTP codes and Status bodies; everything else branches on error classes.
 * In client-node 1.x an `ApiException` carries `code`, `headers` and `body` as the raw JSON text.
 */
import {
  ConflictError,
  EvictionBlockedError,
  NotFoundError,
  PermanentError,
  SetupError,
  SpotHandlerError,
  ThrottledError,
  TransientError,
  UnsupportedError,
} from '../errors.js';

/** The parts of a Kubernetes `Status` body we read. */
export interface KubeStatus {
  readonly kind?: string;
  readonly message?: string;
  readonly reason?: string;
  readonly code?: number;
  readonly details?: {
    readonly name?: string;
    readonly kind?: string;
    readonly retryAfterSeconds?: number;
    readonly causes?: readonly { readonly reason?: string; readonly message?: string }[];
  };
}

/** Parses a Status body given as text or object; undefined when it is not a Status. */
export function parseStatus(body: unknown): KubeStatus | undefined {
  let value = body;
  if (typeof body === 'string') {
    try {
      value = JSON.parse(body);
    } catch {
      return undefined;
    }
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const status = value as KubeStatus;
  return status.kind === 'Status' || typeof status.reason === 'string' ? status : undefined;
}

/** Reads the HTTP status of an ApiException (`code`) or a Watch error (`statusCode`). */
export function httpStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { code?: unknown; statusCode?: unknown };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.statusCode === 'number') return e.statusCode;
  return undefined;
}

/** Retry-After in ms, from the header or from Status `details.retryAfterSeconds`. */
export function retryAfterMsOf(err: unknown, status: KubeStatus | undefined): number | undefined {
  const headers = (err as { headers?: Record<string, string | undefined> }).headers;
  const header = headers?.['retry-after'] ?? headers?.['Retry-After'];
  const fromHeader = header === undefined ? NaN : Number(header);
  if (Number.isFinite(fromHeader) && fromHeader >= 0) return fromHeader * 1000;
  const seconds = status?.details?.retryAfterSeconds;
  return typeof seconds === 'number' && seconds >= 0 ? seconds * 1000 : undefined;
}

/** The PDB name from a DisruptionBudget cause: "The disruption budget web-pdb needs 2 healthy pods…". */
export function budgetNameOf(status: KubeStatus | undefined): string | undefined {
  for (const cause of status?.details?.causes ?? []) {
    if (cause.reason !== 'DisruptionBudget') continue;
    const match = /disruption budget (\S+?)[.,]?(?:\s|$)/i.exec(cause.message ?? '');
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function hasCause(status: KubeStatus | undefined, reason: string): boolean {
  return (status?.details?.causes ?? []).some((c) => c.reason === reason);
}

/**
 * The verb, resource and user in an RBAC refusal: `nodes "n1" is forbidden: User "system:serviceaccount:
 * kube-system:spot-handler" cannot patch resource "nodes" in API group "" at the cluster scope`.
 */
export function forbiddenAccessOf(
  message: string | undefined,
): { verb: string; resource: string; group: string; user?: string } | undefined {
  const m = /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"/.exec(message ?? '');
  if (!m?.[1] || !m[2]) return undefined;
  const user = /User "([^"]+)"/.exec(message ?? '')?.[1];
  return { verb: m[1], resource: m[2], group: m[3] ?? '', ...(user ? { user } : {}) };
}

/** 401/403 as a SetupError naming the fix (the RBAC verb and resource, or the credentials). */
function authError(code: 401 | 403, status: KubeStatus | undefined, message: string, err: unknown) {
  if (code === 401) {
    return new SetupError(message, {
      cause: err,
      reason: 'kube_unauthorized',
      fix: 'the API server rejects the credentials: check the ServiceAccount token (automountServiceAccountToken) or the kubeconfig',
    });
  }
  const access = forbiddenAccessOf(status?.message);
  const group = access?.group ? ` in API group "${access.group}"` : '';
  const who = access?.user
    ? ` (kubectl auth can-i ${access.verb} ${access.resource} --as=${access.user})`
    : '';
  const fix = access
    ? `grant verb "${access.verb}" on resource "${access.resource}"${group} to the ServiceAccount's (Cluster)Role${who}`
    : "grant the ServiceAccount's (Cluster)Role the verb and resource this call needs (rbac.create in the chart)";
  return new SetupError(message, { cause: err, reason: 'kube_forbidden', fix });
}

function mapHttp(err: unknown, code: number, what: string): SpotHandlerError {
  const status = parseStatus((err as { body?: unknown }).body);
  const message = `${what}: HTTP ${code}${status?.message ? `: ${status.message}` : ''}`;
  const options = { cause: err };
  if (code === 404) {
    // A Status NotFound names a missing object; a bare 404 means the path itself (e.g. pods/eviction) is not served.
    return status?.reason === 'NotFound' || status?.details?.name !== undefined
      ? new NotFoundError(message, options)
      : new UnsupportedError(message, options);
  }
  if (code === 405) return new UnsupportedError(message, options);
  if (code === 409) return new ConflictError(message, options);
  if (code === 410) return new TransientError(message, options);
  if (code === 429) {
    const retryAfterMs = retryAfterMsOf(err, status);
    if (hasCause(status, 'DisruptionBudget')) {
      return new EvictionBlockedError(message, { cause: err, retryAfterMs, budget: budgetNameOf(status) });
    }
    return new ThrottledError(message, { cause: err, retryAfterMs });
  }
  if (code === 500 && /more than one PodDisruptionBudget/i.test(status?.message ?? '')) {
    return new EvictionBlockedError(message, { cause: err, multiplePdbs: true });
  }
  if (code === 403 && hasCause(status, 'NamespaceTerminating')) return new TransientError(message, options);
  if (code === 401 || code === 403) return authError(code, status, message, err);
  if (code === 408 || code >= 500) return new TransientError(message, options);
  return new PermanentError(message, options);
}

/** Maps any failure of a Kubernetes call to a typed error; `what` names the call for the message. */
export function mapKubeError(err: unknown, what: string): SpotHandlerError {
  if (err instanceof SpotHandlerError) return err;
  const code = httpStatusOf(err);
  if (code !== undefined) return mapHttp(err, code, what);
  // No HTTP status: connection refused/reset, timeout, abort, DNS. Worth retrying within the deadline.
  const text = err instanceof Error ? err.message : String(err);
  return new TransientError(`${what}: ${text}`, { cause: err });
}
