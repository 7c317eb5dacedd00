import { describe, expect, it } from 'vitest';
import { ApiException } from '@kubernetes/client-node';
import {
  ConflictError,
  EvictionBlockedError,
  NotFoundError,
  PermanentError,
  SetupError,
  ThrottledError,
  TransientError,
  UnsupportedError,
} from '../../../src/errors.js';
import { budgetNameOf, mapKubeError, parseStatus } from '../../../src/kube/map-error.js';

const status = (code: number, reason: string, message: string, details?: object): string =>
  JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason, code, details });

const api = (code: number, body: string, headers: Record<string, string> = {}) =>
  new ApiException<string>(code, 'HTTP-Code: ' + code, body, headers);

const pdb429 = status(
  429,
  'TooManyRequests',
  "Cannot evict pod as it would violate the pod's disruption budget.",
  {
    causes: [
      {
        reason: 'DisruptionBudget',
        message: 'The disruption budget web-pdb needs 2 healthy pods and has 2 currently',
      },
    ],
  },
);
const stale429 = status(429, 'TooManyRequests', 'Cannot evict pod', {
  retryAfterSeconds: 10,
  causes: [
    {
      reason: 'DisruptionBudget',
      message: 'The disruption budget db-pdb is still being processed by the server.',
    },
  ],
});
const multi500 = status(
  500,
  'InternalError',
  'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
);

describe('mapKubeError', () => {
  it.each([
    [
      '404 NotFound Status',
      api(404, status(404, 'NotFound', 'pods "a" not found', { name: 'a', kind: 'pods' })),
      NotFoundError,
    ],
    ['404 without Status (no eviction route)', api(404, '404 page not found'), UnsupportedError],
    ['405', api(405, status(405, 'MethodNotAllowed', 'not allowed')), UnsupportedError],
    ['409', api(409, status(409, 'Conflict', 'the object has been modified')), ConflictError],
    ['429 PDB', api(429, pdb429), EvictionBlockedError],
    [
      '429 APF',
      api(429, status(429, 'TooManyRequests', 'too many requests'), { 'retry-after': '2' }),
      ThrottledError,
    ],
    ['500 multiple PDBs', api(500, multi500), EvictionBlockedError],
    ['500 other', api(500, status(500, 'InternalError', 'etcd timeout')), TransientError],
    ['503', api(503, 'unavailable'), TransientError],
    ['504', api(504, ''), TransientError],
    ['403', api(403, status(403, 'Forbidden', 'nodes is forbidden')), PermanentError],
    ['422', api(422, status(422, 'Invalid', 'bad')), PermanentError],
    [
      'connection refused',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      TransientError,
    ],
    ['abort', Object.assign(new Error('aborted'), { name: 'AbortError' }), TransientError],
    ['watch error with statusCode', Object.assign(new Error('Gone'), { statusCode: 410 }), TransientError],
  ])('%s', (_name, err, cls) => {
    const mapped = mapKubeError(err, 'evict default/a');
    expect(mapped).toBeInstanceOf(cls);
    expect(mapped.cause).toBe(err);
    expect(mapped.message).toContain('evict default/a');
  });

  it('reads the budget name and treats a missing Retry-After as undefined', () => {
    const e = mapKubeError(api(429, pdb429), 'evict') as EvictionBlockedError;
    expect(e.budget).toBe('web-pdb');
    expect(e.retryAfterMs).toBeUndefined();
    expect(e.multiplePdbs).toBe(false);
  });

  it('reads retryAfterSeconds from details and Retry-After from the header', () => {
    const stale = mapKubeError(api(429, stale429), 'evict') as EvictionBlockedError;
    expect(stale.budget).toBe('db-pdb');
    expect(stale.retryAfterMs).toBe(10_000);
    const header = mapKubeError(api(429, pdb429, { 'retry-after': '3' }), 'evict') as EvictionBlockedError;
    expect(header.retryAfterMs).toBe(3000);
    const apf = mapKubeError(api(429, 'slow down', { 'retry-after': '1' }), 'get') as ThrottledError;
    expect(apf.retryAfterMs).toBe(1000);
  });

  it('flags several PDBs', () => {
    const e = mapKubeError(api(500, multi500), 'evict') as EvictionBlockedError;
    expect(e.multiplePdbs).toBe(true);
    expect(e.retryable).toBe(true);
  });

  it('401 and 403 are setup errors naming the fix: the RBAC verb and resource, or the token', () => {
    const message =
      'nodes "n1" is forbidden: User "system:serviceaccount:kube-system:spot-handler" cannot patch resource "nodes" in API group "" at the cluster scope';
    const forbidden = mapKubeError(api(403, status(403, 'Forbidden', message)), 'patch node n1');
    expect(forbidden).toBeInstanceOf(SetupError);
    expect(forbidden).toMatchObject({ reason: 'kube_forbidden', retryable: false });
    expect((forbidden as SetupError).fix).toBe(
      'grant verb "patch" on resource "nodes" to the ServiceAccount\'s (Cluster)Role (kubectl auth can-i patch nodes --as=system:serviceaccount:kube-system:spot-handler)',
    );
    const evict = mapKubeError(
      api(
        403,
        status(
          403,
          'Forbidden',
          'pods "a" is forbidden: User "u" cannot create resource "pods/eviction" in API group "" in the namespace "default"',
        ),
      ),
      'evict',
    ) as SetupError;
    expect(evict.fix).toMatch(/^grant verb "create" on resource "pods\/eviction"/);
    const lease = mapKubeError(
      api(
        403,
        status(
          403,
          'Forbidden',
          'leases.coordination.k8s.io "l" is forbidden: User "u" cannot update resource "leases" in API group "coordination.k8s.io" in the namespace "kube-system"',
        ),
      ),
      'update lease',
    ) as SetupError;
    expect(lease.fix).toMatch(/verb "update" on resource "leases" in API group "coordination.k8s.io"/);
    const unauthorized = mapKubeError(api(401, status(401, 'Unauthorized', 'Unauthorized')), 'list nodes');
    expect(unauthorized).toMatchObject({ reason: 'kube_unauthorized' });
  });

  it('passes our own errors through', () => {
    const ours = new ConflictError('x');
    expect(mapKubeError(ours, 'y')).toBe(ours);
  });

  it('parses Status bodies given as text or object only', () => {
    expect(parseStatus('not json')).toBeUndefined();
    expect(parseStatus({ kind: 'Status', reason: 'NotFound' })?.reason).toBe('NotFound');
    expect(budgetNameOf(undefined)).toBeUndefined();
  });
});
