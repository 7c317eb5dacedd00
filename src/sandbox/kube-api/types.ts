/** Object shapes the simulator stores: plain JSON as it travels over the wire. */

/** An owner reference as the API serves it. */
export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

/** Object metadata (the fields the simulator reads or writes). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  [key: string]: unknown;
}

/** Any stored Kubernetes object. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A condition entry (pods, nodes). */
export interface Condition {
  type: string;
  status: string;
  [key: string]: unknown;
}

/** Plain JSON value. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** True for a plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Deep copy of a JSON-compatible value. */
export function cloneJson<T>(value: T): T {
  // JSON round trip: faster than structuredClone for these small plain objects
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** `spec.nodeName` of a pod, or '' when unbound. */
export function podNodeName(pod: KubeObject): string {
  const name = pod.spec?.['nodeName'];
  return typeof name === 'string' ? name : '';
}

/** `status.phase` of a pod ('' when unset). */
export function podPhase(pod: KubeObject): string {
  const phase = pod.status?.['phase'];
  return typeof phase === 'string' ? phase : '';
}

/** Conditions of an object's status. */
export function conditionsOf(obj: KubeObject): Condition[] {
  const list = obj.status?.['conditions'];
  return Array.isArray(list) ? (list as Condition[]) : [];
}

/** True when the object has a condition `type` with status "True". */
export function hasTrueCondition(obj: KubeObject, type: string): boolean {
  return conditionsOf(obj).some((c) => c.type === type && c.status === 'True');
}

/** Kubernetes timestamp (RFC 3339, seconds precision) for epoch milliseconds. */
export function kubeTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The controller owner reference, when there is one. */
export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}
