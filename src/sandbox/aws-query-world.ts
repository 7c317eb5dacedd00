/**
 * The state behind the EC2 / Auto Scaling simulator: instances, lifecycle hooks, active lifecycle
 * actions, and the answers each Query API action gives. Pure in-memory logic; the HTTP part is in
 * aws-query-server.ts.
 */
import { ASG_VERSION, EC2_VERSION, asgResponse, ec2Response, type XmlTree } from './aws-query-xml.js';

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

/** What `addInstance` needs: an id; everything else has a default. */
export type SimInstanceInput = Partial<SimInstance> & { readonly instanceId: string };

/** A lifecycle hook on an Auto Scaling group (DescribeLifecycleHooks LifecycleHook). */
export interface SimHook {
  readonly groupName: string;
  readonly hookName: string;
  /** autoscaling:EC2_INSTANCE_TERMINATING (default) or autoscaling:EC2_INSTANCE_LAUNCHING. */
  readonly transition?: string;
  readonly heartbeatTimeoutSeconds?: number;
  readonly globalTimeoutSeconds?: number;
  readonly defaultResult?: 'CONTINUE' | 'ABANDON';
}

/** A lifecycle action waiting for CompleteLifecycleAction. */
export interface ActiveLifecycleAction {
  readonly instanceId: string;
  readonly groupName: string;
  readonly hookName: string;
  readonly token: string;
  readonly transition: string;
  heartbeats: number;
}

/** A completed lifecycle action, as the simulator saw it. */
export interface CompletedLifecycleAction {
  readonly instanceId: string;
  readonly groupName: string;
  readonly hookName: string;
  readonly token: string;
  readonly transition: string;
  readonly result: string;
  readonly heartbeats: number;
}

/** An error the simulator answers with (code, HTTP status, message). */
export class QueryApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const INSTANCE_ID = /^i-([0-9a-f]{8}|[0-9a-f]{17})$/;

/** Numbered parameters `prefix.1`, `prefix.2`, … in order. */
export function listParam(params: Readonly<Record<string, string>>, prefix: string): string[] {
  const out: string[] = [];
  for (let i = 1; params[`${prefix}.${i}`] !== undefined; i++) out.push(params[`${prefix}.${i}`] ?? '');
  return out;
}

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
    dnsName: '',
    instanceType: inst.instanceType,
    placement: { availabilityZone: inst.availabilityZone, tenancy: 'default' },
    privateIpAddress: inst.privateIpAddress,
    instanceLifecycle: inst.instanceLifecycle,
    tagSet: { list: Object.entries(inst.tags).map(([key, value]) => ({ key, value })) },
  };
}

/** Instances, hooks and lifecycle actions, with the Query API semantics on top. */
export class AwsWorld {
  readonly instances = new Map<string, SimInstance>();
  readonly hooks: SimHook[] = [];
  readonly active: ActiveLifecycleAction[] = [];
  readonly completed: CompletedLifecycleAction[] = [];
  private tokenSeq = 0;

  /** Adds or replaces an instance, filling defaults (running m5.large in us-east-1a). */
  addInstance(input: SimInstanceInput): SimInstance {
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
  updateInstance(instanceId: string, patch: Partial<Omit<SimInstance, 'instanceId'>>): SimInstance {
    const cur = this.instances.get(instanceId);
    if (!cur) throw new Error(`no simulated instance ${instanceId}`);
    const next = { ...cur, ...patch };
    this.instances.set(instanceId, next);
    return next;
  }

  /** Adds or replaces a lifecycle hook. */
  setHook(hook: SimHook): void {
    const i = this.hooks.findIndex((h) => h.groupName === hook.groupName && h.hookName === hook.hookName);
    if (i >= 0) this.hooks.splice(i, 1);
    this.hooks.push(hook);
  }

  /** Puts an instance into `Terminating:Wait` (or `Pending:Wait`) for a hook; returns the action token. */
  startLifecycleAction(instanceId: string, hookName: string, token?: string): string {
    const inst = this.instances.get(instanceId);
    const group = inst?.autoScalingGroupName;
    const hook = this.hooks.find((h) => h.groupName === group && h.hookName === hookName);
    if (!inst || !group || !hook) throw new Error(`no hook ${hookName} for instance ${instanceId}`);
    const transition = hook.transition ?? TERMINATING;
    const actionToken = token ?? `00000000-0000-4000-8000-${String(++this.tokenSeq).padStart(12, '0')}`;
    this.active.push({
      instanceId,
      groupName: group,
      hookName,
      token: actionToken,
      transition,
      heartbeats: 0,
    });
    this.updateInstance(instanceId, {
      asgLifecycleState: transition === TERMINATING ? 'Terminating:Wait' : 'Pending:Wait',
    });
    return actionToken;
  }

  /** Answers one action, or throws QueryApiError. */
  handle(action: string, params: Readonly<Record<string, string>>, requestId: string): string {
    switch (action) {
      case 'DescribeInstances':
        return ec2Response(action, requestId, this.describeInstances(params));
      case 'DescribeAutoScalingInstances':
        return asgResponse(action, requestId, this.describeAsgInstances(params));
      case 'DescribeLifecycleHooks':
        return asgResponse(action, requestId, this.describeHooks(params));
      case 'CompleteLifecycleAction':
        this.completeAction(params);
        return asgResponse(action, requestId, {});
      case 'RecordLifecycleActionHeartbeat':
        this.findAction(params).heartbeats++;
        return asgResponse(action, requestId, {});
      default:
        throw new QueryApiError(
          'InvalidAction',
          400,
          `The action ${action} is not valid for this web service.`,
        );
    }
  }

  private describeInstances(params: Readonly<Record<string, string>>): XmlTree {
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
          ownerId: '000000000000',
          groupSet: {},
          instancesSet: { list: [instanceXml(inst)] },
        })),
      },
    };
  }

  private describeAsgInstances(params: Readonly<Record<string, string>>): XmlTree {
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

  private describeHooks(params: Readonly<Record<string, string>>): XmlTree {
    const group = params.AutoScalingGroupName ?? '';
    const known =
      this.hooks.some((h) => h.groupName === group) ||
      [...this.instances.values()].some((i) => i.autoScalingGroupName === group);
    if (!known) throw new QueryApiError('ValidationError', 400, `Group ${group} not found`);
    const names = listParam(params, 'LifecycleHookNames.member');
    const hooks = this.hooks.filter(
      (h) => h.groupName === group && (names.length === 0 || names.includes(h.hookName)),
    );
    const list = hooks.map((h) => ({
      LifecycleHookName: h.hookName,
      AutoScalingGroupName: h.groupName,
      LifecycleTransition: h.transition ?? TERMINATING,
      HeartbeatTimeout: h.heartbeatTimeoutSeconds ?? 3600,
      GlobalTimeout: h.globalTimeoutSeconds ?? 100 * (h.heartbeatTimeoutSeconds ?? 3600),
      DefaultResult: h.defaultResult ?? 'ABANDON',
    }));
    return { LifecycleHooks: { list } };
  }

  private findAction(params: Readonly<Record<string, string>>): ActiveLifecycleAction {
    const { LifecycleHookName: hook, AutoScalingGroupName: group, InstanceId: id } = params;
    const token = params.LifecycleActionToken;
    if (!hook || !group)
      throw new QueryApiError('ValidationError', 400, 'LifecycleHookName and group required');
    if (!token && !id) throw new QueryApiError('ValidationError', 400, 'Token or instance ID required');
    const found = this.active.find(
      (a) =>
        a.hookName === hook &&
        a.groupName === group &&
        (token ? a.token === token : true) &&
        (id ? a.instanceId === id : true),
    );
    if (found) return found;
    const what = token ? `token ${token}` : `instance ID ${id}`;
    throw new QueryApiError('ValidationError', 400, `No active Lifecycle Action found with ${what}`);
  }

  private completeAction(params: Readonly<Record<string, string>>): void {
    const result = params.LifecycleActionResult;
    if (result !== 'CONTINUE' && result !== 'ABANDON') {
      throw new QueryApiError('ValidationError', 400, `Invalid LifecycleActionResult: ${result}`);
    }
    const act = this.findAction(params);
    this.active.splice(this.active.indexOf(act), 1);
    this.completed.push({ ...act, result });
    const terminating = act.transition === TERMINATING;
    this.updateInstance(act.instanceId, {
      asgLifecycleState: terminating
        ? 'Terminating:Proceed'
        : result === 'CONTINUE'
          ? 'InService'
          : 'Terminating',
    });
  }
}

/** Which service an action belongs to, by the Version parameter (falling back to the action name). */
export function serviceOf(params: Readonly<Record<string, string>>): 'ec2' | 'autoscaling' {
  if (params.Version === EC2_VERSION) return 'ec2';
  if (params.Version === ASG_VERSION) return 'autoscaling';
  return params.Action === 'DescribeInstances' ? 'ec2' : 'autoscaling';
}
