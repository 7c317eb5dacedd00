/**
 * The EC2 side of the Query API simulator: instances, and the answers of DescribeInstances and
 * DescribeAutoScalingInstances (schemas: EC2 Instance, Auto Scaling AutoScalingInstanceDetails).
 */
import type { XmlTree } from './aws-query-xml.js';
import { QueryApiError, listParam, type QueryParams } from './aws-query-params.js';

/** EC2 instance states with their numeric codes (EC2 InstanceState). */
const STATE_CODES = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
} as const;
/** An EC2 instance state name. */
export type Ec2StateName = keyof typeof STATE_CODES;

/** One simulated instance (the fields DescribeInstances / DescribeAutoScalingInstances return). */
export interface SimInstance {
  readonly instanceId: string;
  readonly privateDnsName: string;
  readonly privateIpAddress: string;
  /** Public DNS name and IP; absent for instances without a public address (EC2 answers ""). */
  readonly publicDnsName?: string;
  readonly publicIpAddress?: string;
  readonly instanceType: string;
  readonly availabilityZone: string;
  readonly state: Ec2StateName;
  readonly tags: Readonly<Record<string, string>>;
  /** `spot` for spot instances; absent for on-demand (as EC2 answers). */
  readonly instanceLifecycle?: 'spot' | 'scheduled';
  readonly autoScalingGroupName?: string;
  /** Auto Scaling lifecycle state, e.g. InService, Terminating:Wait, Terminating:Proceed. */
  readonly asgLifecycleState?: string;
}

/** What `add` needs: an id; everything else has a default. */
export type SimInstanceInput = Partial<SimInstance> & { readonly instanceId: string };

/** The account every simulated reservation belongs to. */
export const SIM_ACCOUNT_ID = '000000000000';

const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

function globMatch(pattern: string, value: string): boolean {
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${re}$`).test(value);
}

function filterMatches(inst: SimInstance, name: string, values: readonly string[]): boolean {
  const any = (v: string | undefined): boolean => v !== undefined && values.some((p) => globMatch(p, v));
  if (name === 'private-dns-name') return any(inst.privateDnsName);
  if (name === 'instance-id') return any(inst.instanceId);
  if (name === 'instance-state-name') return any(inst.state);
  if (name === 'private-ip-address') return any(inst.privateIpAddress);
  if (name === 'tag-key') return Object.keys(inst.tags).some((k) => any(k));
  if (name.startsWith('tag:')) return any(inst.tags[name.slice(4)]);
  throw new QueryApiError('InvalidParameterValue', 400, `The filter '${name}' is invalid`);
}

function instanceXml(inst: SimInstance): XmlTree {
  return {
    instanceId: inst.instanceId,
    imageId: 'ami-0abcdef1234567890',
    instanceState: { code: STATE_CODES[inst.state], name: inst.state },
    privateDnsName: inst.privateDnsName,
    dnsName: inst.publicDnsName ?? '',
    instanceType: inst.instanceType,
    placement: { availabilityZone: inst.availabilityZone, tenancy: 'default' },
    privateIpAddress: inst.privateIpAddress,
    ipAddress: inst.publicIpAddress,
    instanceLifecycle: inst.instanceLifecycle,
    tagSet: { list: Object.entries(inst.tags).map(([key, value]) => ({ key, value })) },
  };
}

/** Simulated EC2 instances. */
export class Ec2Instances {
  readonly instances = new Map<string, SimInstance>();

  /** Adds or replaces an instance, filling defaults (running m5.large in us-east-1a). */
  add(input: SimInstanceInput): SimInstance {
    const n = this.instances.size + 1;
    const ip = input.privateIpAddress ?? `10.0.${Math.floor(n / 250)}.${(n % 250) + 1}`;
    const group = input.autoScalingGroupName;
    const inst: SimInstance = {
      privateDnsName: `ip-${ip.replaceAll('.', '-')}.ec2.internal`,
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      state: 'running',
      ...input,
      privateIpAddress: ip,
      tags: { ...(group ? { 'aws:autoscaling:groupName': group } : {}), ...input.tags },
      ...(group ? { asgLifecycleState: input.asgLifecycleState ?? 'InService' } : {}),
    };
    this.instances.set(inst.instanceId, inst);
    return inst;
  }

  /** Changes fields of an existing instance. */
  update(instanceId: string, patch: Partial<Omit<SimInstance, 'instanceId'>>): SimInstance {
    const cur = this.instances.get(instanceId);
    if (!cur) throw new Error(`no simulated instance ${instanceId}`);
    const next = { ...cur, ...patch };
    this.instances.set(instanceId, next);
    return next;
  }

  /** True when some instance belongs to the group. */
  hasGroup(groupName: string): boolean {
    return [...this.instances.values()].some((i) => i.autoScalingGroupName === groupName);
  }

  /** DescribeInstances: ids (all must exist), filters, DryRun. */
  describeInstances(params: QueryParams): XmlTree {
    // EC2 checks permission first (a fault answers UnauthorizedOperation), then DryRun stops here
    if (params['DryRun'] === 'true') {
      throw new QueryApiError(
        'DryRunOperation',
        412,
        'Request would have succeeded, but DryRun flag is set.',
      );
    }
    const ids = listParam(params, 'InstanceId');
    const bad = ids.find((id) => !INSTANCE_ID.test(id));
    if (bad !== undefined)
      throw new QueryApiError('InvalidInstanceID.Malformed', 400, `Invalid id: "${bad}"`);
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length === 1) {
      throw new QueryApiError(
        'InvalidInstanceID.NotFound',
        400,
        `The instance ID '${missing[0]}' does not exist`,
      );
    }
    if (missing.length > 1) {
      const list = missing.join(', ');
      throw new QueryApiError('InvalidInstanceID.NotFound', 400, `The instance IDs '${list}' do not exist`);
    }
    const filters: { name: string; values: string[] }[] = [];
    for (let i = 1; params[`Filter.${i}.Name`] !== undefined; i++) {
      filters.push({
        name: params[`Filter.${i}.Name`] ?? '',
        values: listParam(params, `Filter.${i}.Value`),
      });
    }
    const pool = ids.length > 0 ? ids.map((id) => this.instances.get(id)!) : [...this.instances.values()];
    const found = pool.filter((inst) => filters.every((f) => filterMatches(inst, f.name, f.values)));
    return {
      reservationSet: {
        list: found.map((inst) => ({
          reservationId: `r-${inst.instanceId.slice(2)}`,
          ownerId: SIM_ACCOUNT_ID,
          groupSet: {},
          instancesSet: { list: [instanceXml(inst)] },
        })),
      },
    };
  }

  /** DescribeAutoScalingInstances: unknown ids and instances outside any group are left out. */
  describeAsgInstances(params: QueryParams): XmlTree {
    const ids = listParam(params, 'InstanceIds.member');
    const pool = ids.length > 0 ? ids.map((id) => this.instances.get(id)) : [...this.instances.values()];
    const members = pool
      .filter((i): i is SimInstance => i?.autoScalingGroupName !== undefined)
      .map((i) => ({
        InstanceId: i.instanceId,
        InstanceType: i.instanceType,
        AutoScalingGroupName: i.autoScalingGroupName,
        AvailabilityZone: i.availabilityZone,
        LifecycleState: i.asgLifecycleState,
        HealthStatus: 'HEALTHY',
        ProtectedFromScaleIn: false,
      }));
    return { AutoScalingInstances: { list: members } };
  }
}
