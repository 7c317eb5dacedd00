/** The pods/eviction subresource: PDB checks and answers exactly like the real server (policy/v1 and v1beta1). */
import type { DisruptionController } from './disruption-controller.js';
import type { SubresourceHandler } from './dispatch.js';
import type { ObjectOps } from './object-ops.js';
import type { KubeObject } from './types.js';
import { deleteObject, parseDeleteOptions } from './deletion.js';
import { core } from './object-ops.js';
import { podsMatching } from './pdb-status.js';
import { RESOURCES } from './resources.js';
import { ApiError, badRequest } from './status.js';
import { hasTrueCondition, isRecord, kubeTime, podPhase } from './types.js';

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

/** The body a real server returns for an allowed eviction (HTTP 201). */
export const EVICTION_SUCCESS = {
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Success',
  code: 201,
};

/** PDB-free pods: Pending, Succeeded, Failed, or already terminating (canIgnorePDB). */
export function canIgnorePdb(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return (
    pod.metadata.deletionTimestamp !== undefined ||
    phase === 'Pending' ||
    phase === 'Succeeded' ||
    phase === 'Failed'
  );
}

function tooManyRequests(message: string, retryAfterSeconds?: number): ApiError {
  return new ApiError(429, 'TooManyRequests', VIOLATION, {
    causes: [{ reason: 'DisruptionBudget', message }],
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}),
  });
}

function checkBudget(ops: ObjectOps, pdb: KubeObject, pod: KubeObject, dryRun: boolean): void {
  const name = pdb.metadata.name ?? '';
  const status = pdb.status ?? {};
  const allowed = Number(status['disruptionsAllowed'] ?? 0);
  const desired = Number(status['desiredHealthy'] ?? 0);
  const healthy = Number(status['currentHealthy'] ?? 0);
  if (Number(status['observedGeneration'] ?? 0) < (pdb.metadata.generation ?? 1)) {
    throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`, 10);
  }
  // IfHealthyBudget: an unready pod may go while the budget is met, without using a disruption.
  if (!hasTrueCondition(pod, 'Ready') && healthy >= desired && desired > 0) return;
  if (allowed < 0) throw new ApiError(403, 'Forbidden', 'pdb disruptions allowed is negative');
  if (allowed === 0)
    throw tooManyRequests(
      `The disruption budget ${name} needs ${desired} healthy pods and has ${healthy} currently`,
    );
  if (dryRun) return;
  const disrupted = isRecord(status['disruptedPods']) ? status['disruptedPods'] : {};
  const next = {
    ...status,
    disruptionsAllowed: allowed - 1,
    disruptedPods: { ...disrupted, [pod.metadata.name ?? '']: kubeTime(ops.clock.now()) },
  };
  ops.store.put(core.pdbs.storage, { ...pdb, metadata: { ...pdb.metadata }, status: next });
}

/** Builds the eviction handler over the object operations and the disruption controller. */
export function evictionHandler(ops: ObjectOps, disruption: DisruptionController): SubresourceHandler {
  return (target, body, query) => {
    const ns = target.namespace ?? '';
    const name = target.name ?? '';
    if (!isRecord(body)) throw badRequest('the body of the request was in an unknown format');
    const meta = isRecord(body['metadata']) ? body['metadata'] : {};
    if (meta['name'] !== undefined && meta['name'] !== name)
      throw badRequest('name in URL does not match name in Eviction object');
    const options = parseDeleteOptions(body['deleteOptions']);
    if (query.getAll('dryRun').includes('All')) options.dryRun = true;
    const pod = ops.get(core.pods, ns, name);
    if (!canIgnorePdb(pod)) {
      disruption.flush(ns);
      const pdbs = ops.store
        .list(core.pdbs.storage, { namespace: ns })
        .filter((p) => podsMatching(p, [pod]).length > 0);
      // a real server answers this 500 with no reason and no details
      if (pdbs.length > 1)
        throw new ApiError(
          500,
          '',
          'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
        );
      const pdb = pdbs[0];
      if (pdb) checkBudget(ops, pdb, pod, options.dryRun === true);
    }
    // the UID precondition is checked by the delete, after the budget (a real server answers 429 first)
    deleteObject(ops, core.pods, ns, name, options, RESOURCES);
    return { code: 201, body: EVICTION_SUCCESS };
  };
}
