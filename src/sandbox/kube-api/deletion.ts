/** DELETE semantics: graceful pod deletion, preconditions, finalizers, namespace and owner cleanup. */
import type { ObjectOps } from './object-ops.js';
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';
import { conflict } from './status.js';
import { isRecord, kubeTime, podNodeName, podPhase } from './types.js';

/** DeleteOptions as sent in the body or the query. */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
  propagationPolicy?: string;
  dryRun?: boolean;
}

/** Result of a delete: the object, and whether it is gone or still terminating. */
export interface DeleteResult {
  readonly obj: KubeObject;
  readonly gone: boolean;
}

/** Reads DeleteOptions from a request body (may be empty). */
export function parseDeleteOptions(body: unknown): DeleteOptions {
  if (!isRecord(body)) return {};
  const out: DeleteOptions = {};
  if (typeof body['gracePeriodSeconds'] === 'number') out.gracePeriodSeconds = body['gracePeriodSeconds'];
  if (isRecord(body['preconditions'])) out.preconditions = body['preconditions'];
  if (typeof body['propagationPolicy'] === 'string') out.propagationPolicy = body['propagationPolicy'];
  if (Array.isArray(body['dryRun']) && body['dryRun'].includes('All')) out.dryRun = true;
  return out;
}

function checkPreconditions(def: ResourceDef, obj: KubeObject, options: DeleteOptions): void {
  const p = options.preconditions;
  const name = obj.metadata.name ?? '';
  if (p?.uid && p.uid !== obj.metadata.uid) {
    throw conflict(
      def.kind,
      def.group,
      name,
      `the UID in the precondition (${p.uid}) does not match the UID in record (${obj.metadata.uid ?? ''}). The object might have been deleted and then recreated`,
    );
  }
  if (p?.resourceVersion && p.resourceVersion !== obj.metadata.resourceVersion) {
    throw conflict(
      def.kind,
      def.group,
      name,
      `the ResourceVersion in the precondition (${p.resourceVersion}) does not match the ResourceVersion in record (${obj.metadata.resourceVersion ?? ''}). The object might have been modified`,
    );
  }
}

/** The grace period a pod deletion gets (CheckGracefulDelete): 0 for unbound or terminal pods. */
export function podGracePeriod(pod: KubeObject, requested: number | undefined): number {
  let period = requested ?? (pod.spec?.['terminationGracePeriodSeconds'] as number | undefined) ?? 0;
  if (podNodeName(pod) === '') period = 0;
  const phase = podPhase(pod);
  if (phase === 'Succeeded' || phase === 'Failed') period = 0;
  return Math.max(0, period);
}

function deletePod(ops: ObjectOps, def: ResourceDef, pod: KubeObject, options: DeleteOptions): DeleteResult {
  const meta = pod.metadata;
  let period: number;
  if (meta.deletionTimestamp !== undefined) {
    // Already terminating: only a shorter grace period changes anything (BeforeDelete).
    const current = meta.deletionGracePeriodSeconds ?? 0;
    if (options.gracePeriodSeconds === undefined || options.gracePeriodSeconds >= current)
      return { obj: pod, gone: false };
    period = Math.max(0, options.gracePeriodSeconds);
  } else period = podGracePeriod(pod, options.gracePeriodSeconds);
  const now = ops.clock.now();
  const marked: KubeObject = {
    ...pod,
    metadata: {
      ...meta,
      deletionTimestamp: kubeTime(now + period * 1000),
      deletionGracePeriodSeconds: period,
    },
  };
  if (options.dryRun) return { obj: marked, gone: period === 0 };
  const entry = ops.store.put(def.storage, marked);
  if (period > 0 || (meta.finalizers ?? []).length > 0) return { obj: entry.obj, gone: false };
  const last = ops.store.remove(def.storage, meta.namespace ?? '', meta.name ?? '');
  return { obj: last ?? entry.obj, gone: true };
}

function deleteNamespaceContents(ops: ObjectOps, namespace: string, defs: readonly ResourceDef[]): void {
  const seen = new Set<string>();
  for (const def of defs) {
    if (!def.namespaced || seen.has(def.storage)) continue;
    seen.add(def.storage);
    for (const obj of ops.store.list(def.storage, { namespace })) {
      ops.store.remove(def.storage, namespace, obj.metadata.name ?? '');
    }
  }
}

/** Deletes one object with real semantics; pods bound to a node stay Terminating until deleted with grace 0. */
export function deleteObject(
  ops: ObjectOps,
  def: ResourceDef,
  namespace: string,
  name: string,
  options: DeleteOptions,
  allDefs: readonly ResourceDef[],
): DeleteResult {
  const obj = ops.get(def, namespace, name);
  checkPreconditions(def, obj, options);
  if (def.plural === 'pods') return deletePod(ops, def, obj, options);
  if (options.dryRun) return { obj, gone: true };
  if ((obj.metadata.finalizers ?? []).length > 0 && def.plural !== 'namespaces') {
    if (obj.metadata.deletionTimestamp) return { obj, gone: false };
    const marked = {
      ...obj,
      metadata: {
        ...obj.metadata,
        deletionTimestamp: kubeTime(ops.clock.now()),
        deletionGracePeriodSeconds: 0,
      },
    };
    return { obj: ops.store.put(def.storage, marked).obj, gone: false };
  }
  if (def.plural === 'namespaces') deleteNamespaceContents(ops, name, allDefs);
  const last = ops.store.remove(def.storage, namespace, name) ?? obj;
  return { obj: last, gone: true };
}
