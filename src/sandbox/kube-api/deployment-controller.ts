/**
 * A small Deployment controller that rolls like kube-controller-manager's (pkg/controller/deployment;
 * the decisions are in deployment-rollout.ts): the new ReplicaSet is named and labelled by a hash of the pod template; RollingUpdate scales it up by
 * maxSurge and scales old ReplicaSets down as new pods become available, never below
 * replicas − maxUnavailable; Recreate scales old ones to 0 first; a paused Deployment does not roll.
 * Status: observedGeneration, replicas, updatedReplicas, readyReplicas, availableReplicas.
 * Not modelled: minReadySeconds, progress deadlines, revision history limits, collision counts.
 */
import type { ObjectOps } from './object-ops.js';
import type { StoreEvent } from './object-store.js';
import type { ReplicaSetController } from './replicaset-controller.js';
import type { KubeObject } from './types.js';
import { core } from './object-ops.js';
import {
  HASH_LABEL,
  newest,
  num,
  recreateSteps,
  rollingUpdateSteps,
  templateHash,
  type RsView,
} from './deployment-rollout.js';
import { cloneJson, controllerOf, hasTrueCondition, isRecord, podPhase } from './types.js';

function isActive(pod: KubeObject): boolean {
  const phase = podPhase(pod);
  return pod.metadata.deletionTimestamp === undefined && phase !== 'Succeeded' && phase !== 'Failed';
}

/** Rolls Deployments by creating and scaling their ReplicaSets (whose pods the ReplicaSet controller runs). */
export class DeploymentController {
  private readonly pending = new Set<string>();
  /** Active and available pods per owner (ReplicaSet) uid, kept current from pod events (O(1) each). */
  private readonly podCounts = new Map<string, { active: number; available: number }>();
  private scheduled: NodeJS.Immediate | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly ops: ObjectOps,
    private readonly replicaSets: ReplicaSetController,
  ) {
    this.unsubscribe = ops.store.subscribe((storage, ev) => this.onChange(storage, ev));
  }

  /** Stops listening. */
  stop(): void {
    this.unsubscribe();
    if (this.scheduled) clearImmediate(this.scheduled);
  }

  private onChange(storage: string, ev: StoreEvent): void {
    const obj = ev.entry.obj;
    const ns = obj.metadata.namespace ?? '';
    if (storage === core.deployments.storage) {
      if (ev.type !== 'DELETED') this.enqueue(ns, obj.metadata.name ?? '');
    } else if (storage === core.replicasets.storage) {
      const owner = controllerOf(obj);
      if (owner?.kind === 'Deployment') this.enqueue(ns, owner.name);
    } else if (storage === core.pods.storage) {
      if (!this.count(ev)) return;
      const rsRef = controllerOf(obj);
      if (rsRef?.kind !== 'ReplicaSet') return;
      const rs = this.ops.store.get(core.replicasets.storage, ns, rsRef.name);
      const owner = rs ? controllerOf(rs) : undefined;
      if (owner?.kind === 'Deployment') this.enqueue(ns, owner.name);
    }
  }

  private enqueue(ns: string, name: string): void {
    this.pending.add(`${ns}/${name}`);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      for (const key of [...this.pending]) {
        this.pending.delete(key);
        const [n = '', d = ''] = key.split('/');
        this.sync(n, d);
      }
    });
  }

  /** Updates the counts from one pod event; true when the pod's contribution changed. */
  private count(ev: StoreEvent): boolean {
    const contribution = (p: KubeObject | undefined): string => {
      if (!p || !isActive(p)) return '';
      const uid = controllerOf(p)?.uid;
      return uid === undefined ? '' : `${uid}/${hasTrueCondition(p, 'Ready') ? 1 : 0}`;
    };
    const before = contribution(ev.prev?.obj);
    const after = contribution(ev.type === 'DELETED' ? undefined : ev.entry.obj);
    if (before === after) return false;
    const bump = (key: string, by: number): void => {
      if (key === '') return;
      const [uid = '', ready] = key.split('/');
      const c = this.podCounts.get(uid) ?? { active: 0, available: 0 };
      c.active += by;
      if (ready === '1') c.available += by;
      if (c.active <= 0) this.podCounts.delete(uid);
      else this.podCounts.set(uid, c);
    };
    bump(before, -1);
    bump(after, 1);
    return true;
  }

  private views(d: KubeObject): RsView[] {
    const ns = d.metadata.namespace ?? '';
    const uid = d.metadata.uid ?? '';
    const sets = this.ops.store
      .list(core.replicasets.storage, { namespace: ns })
      .filter((rs) => controllerOf(rs)?.uid === uid && rs.metadata.deletionTimestamp === undefined);
    const counts = this.podCounts;
    return sets.map((rs) => ({
      rs,
      replicas: num(rs.spec?.['replicas'], 1),
      active: counts.get(rs.metadata.uid ?? '')?.active ?? 0,
      available: counts.get(rs.metadata.uid ?? '')?.available ?? 0,
    }));
  }

  private sync(ns: string, name: string): void {
    const d = this.ops.store.get(core.deployments.storage, ns, name);
    if (!d || d.metadata.deletionTimestamp !== undefined) return;
    const spec = d.spec ?? {};
    const replicas = num(spec['replicas'], 1);
    const template = isRecord(spec['template']) ? spec['template'] : {};
    const hash = templateHash(template);
    let all = this.views(d);
    let current = newest(all, template);
    const paused = spec['paused'] === true;
    if (!paused) {
      const strategy = isRecord(spec['strategy']) ? spec['strategy'] : {};
      const steps =
        strategy['type'] === 'Recreate'
          ? recreateSteps(all, current, replicas)
          : rollingUpdateSteps(all, current, replicas, strategy);
      for (const step of steps) {
        if (step.type === 'create') this.createReplicaSet(d, hash, step.replicas);
        else this.scaleReplicaSet(step.rs, step.replicas);
      }
      all = this.views(d);
      current = newest(all, template);
    }
    this.writeStatus(d, all, current);
  }

  private createReplicaSet(d: KubeObject, hash: string, replicas: number): void {
    const spec = d.spec ?? {};
    const template = cloneJson(isRecord(spec['template']) ? spec['template'] : {});
    const tmeta = isRecord(template['metadata']) ? template['metadata'] : {};
    const labels = { ...(isRecord(tmeta['labels']) ? tmeta['labels'] : {}), [HASH_LABEL]: hash };
    template['metadata'] = { ...tmeta, labels };
    const selector = isRecord(spec['selector']) ? cloneJson(spec['selector']) : {};
    const matchLabels = isRecord(selector['matchLabels']) ? selector['matchLabels'] : {};
    selector['matchLabels'] = { ...matchLabels, [HASH_LABEL]: hash };
    const name = d.metadata.name ?? '';
    const rs: KubeObject = {
      metadata: {
        name: `${name}-${hash}`,
        labels,
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name,
            uid: d.metadata.uid ?? '',
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
      },
      spec: { replicas, selector, template },
    };
    try {
      const made = this.ops.create(core.replicasets, d.metadata.namespace ?? '', rs);
      this.replicaSets.reconcileNow(made);
    } catch {
      // a name clash: the next sync finds it
    }
  }

  private scaleReplicaSet(rs: KubeObject, replicas: number): void {
    const fresh = this.ops.store.get(
      core.replicasets.storage,
      rs.metadata.namespace ?? '',
      rs.metadata.name ?? '',
    );
    if (!fresh || num(fresh.spec?.['replicas'], 1) === replicas) return;
    const next = { ...fresh, spec: { ...fresh.spec, replicas } };
    this.replicaSets.reconcileNow(this.ops.write(core.replicasets, fresh, next));
  }

  private writeStatus(d: KubeObject, all: RsView[], current: RsView | undefined): void {
    const replicas = num(d.spec?.['replicas'], 1);
    const available = all.reduce((n, v) => n + v.available, 0);
    const status = {
      ...(d.status ?? {}),
      observedGeneration: d.metadata.generation ?? 1,
      replicas: all.reduce((n, v) => n + v.active, 0),
      updatedReplicas: current?.active ?? 0,
      readyReplicas: available,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, replicas - available),
    };
    for (const key of [
      'readyReplicas',
      'availableReplicas',
      'updatedReplicas',
      'replicas',
      'unavailableReplicas',
    ] as const) {
      if (status[key] === 0) delete (status as Record<string, unknown>)[key];
    }
    this.ops.write(core.deployments, d, { ...d, status }, { subresource: 'status' });
  }
}
