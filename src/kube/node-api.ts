/** NodeApi (src/actions/kube-ports.ts) on client-node: reads and JSON merge patches of nodes and nodes/status. */
import { PatchStrategy, setHeaderOptions, type CoreV1Api } from '@kubernetes/client-node';
import type { KubeNode, NodeMergePatch, NodeStatusPatch } from '../actions/kube-types.js';
import type { NodeApi } from '../actions/kube-ports.js';
import { NotFoundError } from '../errors.js';
import { apiCall, type ApiRequestCounter } from './api-call.js';
import { toKubeNode } from './to-kube-types.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** Node reads and patches through CoreV1Api. */
export class KubeNodeApi implements NodeApi {
  constructor(
    private readonly core: CoreV1Api,
    private readonly counter?: ApiRequestCounter,
  ) {}

  /** GET the node; undefined on 404. */
  async getNode(name: string): Promise<KubeNode | undefined> {
    try {
      const node = await apiCall(this.counter, 'get', `get node ${name}`, () => this.core.readNode({ name }));
      return toKubeNode(node);
    } catch (err) {
      if (err instanceof NotFoundError) return undefined;
      throw err;
    }
  }

  /** PATCH (merge) the node. */
  async patchNode(name: string, patch: NodeMergePatch): Promise<KubeNode> {
    const node = await apiCall(this.counter, 'patch', `patch node ${name}`, () =>
      this.core.patchNode({ name, body: patch }, MERGE_PATCH),
    );
    return toKubeNode(node);
  }

  /** PATCH (merge) nodes/status. */
  async patchNodeStatus(name: string, patch: NodeStatusPatch): Promise<KubeNode> {
    const node = await apiCall(this.counter, 'patch', `patch node status ${name}`, () =>
      this.core.patchNodeStatus({ name, body: patch }, MERGE_PATCH),
    );
    return toKubeNode(node);
  }
}
