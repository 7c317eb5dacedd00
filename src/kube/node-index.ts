/**
 * In-memory index of the cluster's nodes by EC2 instance id (from spec.providerID aws:///<az>/<id>),
 * kept current by list + watch with resourceVersion; re-lists on 410 Gone and after errors (backoff).
 * Only a few fields per node are kept, so 1,000 nodes cost little memory.
 */
import { CoreV1Api, Watch, type KubeConfig, type V1Node } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Clock } from '../clock.js';
import { SetupError, SpotHandlerError } from '../errors.js';
import { mapKubeError } from './map-error.js';

/** What the index keeps about a node. */
export interface IndexedNode {
  readonly nodeName: string;
  readonly instanceId?: string;
  readonly providerId?: string;
  readonly ready: boolean;
  readonly labels: Readonly<Record<string, string>>;
}

/** A watch event, already summarised. */
export type NodeWatchEvent =
  | {
      readonly type: 'ADDED' | 'MODIFIED' | 'DELETED';
      readonly node: IndexedNode;
      readonly resourceVersion: string;
    }
  | { readonly type: 'BOOKMARK'; readonly resourceVersion: string };

/** The watch's resourceVersion is too old (HTTP 410 Gone): list again. */
export class ResourceVersionExpiredError extends SpotHandlerError {
  constructor(message: string) {
    super(message, { retryable: true });
  }
}

/** List and watch of nodes (implemented on client-node by `kubeNodeListWatch`). */
export interface NodeListWatch {
  list(): Promise<{ readonly nodes: readonly IndexedNode[]; readonly resourceVersion: string }>;
  /** Streams events until the server ends the watch (resolves) or it fails (rejects). */
  watch(
    resourceVersion: string,
    onEvent: (event: NodeWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** The instance id in an AWS providerID (aws:///us-east-1a/i-0abc…), if any. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  const id = providerId?.startsWith('aws://') ? providerId.split('/').pop() : undefined;
  return id && /^i-[0-9a-f]{8,17}$/.test(id) ? id : undefined;
}

/** Summarises a Node object (typed or raw watch JSON). */
export function summariseNode(node: V1Node): IndexedNode {
  const providerId = node.spec?.providerID;
  const instanceId = instanceIdFromProviderId(providerId);
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  return {
    nodeName: node.metadata?.name ?? '',
    ready,
    labels: { ...(node.metadata?.labels ?? {}) },
    ...(providerId ? { providerId } : {}),
    ...(instanceId ? { instanceId } : {}),
  };
}

/** The node index. */
export class NodeIndex {
  private readonly byName = new Map<string, IndexedNode>();
  private readonly byInstance = new Map<string, IndexedNode>();
  private readonly listeners = new Set<() => void>();
  private markSynced!: () => void;
  /** Resolves after the first complete list. */
  readonly synced: Promise<void> = new Promise((resolve) => (this.markSynced = resolve));

  constructor(
    private readonly deps: { readonly source: NodeListWatch; readonly clock: Clock; readonly logger: Logger },
    private readonly options: { readonly backoffBaseMs?: number; readonly backoffMaxMs?: number } = {},
  ) {}

  /** Number of nodes known. */
  get size(): number {
    return this.byName.size;
  }

  /** The node running this instance, if it is one of ours. */
  lookup(instanceId: string): IndexedNode | undefined {
    return this.byInstance.get(instanceId);
  }

  /** The node with this name. */
  lookupByName(nodeName: string): IndexedNode | undefined {
    return this.byName.get(nodeName);
  }

  /** Resolves with the node once it exists and is Ready; undefined on timeout or abort. */
  async waitForReady(
    instanceId: string,
    timeoutMs: number,
    signal?: AbortSignal,
  ): Promise<IndexedNode | undefined> {
    const done = new AbortController();
    const stop = signal ? AbortSignal.any([signal, done.signal]) : done.signal;
    const timer = this.deps.clock.sleep(timeoutMs, stop).then(
      () => undefined,
      () => undefined,
    );
    let wake!: () => void;
    const check = (): IndexedNode | undefined => {
      const node = this.byInstance.get(instanceId);
      return node?.ready ? node : undefined;
    };
    try {
      for (;;) {
        const node = check();
        if (node || stop.aborted) return node;
        const changed = new Promise<'changed'>((resolve) => (wake = () => resolve('changed')));
        this.listeners.add(wake);
        const why = await Promise.race([changed, timer]);
        this.listeners.delete(wake);
        if (why !== 'changed') return check();
      }
    } finally {
      this.listeners.delete(wake);
      done.abort();
    }
  }

  /** Lists and watches until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        let resourceVersion = await this.relist();
        failures = 0;
        for (;;) {
          await this.deps.source.watch(resourceVersion, (e) => (resourceVersion = this.apply(e)), signal);
          if (signal.aborted) return;
        }
      } catch (err) {
        if (signal.aborted) return;
        if (err instanceof ResourceVersionExpiredError) {
          this.deps.logger.info('node watch expired (410); listing again');
          continue;
        }
        failures++;
        const base = this.options.backoffBaseMs ?? 1000;
        const delayMs = Math.min(this.options.backoffMaxMs ?? 30_000, base * 2 ** (failures - 1));
        // a SetupError (403/401) is logged once by the permanent-error tracker, not on every retry
        const log = err instanceof SetupError ? this.deps.logger.debug : this.deps.logger.warn;
        log.call(this.deps.logger, { err, delayMs }, 'node list/watch failed; retrying');
        await this.deps.clock.sleep(delayMs, signal).catch(() => undefined);
      }
    }
  }

  private async relist(): Promise<string> {
    const { nodes, resourceVersion } = await this.deps.source.list();
    this.byName.clear();
    this.byInstance.clear();
    for (const node of nodes) this.put(node);
    this.markSynced();
    this.notifyListeners();
    return resourceVersion;
  }

  /** Applies one event; returns the resourceVersion to resume from. */
  private apply(event: NodeWatchEvent): string {
    if (event.type === 'DELETED') this.remove(event.node.nodeName);
    else if (event.type !== 'BOOKMARK') this.put(event.node);
    this.notifyListeners();
    return event.resourceVersion;
  }

  private put(node: IndexedNode): void {
    this.remove(node.nodeName);
    this.byName.set(node.nodeName, node);
    if (node.instanceId) this.byInstance.set(node.instanceId, node);
  }

  private remove(nodeName: string): void {
    const old = this.byName.get(nodeName);
    if (!old) return;
    this.byName.delete(nodeName);
    if (old.instanceId && this.byInstance.get(old.instanceId) === old) this.byInstance.delete(old.instanceId);
  }

  private notifyListeners(): void {
    for (const listener of [...this.listeners]) listener();
  }
}

/** NodeListWatch on @kubernetes/client-node: paged list, then watch with bookmarks. */
export function kubeNodeListWatch(kubeConfig: KubeConfig): NodeListWatch {
  const api = kubeConfig.makeApiClient(CoreV1Api);
  const watcher = new Watch(kubeConfig);
  return {
    async list() {
      const nodes: IndexedNode[] = [];
      let cont: string | undefined;
      let resourceVersion = '';
      do {
        const page = await api
          .listNode({ limit: 500, ...(cont ? { _continue: cont } : {}) })
          .catch((err: unknown) => Promise.reject(mapKubeError(err, 'list nodes')));
        for (const node of page.items) nodes.push(summariseNode(node));
        cont = page.metadata?._continue || undefined;
        resourceVersion = page.metadata?.resourceVersion ?? resourceVersion;
      } while (cont);
      return { nodes, resourceVersion };
    },
    watch(resourceVersion, onEvent, signal) {
      return watchNodes(watcher, resourceVersion, onEvent, signal);
    },
  };
}

function watchNodes(
  watcher: Watch,
  resourceVersion: string,
  onEvent: (event: NodeWatchEvent) => void,
  signal: AbortSignal,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let failure: Error | undefined;
    let settled = false;
    const onObject = (type: string, obj: V1Node & { code?: number; message?: string }): void => {
      if (type === 'ERROR') {
        failure =
          obj.code === 410
            ? new ResourceVersionExpiredError(obj.message ?? 'resourceVersion too old')
            : mapKubeError(
                Object.assign(new Error(obj.message ?? 'watch error'), { code: obj.code }),
                'watch nodes',
              );
        return;
      }
      const rv = obj.metadata?.resourceVersion ?? resourceVersion;
      if (type === 'BOOKMARK') onEvent({ type, resourceVersion: rv });
      else if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') {
        onEvent({ type, node: summariseNode(obj), resourceVersion: rv });
      }
    };
    const onDone = (err: unknown): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (err && !signal.aborted) reject(mapKubeError(err, 'watch nodes'));
      else resolve();
    };
    let controller: AbortController | undefined;
    const onAbort = (): void => controller?.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    watcher
      .watch(
        '/api/v1/nodes',
        { resourceVersion, allowWatchBookmarks: true, timeoutSeconds: 300 },
        onObject,
        onDone,
      )
      .then((c) => {
        controller = c;
        if (signal.aborted) c.abort();
      })
      .catch((err: unknown) => onDone(err ?? new Error('watch failed')));
  });
}
