/**
 * A stateful in-memory fake of the NodeApi and PodApi ports: nodes with resourceVersions and merge
 * patches (409 on a stale resourceVersion), pods that terminate on a clock, PDB refusals and failures
 * injected per call.
 */
import type { Clock } from '../../../src/clock.js';
import { ConflictError, EvictionBlockedError, NotFoundError, UnsupportedError } from '../../../src/errors.js';
import type {
  KubeNode,
  KubePod,
  NodeMergePatch,
  NodeStatusPatch,
  PodList,
  PodRef,
  PodWatchEvent,
} from '../../../src/actions/kube-types.js';
import type { NodeApi, PodApi } from '../../../src/actions/kube-ports.js';

type Method =
  'getNode' | 'patchNode' | 'patchNodeStatus' | 'listPods' | 'evictPod' | 'deletePod' | 'watchPods';

function mergeRecord(
  base: Readonly<Record<string, string>>,
  patch: Readonly<Record<string, string | null>> | undefined,
): Record<string, string> {
  const out = { ...base };
  for (const [k, v] of Object.entries(patch ?? {})) {
    if (v === null) delete out[k];
    else out[k] = v;
  }
  return out;
}

/** The fake cluster. */
export class FakeKube implements NodeApi, PodApi {
  readonly nodes = new Map<string, KubeNode>();
  readonly pods = new Map<string, KubePod>();
  readonly calls: { method: Method; arg?: string; grace?: number }[] = [];
  /** How long each pod takes to exit after SIGTERM (default 100 ms), capped by its grace. */
  readonly exitMs = new Map<string, number>();
  /** Pods (by uid) whose eviction a PDB refuses, with the budget name. */
  readonly pdbBlocked = new Map<string, string>();
  readonly missingDaemonSets = new Set<string>();
  evictionUnsupported = false;
  private readonly failures = new Map<Method, Error[]>();
  private readonly watchers = new Set<(e: PodWatchEvent) => void>();
  private rv = 100;
  /** Hook run before a node patch is applied (to simulate a concurrent writer). */
  beforeNodePatch: ((name: string) => void) | undefined;

  constructor(private readonly clock: Clock) {}

  /** Makes the next calls of a method fail with these errors, in order. */
  failNext(method: Method, ...errors: Error[]): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), ...errors]);
  }

  addNode(node: KubeNode): void {
    this.nodes.set(node.name, { ...node, resourceVersion: String(++this.rv) });
  }

  addPod(pod: KubePod): KubePod {
    this.pods.set(pod.uid, pod);
    this.emit('ADDED', pod);
    return pod;
  }

  /** Writes a node as another client would (bumps resourceVersion). */
  writeNode(name: string, change: (n: KubeNode) => KubeNode): void {
    const node = this.nodes.get(name);
    if (node) this.nodes.set(name, { ...change(node), resourceVersion: String(++this.rv) });
  }

  count(method: Method): number {
    return this.calls.filter((c) => c.method === method).length;
  }

  private fail(method: Method, arg?: string, grace?: number): void {
    this.calls.push({
      method,
      ...(arg !== undefined ? { arg } : {}),
      ...(grace !== undefined ? { grace } : {}),
    });
    const next = this.failures.get(method)?.shift();
    if (next) throw next;
  }

  private emit(type: PodWatchEvent['type'], pod: KubePod): void {
    for (const w of this.watchers) w({ type, pod, resourceVersion: String(++this.rv) });
  }

  async getNode(name: string): Promise<KubeNode | undefined> {
    this.fail('getNode', name);
    return this.nodes.get(name);
  }

  async patchNode(name: string, patch: NodeMergePatch): Promise<KubeNode> {
    this.beforeNodePatch?.(name);
    this.fail('patchNode', name);
    const node = this.nodes.get(name);
    if (!node) throw new NotFoundError(`node ${name}`);
    const rv = patch.metadata?.resourceVersion;
    if (rv !== undefined && rv !== node.resourceVersion) throw new ConflictError(`node ${name} modified`);
    const unschedulable = patch.spec?.unschedulable;
    const next: KubeNode = {
      ...node,
      resourceVersion: String(++this.rv),
      labels: mergeRecord(node.labels, patch.metadata?.labels),
      annotations: mergeRecord(node.annotations, patch.metadata?.annotations),
      taints: patch.spec?.taints ? [...patch.spec.taints] : node.taints,
      unschedulable: unschedulable === undefined ? node.unschedulable : unschedulable === true,
    };
    this.nodes.set(name, next);
    return next;
  }

  async patchNodeStatus(name: string, patch: NodeStatusPatch): Promise<KubeNode> {
    this.fail('patchNodeStatus', name);
    const node = this.nodes.get(name);
    if (!node) throw new NotFoundError(`node ${name}`);
    if (patch.metadata.resourceVersion !== node.resourceVersion) throw new ConflictError('modified');
    const labels = { ...node.labels, ...patch.metadata.labels };
    const annotations = { ...node.annotations, ...patch.metadata.annotations };
    const conditions = patch.status ? [...patch.status.conditions] : node.conditions;
    const next = { ...node, resourceVersion: String(++this.rv), labels, annotations, conditions };
    this.nodes.set(name, next);
    return next;
  }

  async listPods(nodeName: string): Promise<PodList> {
    this.fail('listPods', nodeName);
    return {
      pods: [...this.pods.values()].filter((p) => p.nodeName === nodeName),
      resourceVersion: String(this.rv),
    };
  }

  watchPods(
    _node: string,
    _rv: string,
    onEvent: (e: PodWatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    this.fail('watchPods');
    return new Promise<void>((resolve) => {
      this.watchers.add(onEvent);
      signal.addEventListener(
        'abort',
        () => {
          this.watchers.delete(onEvent);
          resolve();
        },
        { once: true },
      );
    });
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  async evictPod(ref: PodRef, grace: number): Promise<void> {
    this.fail('evictPod', `${ref.namespace}/${ref.name}`, grace);
    if (this.evictionUnsupported) throw new UnsupportedError('no eviction subresource');
    const pod = this.lookup(ref);
    const budget = this.pdbBlocked.get(pod.uid);
    if (budget !== undefined && pod.deletionTimestampMs === undefined) {
      throw new EvictionBlockedError(`pdb ${budget}`, { budget });
    }
    this.terminate(pod, grace);
  }

  async deletePod(ref: PodRef, grace: number): Promise<void> {
    this.fail('deletePod', `${ref.namespace}/${ref.name}`, grace);
    const pod = this.lookup(ref);
    if (pod.phase === 'Succeeded' || pod.phase === 'Failed' || grace === 0) {
      this.remove(pod.uid);
      return;
    }
    this.terminate(pod, grace);
  }

  async daemonSetExists(namespace: string, name: string): Promise<boolean> {
    return !this.missingDaemonSets.has(`${namespace}/${name}`);
  }

  private lookup(ref: PodRef): KubePod {
    const pod = this.pods.get(ref.uid);
    if (!pod) throw new NotFoundError(`pod ${ref.name}`);
    return pod;
  }

  /** What the kubelet does: the pod gets a deletionTimestamp, exits after min(exit time, grace). */
  private terminate(pod: KubePod, grace: number): void {
    const now = this.clock.now();
    const at = now + grace * 1000;
    if (pod.deletionTimestampMs !== undefined && pod.deletionTimestampMs <= at) return;
    const updated = { ...pod, deletionTimestampMs: at };
    this.pods.set(pod.uid, updated);
    this.emit('MODIFIED', updated);
    const exitAfter = Math.min(this.exitMs.get(pod.uid) ?? 100, grace * 1000);
    void this.clock.sleep(exitAfter).then(() => {
      const current = this.pods.get(pod.uid);
      if (current?.deletionTimestampMs === at) this.remove(pod.uid);
    });
  }

  private remove(uid: string): void {
    const pod = this.pods.get(uid);
    if (!pod) return;
    this.pods.delete(uid);
    this.emit('DELETED', pod);
  }
}
