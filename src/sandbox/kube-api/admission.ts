/** What admission plugins and defaulting do on create: pod defaults, node not-ready taint, validation. */
import type { ResourceDef } from './resources.js';
import type { KubeObject } from './types.js';
import { isRecord } from './types.js';
import { invalid } from './status.js';
import { validateEvent } from './event-rules.js';
import { nameCauses, nameRuleOf } from './name-rules.js';
import type { StatusCause } from './status.js';

/** Options that change admission behaviour. */
export interface AdmissionOptions {
  /** TaintNodesByCondition: new nodes get `node.kubernetes.io/not-ready:NoSchedule` (real default: true). */
  readonly taintNewNodes: boolean;
}

const PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

function qosClass(spec: Record<string, unknown>): string {
  const containers = Array.isArray(spec['containers']) ? (spec['containers'] as unknown[]) : [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const res = isRecord(c) && isRecord(c['resources']) ? c['resources'] : {};
    const req = isRecord(res['requests']) ? res['requests'] : {};
    const lim = isRecord(res['limits']) ? res['limits'] : {};
    if (Object.keys(req).length > 0 || Object.keys(lim).length > 0) any = true;
    const cpuMem = ['cpu', 'memory'];
    if (!cpuMem.every((k) => lim[k] !== undefined && (req[k] === undefined || req[k] === lim[k])))
      guaranteed = false;
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function admitPod(pod: KubeObject, metaCauses: StatusCause[]): void {
  const name = pod.metadata.name ?? '';
  const spec = pod.spec ?? {};
  const causes = [...metaCauses];
  if (!Array.isArray(spec['containers']) || spec['containers'].length === 0) {
    causes.push({ reason: 'FieldValueRequired', message: 'Required value', field: 'spec.containers' });
  }
  if (causes.length > 0) throw invalid('Pod', '', name, causes);
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['schedulerName'] ??= 'default-scheduler';
  spec['serviceAccountName'] ??= 'default';
  const pc = spec['priorityClassName'];
  spec['priority'] ??= typeof pc === 'string' ? (PRIORITY_CLASSES[pc] ?? 0) : 0;
  pod.spec = spec;
  const status = pod.status ?? {};
  status['phase'] ??= 'Pending';
  status['qosClass'] ??= qosClass(spec);
  pod.status = status;
}

function admitNode(node: KubeObject, options: AdmissionOptions): void {
  if (!options.taintNewNodes) return;
  const spec = node.spec ?? {};
  const taints = Array.isArray(spec['taints']) ? (spec['taints'] as Record<string, unknown>[]) : [];
  if (!taints.some((t) => t['key'] === 'node.kubernetes.io/not-ready')) {
    spec['taints'] = [...taints, { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
  }
  node.spec = spec;
}

/** Validates and defaults a new object in place (the caller owns it). Throws ApiError 422. */
export function admitCreate(def: ResourceDef, obj: KubeObject, options: AdmissionOptions): void {
  const name = obj.metadata.name ?? '';
  const metaCauses = nameCauses(nameRuleOf(def), name, obj.metadata.generateName);
  if (def.storage === 'events') return validateEvent(def, obj, metaCauses);
  if (def.plural === 'pods') return admitPod(obj, metaCauses);
  if (metaCauses.length > 0) throw invalid(def.kind, def.group, name, metaCauses);
  if (def.plural === 'nodes') admitNode(obj, options);
  else if (def.plural === 'namespaces') {
    obj.spec ??= { finalizers: ['kubernetes'] };
    obj.status = { phase: 'Active' };
  }
}
