import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { InstanceInfo } from '../../../src/aws/ec2-instances.js';
import type { InterruptionEvent } from '../../../src/events/interruption-event.js';
import type { IndexedNode } from '../../../src/kube/node-index.js';
import { InstanceResolver } from '../../../src/kube/resolve-instance.js';
import { nodeResolver } from '../../../src/modes/queue-cluster.js';

interface ResolverOptions {
  checkManagedTag: boolean;
  managedTag: string;
  allowControlPlaneNodes: boolean;
}

const ID = 'i-0123456789abcdef0';
const event = { instanceId: ID } as InterruptionEvent;
const options: ResolverOptions = {
  checkManagedTag: false,
  managedTag: 'managed',
  allowControlPlaneNodes: false,
};

function setup(nodes: IndexedNode[], instances: InstanceInfo[] = [], over: Partial<ResolverOptions> = {}) {
  const described: string[] = [];
  const index = {
    lookup: (id: string) => nodes.find((n) => n.instanceId === id),
    lookupByName: (name: string) => nodes.find((n) => n.nodeName === name),
  };
  const ec2 = {
    describe: async (id: string) => {
      described.push(id);
      return instances.find((i) => i.instanceId === id);
    },
  };
  const o = { ...options, ...over };
  const resolver = nodeResolver(new InstanceResolver(index, ec2, o), o, pino({ level: 'silent' }));
  return { described, resolver };
}

const node = (over: Partial<IndexedNode> = {}): IndexedNode => ({
  nodeName: 'ip-10-0-0-1.ec2.internal',
  instanceId: ID,
  ready: true,
  labels: {},
  ...over,
});
const instance = (tags: Record<string, string> = {}): InstanceInfo => ({
  instanceId: ID,
  privateDnsName: 'ip-10-0-0-1.ec2.internal',
  state: 'running',
  tags,
});

describe('queue-mode node resolver', () => {
  it('finds the node in the index without calling EC2', async () => {
    const t = setup([node()]);
    await expect(t.resolver.resolve(event)).resolves.toBe('ip-10-0-0-1.ec2.internal');
    expect(t.described).toEqual([]);
  });

  it('falls back to the private DNS name from EC2 when the providerID is not indexed', async () => {
    const t = setup([node({ instanceId: undefined })], [instance()]);
    await expect(t.resolver.resolve(event)).resolves.toBe('ip-10-0-0-1.ec2.internal');
    expect(t.described).toEqual([ID]);
  });

  it('returns undefined for an instance that is not a node of this cluster', async () => {
    const t = setup([], [instance()]);
    await expect(t.resolver.resolve(event)).resolves.toBeUndefined();
  });

  it('with the managed-tag check, ignores instances without the tag key', async () => {
    await expect(
      setup([node()], [instance()], { checkManagedTag: true }).resolver.resolve(event),
    ).resolves.toBeUndefined();
    await expect(
      setup([node()], [instance({ managed: '' })], { checkManagedTag: true }).resolver.resolve(event),
    ).resolves.toBe('ip-10-0-0-1.ec2.internal');
  });

  it('never acts on control-plane nodes unless allowed', async () => {
    const cp = node({ labels: { 'node-role.kubernetes.io/control-plane': '' } });
    await expect(setup([cp]).resolver.resolve(event)).resolves.toBeUndefined();
    await expect(setup([cp], [], { allowControlPlaneNodes: true }).resolver.resolve(event)).resolves.toBe(
      'ip-10-0-0-1.ec2.internal',
    );
  });
});
