import { describe, expect, it } from 'vitest';
import { CachedNodeApi } from '../../../src/actions/cached-node-api.js';
import type { KubeNode, NodeMergePatch } from '../../../src/actions/kube-types.js';
import type { NodeApi } from '../../../src/actions/kube-ports.js';
import { updateNode } from '../../../src/actions/node-writer.js';
import { FakeClock } from '../../../src/clock.js';
import { ConflictError } from '../../../src/errors.js';

/** A node store that checks resourceVersion like the API server and counts calls. */
class CountingNodes implements NodeApi {
  node: KubeNode = {
    name: 'n1',
    resourceVersion: '1',
    labels: {},
    annotations: {},
    taints: [],
    unschedulable: false,
    conditions: [],
  };
  gets = 0;
  patches = 0;

  async getNode(): Promise<KubeNode | undefined> {
    this.gets++;
    return this.node;
  }

  async patchNode(_name: string, patch: NodeMergePatch): Promise<KubeNode> {
    this.patches++;
    if (patch.metadata?.resourceVersion !== this.node.resourceVersion) throw new ConflictError('stale');
    const labels = { ...this.node.labels, ...(patch.metadata?.labels as Record<string, string>) };
    this.node = { ...this.node, labels, resourceVersion: String(Number(this.node.resourceVersion) + 1) };
    return this.node;
  }

  async patchNodeStatus(): Promise<KubeNode> {
    throw new Error('unused');
  }

  /** Another writer changes the node behind our back. */
  bump(): void {
    this.node = { ...this.node, resourceVersion: String(Number(this.node.resourceVersion) + 1) };
  }
}

const label = (k: string) => (node: KubeNode) => ({
  metadata: { resourceVersion: node.resourceVersion, labels: { [k]: 'x' } },
});

describe('CachedNodeApi', () => {
  it('turns consecutive read-modify-writes into one GET and one PATCH each', async () => {
    const inner = new CountingNodes();
    const nodes = new CachedNodeApi(inner, new FakeClock());
    await updateNode(nodes, 'n1', label('a'));
    await updateNode(nodes, 'n1', label('b'));
    await updateNode(nodes, 'n1', label('c'));
    expect(inner.gets).toBe(1);
    expect(inner.patches).toBe(3);
    expect(inner.node.labels).toEqual({ a: 'x', b: 'x', c: 'x' });
  });

  it('recovers from a stale copy with one 409 and a fresh read, losing no write', async () => {
    const inner = new CountingNodes();
    const nodes = new CachedNodeApi(inner, new FakeClock());
    await updateNode(nodes, 'n1', label('a'));
    inner.bump();
    await updateNode(nodes, 'n1', label('b'));
    expect(inner.gets).toBe(2);
    expect(inner.patches).toBe(3);
    expect(inner.node.labels).toEqual({ a: 'x', b: 'x' });
  });

  it('reads again once the entry is older than the TTL', async () => {
    const inner = new CountingNodes();
    const clock = new FakeClock();
    const nodes = new CachedNodeApi(inner, clock, 1000);
    await nodes.getNode('n1');
    await nodes.getNode('n1');
    await clock.advance(1001);
    await nodes.getNode('n1');
    expect(inner.gets).toBe(2);
  });
});
