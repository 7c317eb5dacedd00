/**
 * SelfSubjectAccessReview (authorization.k8s.io/v1) for the simulator: every access is allowed unless a
 * test denied it (`denyAccess`), as if the ServiceAccount's Role lacked that verb. A denial answers the
 * review only; to make the real request fail too, add a `forbiddenFault` for its path.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseJsonBody, readBody, sendJson } from './http-util.js';

/** The path the review is created at. */
export const ACCESS_REVIEW_PATH = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';

/** Denied `group/resource:verb` keys (resource may be `pods/eviction`). */
export class AccessRules {
  private readonly denied = new Set<string>();

  /** Denies one verb on one resource (group '' for core). */
  deny(group: string, resource: string, verb: string): void {
    this.denied.add(`${group}/${resource}:${verb}`);
  }

  /** Allows everything again. */
  allowAll(): void {
    this.denied.clear();
  }

  /** Whether the access is allowed. */
  allows(group: string, resource: string, verb: string): boolean {
    return !this.denied.has(`${group}/${resource}:${verb}`);
  }
}

interface ResourceAttributes {
  readonly group?: string;
  readonly resource?: string;
  readonly subresource?: string;
  readonly verb?: string;
}

/** Answers a POST to ACCESS_REVIEW_PATH: the review echoed back with `status.allowed`. */
export async function serveAccessReview(
  req: IncomingMessage,
  res: ServerResponse,
  rules: AccessRules,
): Promise<void> {
  const body = parseJsonBody(await readBody(req)) as { spec?: { resourceAttributes?: ResourceAttributes } };
  const attrs = body.spec?.resourceAttributes ?? {};
  const resource = attrs.subresource
    ? `${attrs.resource ?? ''}/${attrs.subresource}`
    : (attrs.resource ?? '');
  const allowed = rules.allows(attrs.group ?? '', resource, attrs.verb ?? '');
  sendJson(res, 201, {
    kind: 'SelfSubjectAccessReview',
    apiVersion: 'authorization.k8s.io/v1',
    metadata: { creationTimestamp: null },
    spec: body.spec ?? {},
    status: allowed ? { allowed: true, reason: 'simulator: allowed' } : { allowed: false },
  });
}
