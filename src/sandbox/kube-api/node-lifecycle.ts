/**
 * The NoSchedule part of the node lifecycle controller (kube-controller-manager, TaintNodesByCondition):
 * keeps `node.kubernetes.io/not-ready` (Ready=False), `node.kubernetes.io/unreachable` (Ready=Unknown)
 * and `node.kubernetes.io/unschedulable` (spec.unschedulable) NoSchedule taints in step with the node,
 * a moment after each change, as the real controller does. A node with no Ready condition gets none of
 * the first two (the real controller lifts the admission-time not-ready taint at once then).
 * Also the TTL controller's `node.alpha.kubernetes.io/ttl` annotation (0 s up to 100 nodes, as upstream).
 * Heartbeat timeouts (Ready→Unknown after 40 s) and NoExecute taints are not modelled.
 */
import type { ObjectOps } from './object-ops.js';
import type { StoreEvent } from './object-store.js';
import type { KubeObject } from './types.js';
import { isRecord, kubeTime } from './types.js';
import { core } from './object-ops.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';
const UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
const MANAGED = [NOT_READY, UNREACHABLE, UNSCHEDULABLE];
const TTL_ANNOTATION = 'node.alpha.kubernetes.io/ttl';

/** The TTL controller's value for a cluster of `nodes` nodes (upstream boundaries). */
export function nodeTtlSeconds(nodes: number): number {
  if (nodes <= 100) return 0;
  if (nodes <= 500) return 15;
  if (nodes <= 1000) return 30;
  if (nodes <= 2000) return 60;
  return 300;
}

type Taint = Record<string, unknown>;

function readyStatus(node: KubeObject): string | undefined {
  const conditions = node.status?.['conditions'];
  if (!Array.isArray(conditions)) return undefined;
  const ready = conditions.find((c) => isRecord(c) && c['type'] === 'Ready') as Taint | undefined;
  return typeof ready?.['status'] === 'string' ? ready['status'] : undefined;
}

/** The managed NoSchedule taint keys the node should carry. */
export function wantedTaintKeys(node: KubeObject): string[] {
  const keys: string[] = [];
  const ready = readyStatus(node);
  if (ready === 'False') keys.push(NOT_READY);
  else if (ready === 'Unknown') keys.push(UNREACHABLE);
  if (node.spec?.['unschedulable'] === true) keys.push(UNSCHEDULABLE);
  return keys;
}

/** The node's taints with the managed NoSchedule ones made right, or undefined when nothing changes. */
export function reconcileTaints(node: KubeObject, nowIso: string): Taint[] | undefined {
  const current = Array.isArray(node.spec?.['taints']) ? (node.spec['taints'] as Taint[]) : [];
  const wanted = wantedTaintKeys(node);
  const managed = (t: Taint): boolean => t['effect'] === 'NoSchedule' && MANAGED.includes(String(t['key']));
  const kept = current.filter((t) => !managed(t) || wanted.includes(String(t['key'])));
  const have = new Set(kept.filter(managed).map((t) => String(t['key'])));
  const added = wanted
    .filter((k) => !have.has(k))
    .map((key) => ({ key, effect: 'NoSchedule', timeAdded: nowIso }));
  if (added.length === 0 && kept.length === current.length) return undefined;
  return [...kept, ...added];
}

/** Watches node changes and fixes the managed taints on the next event-loop turn. */
export class NodeLifecycleController {
  private readonly dirty = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;

  constructor(private readonly ops: ObjectOps) {
    this.unsubscribe = ops.store.subscribe((storage, ev) => this.onChange(storage, ev));
  }

  /** Stops listening. */
  stop(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private onChange(storage: string, ev: StoreEvent): void {
    if (storage !== core.nodes.storage || ev.type === 'DELETED') return;
    this.dirty.add(ev.entry.obj.metadata.name ?? '');
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  /** Reconciles changed nodes, at most `batch` per call (the rest on the next turn, so requests interleave). */
  flush(batch = 32): void {
    let done = 0;
    for (const name of [...this.dirty]) {
      if (done++ >= batch) {
        this.scheduled ??= setImmediate(() => {
          this.scheduled = undefined;
          this.flush();
        });
        return;
      }
      this.dirty.delete(name);
      const node = this.ops.store.get(core.nodes.storage, '', name);
      if (!node || node.metadata.deletionTimestamp !== undefined) continue;
      const taints = reconcileTaints(node, kubeTime(this.ops.clock.now()));
      const ttl = String(nodeTtlSeconds(this.ops.store.count(core.nodes.storage)));
      const annotations = node.metadata.annotations ?? {};
      if (!taints && annotations[TTL_ANNOTATION] === ttl) continue;
      const spec = { ...(node.spec ?? {}) };
      if (taints && taints.length > 0) spec['taints'] = taints;
      else if (taints) delete spec['taints'];
      const metadata = { ...node.metadata, annotations: { ...annotations, [TTL_ANNOTATION]: ttl } };
      this.ops.store.put(core.nodes.storage, { ...node, metadata, spec });
    }
  }
}
