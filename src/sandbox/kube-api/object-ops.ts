/** CRUD on stored objects with real API semantics (create, get, update, patch); used by HTTP and controllers. */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../clock.js';
import type { AdmissionOptions } from './admission.js';
import type { ResourceDef } from './resources.js';
import type { ObjectStore } from './object-store.js';
import type { KubeObject } from './types.js';
import { admitCreate } from './admission.js';
import { MAX_GENERATED_PREFIX } from './name-rules.js';
import { eventFromCore, eventToCore } from './event-rules.js';
import { apiVersionOf, resourceOf } from './resources.js';
import { jsonPatch, mergePatch, strategicMergePatch } from './patch.js';
import { ApiError, alreadyExists, badRequest, conflict, notFound } from './status.js';
import { cloneJson, isRecord, kubeTime } from './types.js';

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

/** Random 5-character suffix as generateName and controllers use. */
export function randomSuffix(length = 5): string {
  let s = '';
  for (let i = 0; i < length; i++) s += NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)] ?? 'x';
  return s;
}

/** Write options shared by create/update/patch. */
export interface WriteOptions {
  readonly dryRun?: boolean;
  /** 'status' for the status subresource. */
  readonly subresource?: string;
}

/** Object operations over the store (no HTTP). */
export class ObjectOps {
  constructor(
    readonly store: ObjectStore,
    readonly clock: Clock,
    private readonly admission: AdmissionOptions,
  ) {}

  /** The object as served by `def` (events.k8s.io converts from the stored core form). */
  external(def: ResourceDef, obj: KubeObject): KubeObject {
    return def.group === 'events.k8s.io' ? eventFromCore(obj) : obj;
  }

  private internal(def: ResourceDef, obj: KubeObject): KubeObject {
    return def.group === 'events.k8s.io' ? eventToCore(obj) : obj;
  }

  /** Reads one object; 404 when missing. */
  get(def: ResourceDef, namespace: string, name: string): KubeObject {
    const obj = this.store.get(def.storage, namespace, name);
    if (!obj) throw notFound(def.plural, def.group, name);
    return obj;
  }

  /** 404 when a namespaced request names a namespace that does not exist. */
  requireNamespace(def: ResourceDef, namespace: string): void {
    if (def.namespaced && !this.store.get('namespaces', '', namespace)) {
      throw notFound('namespaces', '', namespace);
    }
  }

  /** Creates an object: generateName, uid, timestamps, admission; 409 AlreadyExists. */
  create(def: ResourceDef, namespace: string, body: unknown, options: WriteOptions = {}): KubeObject {
    if (!isRecord(body)) throw badRequest('the body of the request was in an unknown format');
    const obj = this.internal(def, cloneJson(body) as KubeObject);
    const meta = isRecord(obj.metadata) ? obj.metadata : {};
    obj.metadata = meta;
    if (def.namespaced) {
      if (meta.namespace && meta.namespace !== namespace) {
        throw badRequest(
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      this.requireNamespace(def, namespace);
      meta.namespace = namespace;
    } else delete meta.namespace;
    if (!meta.name && meta.generateName)
      meta.name = `${meta.generateName.slice(0, MAX_GENERATED_PREFIX)}${randomSuffix()}`;
    const stored = this.internal(def, { apiVersion: apiVersionOf(def), kind: def.kind } as KubeObject);
    obj.apiVersion = stored.apiVersion;
    obj.kind = stored.kind;
    admitCreate(def, obj, this.admission);
    const name = meta.name ?? '';
    if (this.store.get(def.storage, def.namespaced ? namespace : '', name)) {
      throw alreadyExists(def.plural, def.group, name);
    }
    meta.uid = randomUUID();
    meta.creationTimestamp = kubeTime(this.clock.now());
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    if (def.generation) meta.generation = 1;
    if (options.dryRun) return obj;
    return this.store.put(def.storage, obj).obj;
  }

  /** PUT semantics: resourceVersion precondition (409), status/main split, generation, no-op detection. */
  update(
    def: ResourceDef,
    namespace: string,
    name: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    if (!isRecord(body) || !isRecord(body['metadata']))
      throw badRequest('the body of the request was in an unknown format');
    const current = this.get(def, namespace, name);
    const next = this.internal(def, cloneJson(body) as KubeObject);
    if (next.metadata.name !== undefined && next.metadata.name !== name) {
      throw badRequest(
        `the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`,
      );
    }
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== '' && rv !== current.metadata.resourceVersion) {
      throw conflict(def.plural, def.group, name);
    }
    return this.write(def, current, next, options);
  }

  /** PATCH semantics for the three patch types; a resourceVersion in the patch is a precondition (409). */
  patch(
    def: ResourceDef,
    namespace: string,
    name: string,
    contentType: string,
    body: unknown,
    options: WriteOptions = {},
  ): KubeObject {
    const current = this.get(def, namespace, name);
    const base = this.external(def, current);
    let patched: unknown;
    if (contentType === 'application/merge-patch+json') patched = mergePatch(base, body);
    else if (
      contentType === 'application/strategic-merge-patch+json' ||
      contentType === 'application/apply-patch+yaml'
    ) {
      patched = strategicMergePatch(base, body);
    } else if (contentType === 'application/json-patch+json') patched = jsonPatch(base, body);
    else throw unsupportedMediaType();
    if (!isRecord(patched) || !isRecord(patched['metadata']))
      throw badRequest('patch removed the object metadata');
    const next = this.internal(def, cloneJson(patched) as KubeObject);
    const rv = next.metadata.resourceVersion;
    if (rv !== undefined && rv !== current.metadata.resourceVersion)
      throw conflict(def.plural, def.group, name);
    if (next.metadata.name !== name)
      throw badRequest(`metadata.name: Invalid value: "${String(next.metadata.name)}": field is immutable`);
    return this.write(def, current, next, options);
  }

  /** Stores `next` as the new version of `current` (shared by update and patch). */
  write(def: ResourceDef, current: KubeObject, next: KubeObject, options: WriteOptions = {}): KubeObject {
    const merged = this.mergeForWrite(def, current, next, options.subresource === 'status');
    const finishing =
      merged.metadata.deletionTimestamp !== undefined && (merged.metadata.finalizers ?? []).length === 0;
    if (isNoop(current, merged) && !finishing) return current;
    if (options.dryRun) return merged;
    if (finishing && def.plural !== 'pods') {
      this.store.put(def.storage, merged);
      return (
        this.store.remove(def.storage, merged.metadata.namespace ?? '', merged.metadata.name ?? '') ?? merged
      );
    }
    return this.store.put(def.storage, merged).obj;
  }

  private mergeForWrite(
    def: ResourceDef,
    current: KubeObject,
    next: KubeObject,
    status: boolean,
  ): KubeObject {
    const cm = current.metadata;
    const meta = {
      ...next.metadata,
      name: cm.name,
      uid: cm.uid,
      creationTimestamp: cm.creationTimestamp,
      ...(cm.namespace !== undefined ? { namespace: cm.namespace } : {}),
    };
    delete meta.resourceVersion;
    if (cm.deletionTimestamp !== undefined) {
      meta.deletionTimestamp = cm.deletionTimestamp;
      meta.deletionGracePeriodSeconds = cm.deletionGracePeriodSeconds;
    } else {
      delete meta.deletionTimestamp;
      delete meta.deletionGracePeriodSeconds;
    }
    if (status) {
      // the status strategy keeps the stored spec (and a pod's owners); metadata edits such as labels and
      // annotations go through, as on a real 1.24 server (kubectl patch node --subresource=status)
      if (def.plural === 'pods') {
        if (cm.ownerReferences !== undefined) meta.ownerReferences = cm.ownerReferences;
        else delete meta.ownerReferences;
      }
      return { ...current, metadata: meta, status: next.status ?? {} };
    }
    const out: KubeObject = { ...next, apiVersion: current.apiVersion, kind: current.kind, metadata: meta };
    if (def.hasStatus) {
      if (current.status !== undefined) out.status = current.status;
      else delete out.status;
    }
    if (def.generation) {
      const changed = JSON.stringify(current.spec) !== JSON.stringify(out.spec);
      meta.generation = (cm.generation ?? 1) + (changed ? 1 : 0);
    }
    return out;
  }
}

/** JSON with sorted keys, so that key order does not make two equal objects differ. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    isRecord(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, v[k]]),
        )
      : v,
  );
}

function isNoop(current: KubeObject, next: KubeObject): boolean {
  const a = { ...current, metadata: { ...current.metadata, resourceVersion: undefined } };
  const b = { ...next, metadata: { ...next.metadata, resourceVersion: undefined } };
  return canonicalJson(a) === canonicalJson(b);
}

/** Resolves a resource definition used internally by the simulator (pods, nodes, ...). */
export const core = {
  pods: resourceOf('', 'pods'),
  nodes: resourceOf('', 'nodes'),
  namespaces: resourceOf('', 'namespaces'),
  replicasets: resourceOf('apps', 'replicasets'),
  deployments: resourceOf('apps', 'deployments'),
  pdbs: resourceOf('policy', 'poddisruptionbudgets'),
};

/** 415 for a patch content type the server does not know. */
export function unsupportedMediaType(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json',
  );
}
