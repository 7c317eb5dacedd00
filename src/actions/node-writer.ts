/**
 * Read-modify-write of a node with optimistic concurrency: each patch carries the resourceVersion it was
 * computed from, and a 409 means someone else wrote first, so we re-read and compute again. A concurrent
 * writer's taints are never lost (unlike a blind merge patch of the taint list).
 */
import { ConflictError, NotFoundError } from '../errors.js';
import type { KubeNode, NodeMergePatch, NodeStatusPatch } from './kube-types.js';
import type { NodeApi } from './kube-ports.js';

/** How many times a conflicting write is recomputed before giving up. */
export const MAX_CONFLICT_RETRIES = 10;

/** Computes a patch from the current node; undefined means there is nothing to change. */
export type PatchFn<P> = (node: KubeNode) => P | undefined;

async function readOrThrow(nodes: NodeApi, name: string): Promise<KubeNode> {
  const node = await nodes.getNode(name);
  if (!node) throw new NotFoundError(`node ${name} not found`);
  return node;
}

async function retryOnConflict<P>(
  nodes: NodeApi,
  name: string,
  compute: PatchFn<P>,
  apply: (patch: P) => Promise<KubeNode>,
): Promise<KubeNode> {
  for (let attempt = 0; ; attempt++) {
    const node = await readOrThrow(nodes, name);
    const patch = compute(node);
    if (patch === undefined) return node;
    try {
      return await apply(patch);
    } catch (err) {
      if (!(err instanceof ConflictError) || attempt >= MAX_CONFLICT_RETRIES) throw err;
    }
  }
}

/** Applies a node merge patch computed from a fresh read, retrying on 409. Returns the node after. */
export function updateNode(
  nodes: NodeApi,
  name: string,
  compute: PatchFn<NodeMergePatch>,
): Promise<KubeNode> {
  return retryOnConflict(nodes, name, compute, (patch) => nodes.patchNode(name, patch));
}

/** Applies a node status patch computed from a fresh read, retrying on 409. */
export function updateNodeStatus(
  nodes: NodeApi,
  name: string,
  compute: PatchFn<NodeStatusPatch>,
): Promise<KubeNode> {
  return retryOnConflict(nodes, name, compute, (patch) => nodes.patchNodeStatus(name, patch));
}
