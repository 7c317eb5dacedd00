/**
 * A NodeApi that remembers the node as the last read or patch returned it, so the read-modify-write of
 * node-writer.ts costs one PATCH instead of a GET and a PATCH. Safe because every patch carries the
 * resourceVersion it was computed from: a stale copy only costs a 409, after which the entry is dropped
 * and the next read goes to the API server. Entries expire after `ttlMs`.
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { Clock } from '../clock.js';
import type { KubeNode, NodeMergePatch, NodeStatusPatch } from './kube-types.js';
import type { NodeApi } from './kube-ports.js';

/** Upper bound on remembered nodes (mass interruptions touch hundreds). */
const MAX_ENTRIES = 5000;

/** Wraps a NodeApi with a short-lived per-node cache. */
export class CachedNodeApi implements NodeApi {
  private readonly entries = new Map<string, { node: KubeNode; atMs: number }>();

  constructor(
    private readonly inner: NodeApi,
    private readonly clock: Clock,
    private readonly ttlMs = 10_000,
  ) {}

  /** The remembered node when fresh, else a GET. */
  async getNode(name: string): Promise<KubeNode | undefined> {
    const hit = this.entries.get(name);
    if (hit && this.clock.now() - hit.atMs < this.ttlMs) return hit.node;
    const node = await this.inner.getNode(name);
    if (node) this.remember(node);
    else this.entries.delete(name);
    return node;
  }

  /** PATCH the node; remembers the result, forgets the node on 409/404. */
  patchNode(name: string, patch: NodeMergePatch): Promise<KubeNode> {
    return this.track(name, () => this.inner.patchNode(name, patch));
  }

  /** PATCH nodes/status; remembers the result, forgets the node on 409/404. */
  patchNodeStatus(name: string, patch: NodeStatusPatch): Promise<KubeNode> {
    return this.track(name, () => this.inner.patchNodeStatus(name, patch));
  }

  /** Drops what is remembered about a node (or every node). */
  forget(name?: string): void {
    if (name === undefined) this.entries.clear();
    else this.entries.delete(name);
  }

  private async track(name: string, call: () => Promise<KubeNode>): Promise<KubeNode> {
    try {
      const node = await call();
      this.remember(node);
      return node;
    } catch (err) {
      if (err instanceof ConflictError || err instanceof NotFoundError) this.entries.delete(name);
      throw err;
    }
  }

  private remember(node: KubeNode): void {
    this.entries.delete(node.name);
    this.entries.set(node.name, { node, atMs: this.clock.now() });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}
