import { describe, expect, it } from 'vitest';
import { TransientError } from '../../../src/errors.js';
import type { IndexedNode } from '../../../src/kube/node-index.js';
import {
  InstanceResolver,
  type InstanceLookup,
  type NodeLookup,
} from '../../../src/kube/resolve-instance.js';

const n1: IndexedNode = {
  nodeName: 'ip-10-0-0-1.ec2.internal',
  ready: true,
  labels: {},
  instanceId: 'i-00000001',
};
const n2: IndexedNode = { nodeName: 'ip-10-0-0-2.ec2.internal', ready: true, labels: {} }; // no providerID

const index: NodeLookup = {
  lookup: (id) => (id === n1.instanceId ? n1 : undefined),
  lookupByName: (name) => [n1, n2].find((n) => n.nodeName === name),
};
function ec2(instances: Record<string, { privateDnsName: string; tags: Record<string, string> }>) {
  const calls: string[] = [];
  const lookup: InstanceLookup = {
    describe: async (id) => {
      calls.push(id);
      if (id === 'i-0000000e') throw new TransientError('503');
      return instances[id];
    },
  };
  return { lookup, calls };
}
const EC2 = {
  'i-00000001': {
    privateDnsName: 'ip-10-0-0-1.ec2.internal',
    tags: { 'aws-node-termination-handler/managed': '' },
  },
  'i-00000002': { privateDnsName: 'ip-10-0-0-2.ec2.internal', tags: {} },
  'i-00000003': { privateDnsName: 'ip-10-9-9-9.ec2.internal', tags: {} },
};
const TAG = 'aws-node-termination-handler/managed';

describe('InstanceResolver', () => {
  it('uses the index first, without calling EC2', async () => {
    const e = ec2(EC2);
    const r = new InstanceResolver(index, e.lookup, { checkManagedTag: false, managedTag: TAG });
    expect(await r.resolve('i-00000001')).toEqual({ type: 'node', node: n1, via: 'index' });
    expect(e.calls).toEqual([]);
  });

  it.each([
    ['i-00000002', { type: 'node', node: n2, via: 'ec2-dns-name' }],
    ['i-00000003', { type: 'not-found' }],
    ['i-00000004', { type: 'not-found' }],
  ])('falls back to the EC2 private DNS name: %s', async (id, expected) => {
    const r = new InstanceResolver(index, ec2(EC2).lookup, { checkManagedTag: false, managedTag: TAG });
    expect(await r.resolve(id)).toEqual(expected);
  });

  it('without EC2, an unindexed instance is not found', async () => {
    const r = new InstanceResolver(index, undefined, { checkManagedTag: false, managedTag: TAG });
    expect(await r.resolve('i-00000002')).toEqual({ type: 'not-found' });
  });

  it('with the tag check, instances without the tag key are unmanaged (value ignored)', async () => {
    const r = new InstanceResolver(index, ec2(EC2).lookup, { checkManagedTag: true, managedTag: TAG });
    expect(await r.resolve('i-00000001')).toMatchObject({ type: 'node', via: 'index' });
    expect(await r.resolve('i-00000002')).toEqual({ type: 'unmanaged', tag: TAG });
    expect(await r.resolve('i-00000004')).toEqual({ type: 'unmanaged', tag: TAG });
  });

  it('EC2 errors propagate so the message is retried', async () => {
    const r = new InstanceResolver(index, ec2(EC2).lookup, { checkManagedTag: false, managedTag: TAG });
    await expect(r.resolve('i-0000000e')).rejects.toBeInstanceOf(TransientError);
  });
});
