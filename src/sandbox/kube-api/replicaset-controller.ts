/**
 * A tiny ReplicaSet controller: when an owned pod starts terminating or vanishes, create a replacement.
 * ReplicaSets scaled by the Deployment controller (`reconcileNow`) also get pods created or deleted to
 * match spec.replicas; ReplicaSets a test creates by hand are left alone until one of their pods goes.
 */
import type { ObjectOps } from './object-ops.js';
import type { Scheduler } from './scheduler.js';
import type { StoreEvent } from './object-store.js';
import type { KubeObject } from './types.js';
import { core, randomSuffix } from './object-ops.js';
import { cloneJson, controllerOf, hasTrueCondition, isRecord, podPhase } from './types.js';
import { deleteObject } from './deletion.js';
import { RESOURCES } from './resources.js';

function isActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Replaces terminating or deleted ReplicaSet pods up to `spec.replicas` (only then, never on RS creation). */
export class ReplicaSetController {
  private readonly pending = new Set<string>();
  /** Active pods per ReplicaSet uid, counted once by a scan and then kept current from pod events. */
  private readonly activeCounts = new Map<string, number>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ops: ObjectOps,
    private readonly scheduler: Scheduler,
  ) {
    this.unsubscribe = ops.store.subscribe((storage, ev) => {
      if (storage === 'pods') this.onPod(ev);
    });
  }

  /** Stops listening. */
  stop(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private onPod(ev: StoreEvent): void {
    this.count(ev);
    const prev = ev.prev?.obj;
    if (!prev || !isActive(prev)) return;
    if (ev.type !== 'DELETED' && isActive(ev.entry.obj)) return;
    const ref = controllerOf(prev);
    if (ref?.kind !== 'ReplicaSet') return;
    this.pending.add(`${prev.metadata.namespace ?? ''}/${ref.name}`);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.reconcileAll();
    });
  }

  /** Keeps `activeCounts` current: O(1) per pod change instead of a namespace scan per reconcile. */
  private count(ev: StoreEvent): void {
    const prev = ev.prev?.obj;
    const cur = ev.type === 'DELETED' ? undefined : ev.entry.obj;
    const before = prev && isActive(prev) ? controllerOf(prev)?.uid : undefined;
    const after = cur && isActive(cur) ? controllerOf(cur)?.uid : undefined;
    if (before === after) return;
    const bump = (uid: string | undefined, by: number): void => {
      const n = uid === undefined ? undefined : this.activeCounts.get(uid);
      if (uid !== undefined && n !== undefined) this.activeCounts.set(uid, n + by);
    };
    bump(before, -1);
    bump(after, 1);
  }

  private activePods(ns: string, uid: string): number {
    const known = this.activeCounts.get(uid);
    if (known !== undefined) return known;
    let active = 0;
    for (const e of this.ops.store.entries('pods', { namespace: ns })) {
      if (controllerOf(e.obj)?.uid === uid && isActive(e.obj)) active++;
    }
    this.activeCounts.set(uid, active);
    return active;
  }

  private reconcileAll(): void {
    for (const key of [...this.pending]) {
      this.pending.delete(key);
      const [ns = '', name = ''] = key.split('/');
      this.reconcile(ns, name);
    }
  }

  /** Creates or deletes pods now until the ReplicaSet's active pods match spec.replicas. */
  reconcileNow(rs: KubeObject): void {
    this.reconcile(rs.metadata.namespace ?? '', rs.metadata.name ?? '', true);
  }

  private reconcile(ns: string, name: string, scaleDown = false): void {
    const rs = this.ops.store.get(core.replicasets.storage, ns, name);
    if (!rs || rs.metadata.deletionTimestamp !== undefined) return;
    const active = this.activePods(ns, rs.metadata.uid ?? '');
    const replicas = typeof rs.spec?.['replicas'] === 'number' ? rs.spec['replicas'] : 1;
    for (let i = active; i < replicas; i++) this.createReplacement(rs);
    if (scaleDown && active > replicas) this.deleteExcess(rs, active - replicas);
  }

  /**
   * Deletes `count` pods with their own grace period, in the real controller's order of preference:
   * unscheduled, then not Running, then not Ready, then the most recently created.
   */
  private deleteExcess(rs: KubeObject, count: number): void {
    const ns = rs.metadata.namespace ?? '';
    const rank = (p: KubeObject): number[] => [
      p.spec?.['nodeName'] ? 1 : 0,
      podPhase(p) === 'Running' ? 1 : 0,
      hasTrueCondition(p, 'Ready') ? 1 : 0,
      -(Date.parse(p.metadata.creationTimestamp ?? '') || 0),
    ];
    const victims = this.ops.store
      .list(core.pods.storage, { namespace: ns })
      .filter((p) => controllerOf(p)?.uid === rs.metadata.uid && isActive(p))
      .sort((a, b) => {
        const ra = rank(a);
        const rb = rank(b);
        for (let i = 0; i < ra.length; i++) if (ra[i] !== rb[i]) return (ra[i] ?? 0) - (rb[i] ?? 0);
        return 0;
      })
      .slice(0, count);
    for (const pod of victims) {
      try {
        deleteObject(this.ops, core.pods, ns, pod.metadata.name ?? '', {}, RESOURCES);
      } catch {
        // already gone
      }
    }
  }

  private createReplacement(rs: KubeObject): void {
    const template = isRecord(rs.spec?.['template']) ? cloneJson(rs.spec['template']) : {};
    const meta = isRecord(template['metadata']) ? template['metadata'] : {};
    const spec = isRecord(template['spec']) ? template['spec'] : {};
    const rsName = rs.metadata.name ?? '';
    const pod: KubeObject = {
      metadata: {
        ...meta,
        name: `${rsName}-${randomSuffix()}`,
        namespace: rs.metadata.namespace ?? '',
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: rsName,
            uid: rs.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { ...spec },
    };
    delete pod.spec?.['nodeName'];
    const node = this.scheduler(pod, this.ops.store);
    if (node !== undefined && pod.spec) pod.spec['nodeName'] = node;
    try {
      this.ops.create(core.pods, pod.metadata.namespace ?? '', pod);
    } catch {
      // a name clash or a bad template: the real controller would retry; the sandbox just skips
    }
  }
}
