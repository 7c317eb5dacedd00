/**
 * Finds the node for an EC2 instance id: the node index first (no AWS call), then EC2 DescribeInstances'
 * private DNS name → node by name (EKS names nodes so). Optionally drops instances without the managed
 * tag key (NTH MANAGED_TAG semantics: the key must be present; its value is ignored).
 */
import type { IndexedNode } from './node-index.js';

/** What the resolver reads from the node index. */
export interface NodeLookup {
  lookup(instanceId: string): IndexedNode | undefined;
  lookupByName(nodeName: string): IndexedNode | undefined;
}

/** What the resolver reads from EC2 (src/aws/ec2-instances.ts, which caches). */
export interface InstanceLookup {
  describe(
    instanceId: string,
  ): Promise<
    { readonly privateDnsName: string; readonly tags: Readonly<Record<string, string>> } | undefined
  >;
}

/** The outcome of a resolution. */
export type Resolution =
  | { readonly type: 'node'; readonly node: IndexedNode; readonly via: 'index' | 'ec2-dns-name' }
  | { readonly type: 'not-found' }
  | { readonly type: 'unmanaged'; readonly tag: string };

/** Resolver options. */
export interface ResolveInstanceOptions {
  /** CHECK_TAG_BEFORE_DRAINING. */
  readonly checkManagedTag: boolean;
  /** MANAGED_TAG. */
  readonly managedTag: string;
}

/** Resolves instance ids to nodes. EC2 errors propagate (typed, retryable) so the message is retried. */
export class InstanceResolver {
  constructor(
    private readonly index: NodeLookup,
    private readonly ec2: InstanceLookup | undefined,
    private readonly options: ResolveInstanceOptions,
  ) {}

  /** Resolves one instance id. */
  async resolve(instanceId: string): Promise<Resolution> {
    if (this.options.checkManagedTag) {
      const info = this.ec2 ? await this.ec2.describe(instanceId) : undefined;
      if (!info || !(this.options.managedTag in info.tags))
        return { type: 'unmanaged', tag: this.options.managedTag };
    }
    const indexed = this.index.lookup(instanceId);
    if (indexed) return { type: 'node', node: indexed, via: 'index' };
    if (!this.ec2) return { type: 'not-found' };
    const info = await this.ec2.describe(instanceId);
    const byName = info?.privateDnsName ? this.index.lookupByName(info.privateDnsName) : undefined;
    return byName ? { type: 'node', node: byName, via: 'ec2-dns-name' } : { type: 'not-found' };
  }
}
