/** The object store: one resourceVersion counter (like etcd), indexes, watch history and fan-out. */
import type { KubeObject } from './types.js';
import { podNodeName } from './types.js';

/** A stored object version; its JSON is computed once and shared by GET, LIST and every watcher. */
export class StoredEntry {
  private cached: string | undefined;
  constructor(readonly obj: KubeObject) {}
  /** The object's JSON text. */
  get json(): string {
    this.cached ??= JSON.stringify(this.obj);
    return this.cached;
  }
}

/** Watch event types. */
export type WatchType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change as recorded in the history window. */
export interface StoreEvent {
  readonly type: WatchType;
  readonly rv: number;
  readonly entry: StoredEntry;
  /** The version before this change (MODIFIED, DELETED). */
  readonly prev?: StoredEntry;
}

/** A watcher registered on a collection. */
export interface Watcher {
  readonly namespace?: string;
  /** Set when the watcher selects `spec.nodeName=X`: only pod changes on that node reach it. */
  readonly nodeName?: string;
  matches(obj: KubeObject): boolean;
  send(type: WatchType, entry: StoredEntry): void;
}

/** Thrown by `eventsSince` when the requested resourceVersion was compacted away. */
export class ExpiredError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

class Collection {
  readonly byNs = new Map<string, Map<string, StoredEntry>>();
  readonly byNode = new Map<string, Map<string, StoredEntry>>();
  history: StoreEvent[] = [];
  compactedRv = 0;
  size = 0;
  readonly watchers = new Set<Watcher>();
  readonly nodeWatchers = new Map<string, Set<Watcher>>();
  constructor(readonly indexNodes: boolean) {}
}

/** Listener called synchronously after each change (controllers, PDB status). */
export type ChangeListener = (storage: string, ev: StoreEvent) => void;

/** The simulator's state; see ResourceDef.storage for collection names. */
export class ObjectStore {
  private rv = 0;
  /** resourceVersion of the last `compact()`: older versions are gone in every collection. */
  private compactedAt = 0;
  private readonly collections = new Map<string, Collection>();
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly historySize = 100_000) {}

  /** The latest resourceVersion handed out. */
  get resourceVersion(): number {
    return this.rv;
  }

  private col(storage: string): Collection {
    let c = this.collections.get(storage);
    if (!c) {
      c = new Collection(storage === 'pods');
      // a collection first used after a compaction has no history before it either
      c.compactedRv = this.compactedAt;
      this.collections.set(storage, c);
    }
    return c;
  }

  /** The stored object, if any. */
  get(storage: string, namespace: string, name: string): KubeObject | undefined {
    return this.getEntry(storage, namespace, name)?.obj;
  }

  /** The stored entry, if any. */
  getEntry(storage: string, namespace: string, name: string): StoredEntry | undefined {
    return this.col(storage).byNs.get(namespace)?.get(name);
  }

  /** Number of objects in a collection. */
  count(storage: string): number {
    return this.col(storage).size;
  }

  /** Pods bound to a node (index lookup). */
  countOnNode(nodeName: string): number {
    return this.col('pods').byNode.get(nodeName)?.size ?? 0;
  }

  /** Entries in a collection, narrowed by namespace and (pods) node name via indexes. */
  *entries(storage: string, scope: { namespace?: string; nodeName?: string } = {}): Generator<StoredEntry> {
    const c = this.col(storage);
    if (scope.nodeName !== undefined && c.indexNodes) {
      for (const e of c.byNode.get(scope.nodeName)?.values() ?? []) {
        if (scope.namespace === undefined || e.obj.metadata.namespace === scope.namespace) yield e;
      }
      return;
    }
    if (scope.namespace !== undefined) {
      yield* c.byNs.get(scope.namespace)?.values() ?? [];
      return;
    }
    for (const m of c.byNs.values()) yield* m.values();
  }

  /** Objects in a collection (convenience for tests and controllers). */
  list(storage: string, scope: { namespace?: string; nodeName?: string } = {}): KubeObject[] {
    return [...this.entries(storage, scope)].map((e) => e.obj);
  }

  /**
   * Stores a new version (the caller owns `obj` and never mutates it afterwards): assigns the next
   * resourceVersion, updates indexes, records history and notifies watchers.
   */
  put(storage: string, obj: KubeObject): StoredEntry {
    const c = this.col(storage);
    const ns = obj.metadata.namespace ?? '';
    const name = obj.metadata.name ?? '';
    obj.metadata.resourceVersion = String(++this.rv);
    const entry = new StoredEntry(obj);
    let nsMap = c.byNs.get(ns);
    if (!nsMap) {
      nsMap = new Map();
      c.byNs.set(ns, nsMap);
    }
    const prev = nsMap.get(name);
    nsMap.set(name, entry);
    if (!prev) c.size++;
    if (c.indexNodes) this.reindex(c, `${ns}/${name}`, prev, entry);
    const ev: StoreEvent = prev
      ? { type: 'MODIFIED', rv: this.rv, entry, prev }
      : { type: 'ADDED', rv: this.rv, entry };
    this.publish(storage, c, ev);
    return entry;
  }

  /** Removes an object; the DELETED event carries its last state with a new resourceVersion. */
  remove(storage: string, namespace: string, name: string): KubeObject | undefined {
    const c = this.col(storage);
    const nsMap = c.byNs.get(namespace);
    const prev = nsMap?.get(name);
    if (!nsMap || !prev) return undefined;
    nsMap.delete(name);
    if (nsMap.size === 0) c.byNs.delete(namespace);
    c.size--;
    if (c.indexNodes) this.reindex(c, `${namespace}/${name}`, prev, undefined);
    const last: KubeObject = {
      ...prev.obj,
      metadata: { ...prev.obj.metadata, resourceVersion: String(++this.rv) },
    };
    const entry = new StoredEntry(last);
    this.publish(storage, c, { type: 'DELETED', rv: this.rv, entry, prev });
    return last;
  }

  private reindex(
    c: Collection,
    key: string,
    prev: StoredEntry | undefined,
    next: StoredEntry | undefined,
  ): void {
    const before = prev ? podNodeName(prev.obj) : undefined;
    const after = next ? podNodeName(next.obj) : undefined;
    if (before !== undefined && before !== after) c.byNode.get(before)?.delete(key);
    if (after !== undefined && next) {
      let m = c.byNode.get(after);
      if (!m) {
        m = new Map();
        c.byNode.set(after, m);
      }
      m.set(key, next);
    }
  }

  private publish(storage: string, c: Collection, ev: StoreEvent): void {
    c.history.push(ev);
    if (c.history.length > this.historySize * 1.25) {
      const drop = c.history.length - this.historySize;
      c.compactedRv = c.history[drop - 1]?.rv ?? c.compactedRv;
      c.history = c.history.slice(drop);
    }
    for (const w of this.candidates(c, ev)) deliver(w, ev);
    for (const l of this.listeners) l(storage, ev);
  }

  private *candidates(c: Collection, ev: StoreEvent): Generator<Watcher> {
    yield* c.watchers;
    if (c.nodeWatchers.size === 0) return;
    const now = podNodeName(ev.entry.obj);
    yield* c.nodeWatchers.get(now) ?? [];
    const before = ev.prev ? podNodeName(ev.prev.obj) : now;
    if (before !== now) yield* c.nodeWatchers.get(before) ?? [];
  }

  /** Events after `rv` (exclusive); throws ExpiredError when they were compacted. */
  eventsSince(storage: string, rv: number): StoreEvent[] {
    const c = this.col(storage);
    if (rv < c.compactedRv) throw new ExpiredError(rv, c.compactedRv + 1);
    const h = c.history;
    let lo = 0;
    let hi = h.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((h[mid]?.rv ?? 0) <= rv) lo = mid + 1;
      else hi = mid;
    }
    return h.slice(lo);
  }

  /** resourceVersion of the collection's latest change (what a real watch cache is at for that resource). */
  lastChange(storage: string): number {
    const c = this.col(storage);
    return c.history[c.history.length - 1]?.rv ?? c.compactedRv;
  }

  /** Drops all history (as etcd compaction does): older resourceVersions now give 410 Gone. */
  compact(): void {
    this.compactedAt = this.rv;
    for (const c of this.collections.values()) {
      c.history = [];
      c.compactedRv = this.rv;
    }
  }

  /** Registers a watcher; returns the function that removes it. */
  addWatcher(storage: string, w: Watcher): () => void {
    const c = this.col(storage);
    if (w.nodeName !== undefined && c.indexNodes) {
      let set = c.nodeWatchers.get(w.nodeName);
      if (!set) {
        set = new Set();
        c.nodeWatchers.set(w.nodeName, set);
      }
      set.add(w);
      return () => {
        set.delete(w);
        if (set.size === 0) c.nodeWatchers.delete(w.nodeName ?? '');
      };
    }
    c.watchers.add(w);
    return () => void c.watchers.delete(w);
  }

  /** Registers a change listener; returns the function that removes it. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }
}

/** Sends one event to one watcher, turning selector transitions into ADDED/DELETED like the watch cache. */
export function deliver(w: Watcher, ev: StoreEvent): void {
  const nowMatch = w.matches(ev.entry.obj);
  if (ev.type === 'ADDED') {
    if (nowMatch) w.send('ADDED', ev.entry);
    return;
  }
  if (ev.type === 'DELETED') {
    if (ev.prev && w.matches(ev.prev.obj)) w.send('DELETED', ev.entry);
    return;
  }
  const wasMatch = ev.prev ? w.matches(ev.prev.obj) : false;
  if (nowMatch) w.send(wasMatch ? 'MODIFIED' : 'ADDED', ev.entry);
  else if (wasMatch) w.send('DELETED', ev.entry);
}
