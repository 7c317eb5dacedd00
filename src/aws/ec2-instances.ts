/**
 * EC2 DescribeInstances by id → private DNS name, state, tags, with a TTL cache. The EC2 SDK is
 * heavy (+77 MiB RSS), so it is loaded only by `createEc2Instances` (queue mode).
 */
import type {
  DescribeInstancesCommandInput,
  DescribeInstancesCommandOutput,
  EC2Client,
} from '@aws-sdk/client-ec2';
import type { Clock } from '../clock.js';
import { NotFoundError } from '../errors.js';
import { mapAwsError } from './map-aws-error.js';
import { sdkExports } from './aws-clients.js';

/** What we keep about an instance (from DescribeInstances Reservations[].Instances[]). */
export interface InstanceInfo {
  readonly instanceId: string;
  /** Empty for an instance that has no private DNS name (yet, or any more). */
  readonly privateDnsName: string;
  readonly state: string;
  readonly instanceType?: string;
  readonly availabilityZone?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly privateIpAddress?: string;
  readonly publicDnsName?: string;
  readonly publicIpAddress?: string;
  /** `spot` or `scheduled`; absent for on-demand (EC2 InstanceLifecycle). */
  readonly instanceLifecycle?: string;
  /** The reservation's OwnerId: the account. */
  readonly ownerId?: string;
}

/** One DescribeInstances call. */
export type DescribeInstancesFn = (
  input: DescribeInstancesCommandInput,
) => Promise<DescribeInstancesCommandOutput>;

/** Cache settings. */
export interface Ec2InstancesOptions {
  /** How long a found instance is remembered. Default 60 s. */
  readonly ttlMs?: number;
  /** How long "no such instance" is remembered. Default 30 s. */
  readonly negativeTtlMs?: number;
  /** Entries kept at most (oldest dropped). Default 5000. */
  readonly maxEntries?: number;
}

/** Instance lookups with a TTL cache. */
export class Ec2Instances {
  private readonly cache = new Map<string, { info: InstanceInfo | undefined; expiresAt: number }>();

  constructor(
    private readonly describeInstances: DescribeInstancesFn,
    private readonly clock: Clock,
    private readonly options: Ec2InstancesOptions = {},
  ) {}

  /** The instance, or undefined when EC2 does not know it (InvalidInstanceID.*, no reservations). */
  async describe(instanceId: string): Promise<InstanceInfo | undefined> {
    const now = this.clock.now();
    const hit = this.cache.get(instanceId);
    if (hit && hit.expiresAt > now) return hit.info;
    const info = await this.fetch(instanceId);
    const ttl = info ? (this.options.ttlMs ?? 60_000) : (this.options.negativeTtlMs ?? 30_000);
    this.cache.delete(instanceId);
    this.cache.set(instanceId, { info, expiresAt: now + ttl });
    if (this.cache.size > (this.options.maxEntries ?? 5000)) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    return info;
  }

  private async fetch(instanceId: string): Promise<InstanceInfo | undefined> {
    let out: DescribeInstancesCommandOutput;
    try {
      out = await this.describeInstances({ InstanceIds: [instanceId] });
    } catch (err) {
      const mapped = mapAwsError(err, 'ec2:DescribeInstances');
      if (mapped instanceof NotFoundError) return undefined;
      throw mapped;
    }
    const reservation = out.Reservations?.find((r) => r.Instances?.some((i) => i.InstanceId === instanceId));
    const instance = reservation?.Instances?.find((i) => i.InstanceId === instanceId);
    if (!instance) return undefined;
    const optional = {
      privateIpAddress: instance.PrivateIpAddress,
      publicDnsName: instance.PublicDnsName,
      publicIpAddress: instance.PublicIpAddress,
      instanceLifecycle: instance.InstanceLifecycle,
      ownerId: reservation?.OwnerId,
    };
    const tags: Record<string, string> = {};
    for (const tag of instance.Tags ?? []) if (tag.Key !== undefined) tags[tag.Key] = tag.Value ?? '';
    return {
      instanceId,
      privateDnsName: instance.PrivateDnsName ?? '',
      state: instance.State?.Name ?? 'unknown',
      ...(instance.InstanceType ? { instanceType: instance.InstanceType } : {}),
      ...(instance.Placement?.AvailabilityZone
        ? { availabilityZone: instance.Placement.AvailabilityZone }
        : {}),
      tags,
      ...Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined && v !== '')),
    };
  }
}

/** Loads the EC2 SDK module (lazily) and builds the cached lookup on `client`. */
export async function createEc2Instances(
  client: EC2Client,
  clock: Clock,
  options: Ec2InstancesOptions = {},
): Promise<Ec2Instances> {
  const sdk = sdkExports(await import('@aws-sdk/client-ec2'), 'DescribeInstancesCommand');
  return new Ec2Instances((input) => client.send(new sdk.DescribeInstancesCommand(input)), clock, options);
}
