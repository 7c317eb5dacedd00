/**
 * Translates client-node objects into the plain shapes of src/actions/kube-types.ts. Objects from typed
 * API calls carry Date values; objects from a Watch are raw JSON with RFC 3339 strings: both are handled.
 */
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { KubeNode, KubePod, NodeCondition, Taint, TaintEffect } from '../actions/kube-types.js';

function toMs(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isFinite(ms) ? ms : undefined;
  }
  return undefined;
}

function toIso(value: unknown): string | undefined {
  const ms = toMs(value);
  return ms === undefined ? undefined : new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A V1Pod (typed or raw) as a KubePod. */
export function toKubePod(pod: V1Pod): KubePod {
  const meta = pod.metadata ?? {};
  const owner = (meta.ownerReferences ?? []).find((o) => o.controller === true);
  const deletion = toMs(meta.deletionTimestamp);
  const spec = pod.spec;
  return {
    namespace: meta.namespace ?? 'default',
    name: meta.name ?? '',
    uid: meta.uid ?? '',
    ...(spec?.nodeName ? { nodeName: spec.nodeName } : {}),
    phase: pod.status?.phase ?? 'Unknown',
    ready: (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'),
    ...(deletion !== undefined ? { deletionTimestampMs: deletion } : {}),
    ...(spec?.terminationGracePeriodSeconds !== undefined
      ? { terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds }
      : {}),
    ...(spec?.priority !== undefined ? { priority: spec.priority } : {}),
    ...(spec?.priorityClassName ? { priorityClassName: spec.priorityClassName } : {}),
    annotations: meta.annotations ?? {},
    ...(owner ? { controller: { kind: owner.kind, name: owner.name, apiVersion: owner.apiVersion } } : {}),
    hasEmptyDir: (spec?.volumes ?? []).some((v) => v.emptyDir !== undefined && v.emptyDir !== null),
  };
}

/** A V1Node as a KubeNode. */
export function toKubeNode(node: V1Node): KubeNode {
  const meta = node.metadata ?? {};
  const taints = (node.spec?.taints ?? []).map((t): Taint => {
    const added = toIso(t.timeAdded);
    return {
      key: t.key,
      ...(t.value !== undefined ? { value: t.value } : {}),
      effect: t.effect as TaintEffect,
      ...(added ? { timeAdded: added } : {}),
    };
  });
  const conditions = (node.status?.conditions ?? []).map((c): NodeCondition => {
    const transition = toIso(c.lastTransitionTime);
    const heartbeat = toIso(c.lastHeartbeatTime);
    return {
      type: c.type,
      status: c.status,
      ...(c.reason !== undefined ? { reason: c.reason } : {}),
      ...(c.message !== undefined ? { message: c.message } : {}),
      ...(transition ? { lastTransitionTime: transition } : {}),
      ...(heartbeat ? { lastHeartbeatTime: heartbeat } : {}),
    };
  });
  return {
    name: meta.name ?? '',
    resourceVersion: meta.resourceVersion ?? '',
    ...(node.spec?.providerID ? { providerId: node.spec.providerID } : {}),
    unschedulable: node.spec?.unschedulable === true,
    labels: meta.labels ?? {},
    annotations: meta.annotations ?? {},
    taints,
    conditions,
  };
}
