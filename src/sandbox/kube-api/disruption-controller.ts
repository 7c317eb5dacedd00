/** Keeps PodDisruptionBudget status current (the disruption controller), batched per event-loop turn. */
import type { ObjectOps } from './object-ops.js';
import type { StoreEvent } from './object-store.js';
import type { KubeObject } from './types.js';
import { computePdbStatus } from './pdb-status.js';
import { canonicalJson, core } from './object-ops.js';
import { selectorObjectMatcher } from './selectors.js';

const PDBS = core.pdbs.storage;

/** Recomputes PDB status when pods or PDBs change; `flush(ns)` makes it current at once (eviction). */
export class DisruptionController {
  private readonly dirty = new Set<string>();
  private scheduled: NodeJS.Immediate | undefined;
  private writing = false;
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
    if (this.writing) return;
    if (storage === PDBS) {
      if (ev.type !== 'DELETED') this.mark(ev.entry.obj);
    } else if (storage === 'pods' || storage === 'apps/replicasets') {
      const ns = ev.entry.obj.metadata.namespace ?? '';
      for (const pdb of this.ops.store.entries(PDBS, { namespace: ns })) {
        if (storage !== 'pods' || this.selects(pdb.obj, ev)) this.mark(pdb.obj);
      }
    }
  }

  private selects(pdb: KubeObject, ev: StoreEvent): boolean {
    const match = selectorObjectMatcher(pdb.spec?.['selector']);
    return (
      match(ev.entry.obj.metadata.labels ?? {}) ||
      (ev.prev !== undefined && match(ev.prev.obj.metadata.labels ?? {}))
    );
  }

  private mark(pdb: KubeObject): void {
    this.dirty.add(`${pdb.metadata.namespace ?? ''}/${pdb.metadata.name ?? ''}`);
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.flush();
    });
  }

  /** Recomputes every dirty PDB now (only those in `namespace` when given). */
  flush(namespace?: string): void {
    for (const key of [...this.dirty]) {
      const [ns = '', name = ''] = key.split('/');
      if (namespace !== undefined && ns !== namespace) continue;
      this.dirty.delete(key);
      this.recompute(ns, name);
    }
  }

  private recompute(ns: string, name: string): void {
    const pdb = this.ops.store.get(PDBS, ns, name);
    if (!pdb) return;
    const scaleOf = (namespace: string, kind: string, owner: string): number | undefined => {
      const storage = {
        ReplicaSet: 'apps/replicasets',
        Deployment: 'apps/deployments',
        StatefulSet: 'apps/statefulsets',
      }[kind];
      if (!storage) return undefined;
      const obj = this.ops.store.get(storage, namespace, owner);
      const replicas = obj?.spec?.['replicas'];
      return obj ? (typeof replicas === 'number' ? replicas : 1) : undefined;
    };
    const status = computePdbStatus(
      pdb,
      this.ops.store.list('pods', { namespace: ns }),
      scaleOf,
      this.ops.clock.now(),
    );
    if (canonicalJson(status) === canonicalJson(pdb.status ?? {})) return;
    this.writing = true;
    try {
      this.ops.store.put(PDBS, { ...pdb, metadata: { ...pdb.metadata }, status: { ...status } });
    } finally {
      this.writing = false;
    }
  }
}
