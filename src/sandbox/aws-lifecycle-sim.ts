/**
 * The Auto Scaling lifecycle side of the Query API simulator: hooks, lifecycle actions waiting in
 * `Terminating:Wait` / `Pending:Wait`, and the answers of DescribeLifecycleHooks,
 * RecordLifecycleActionHeartbeat and CompleteLifecycleAction (schemas: Auto Scaling LifecycleHook).
 * As AWS does, an action times out HeartbeatTimeout after it started or after its last heartbeat, and
 * never lives past its GlobalTimeout, min(100 × HeartbeatTimeout, 48 h); the hook's DefaultResult then
 * applies and the action is no longer active.
 */
import type { XmlTree } from './aws-query-xml.js';
import type { Ec2Instances } from './aws-instance-sim.js';
import { QueryApiError, listParam, type QueryParams } from './aws-query-params.js';

/** A lifecycle hook on an Auto Scaling group (DescribeLifecycleHooks LifecycleHook). */
export interface SimHook {
  readonly groupName: string;
  readonly hookName: string;
  /** autoscaling:EC2_INSTANCE_TERMINATING (default) or autoscaling:EC2_INSTANCE_LAUNCHING. */
  readonly transition?: string;
  /** Default 3600, as AWS. */
  readonly heartbeatTimeoutSeconds?: number;
  /** Default min(100 × HeartbeatTimeout, 172800), as AWS. */
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
  readonly startedAtMs: number;
  /** When the hook times out unless a heartbeat comes first. */
  expiresAtMs: number;
  /** Start + GlobalTimeout: heartbeats never extend past it. */
  readonly globalDeadlineMs: number;
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
  /** True when the hook timed out and its DefaultResult applied (no CompleteLifecycleAction). */
  readonly timedOut?: boolean;
}

const TERMINATING = 'autoscaling:EC2_INSTANCE_TERMINATING';
const MAX_GLOBAL_TIMEOUT_SECONDS = 172_800;

function heartbeatTimeout(hook: SimHook): number {
  return hook.heartbeatTimeoutSeconds ?? 3600;
}

function globalTimeout(hook: SimHook): number {
  return hook.globalTimeoutSeconds ?? Math.min(100 * heartbeatTimeout(hook), MAX_GLOBAL_TIMEOUT_SECONDS);
}

/** Hooks and lifecycle actions over the simulated instances; `now` is the simulator's clock. */
export class LifecycleSim {
  readonly hooks: SimHook[] = [];
  private readonly activeActions: ActiveLifecycleAction[] = [];
  private readonly completedActions: CompletedLifecycleAction[] = [];
  private tokenSeq = 0;

  constructor(
    private readonly ec2: Ec2Instances,
    private readonly now: () => number = Date.now,
  ) {}

  /** Actions still waiting (timed-out ones have left). */
  get active(): readonly ActiveLifecycleAction[] {
    this.expire();
    return this.activeActions;
  }

  /** Completed and timed-out actions, in order. */
  get completed(): readonly CompletedLifecycleAction[] {
    this.expire();
    return this.completedActions;
  }

  /** Adds or replaces a lifecycle hook. */
  setHook(hook: SimHook): void {
    const i = this.hooks.findIndex((h) => h.groupName === hook.groupName && h.hookName === hook.hookName);
    if (i >= 0) this.hooks.splice(i, 1);
    this.hooks.push(hook);
  }

  /** Puts an instance into `Terminating:Wait` (or `Pending:Wait`) for a hook; returns the action token. */
  start(instanceId: string, hookName: string, token?: string): string {
    const inst = this.ec2.instances.get(instanceId);
    const group = inst?.autoScalingGroupName;
    const hook = this.hooks.find((h) => h.groupName === group && h.hookName === hookName);
    if (!inst || !group || !hook) throw new Error(`no hook ${hookName} for instance ${instanceId}`);
    const transition = hook.transition ?? TERMINATING;
    const actionToken = token ?? `00000000-0000-4000-8000-${String(++this.tokenSeq).padStart(12, '0')}`;
    const startedAtMs = this.now();
    this.activeActions.push({
      instanceId,
      groupName: group,
      hookName,
      token: actionToken,
      transition,
      heartbeats: 0,
      startedAtMs,
      expiresAtMs: startedAtMs + heartbeatTimeout(hook) * 1000,
      globalDeadlineMs: startedAtMs + globalTimeout(hook) * 1000,
    });
    this.ec2.update(instanceId, {
      asgLifecycleState: transition === TERMINATING ? 'Terminating:Wait' : 'Pending:Wait',
    });
    return actionToken;
  }

  /** DescribeLifecycleHooks: the group must exist; names filter. */
  describeHooks(params: QueryParams): XmlTree {
    const group = params.AutoScalingGroupName ?? '';
    const known = this.hooks.some((h) => h.groupName === group) || this.ec2.hasGroup(group);
    if (!known) throw new QueryApiError('ValidationError', 400, `Group ${group} not found`);
    const names = listParam(params, 'LifecycleHookNames.member');
    const hooks = this.hooks.filter(
      (h) => h.groupName === group && (names.length === 0 || names.includes(h.hookName)),
    );
    const list = hooks.map((h) => ({
      LifecycleHookName: h.hookName,
      AutoScalingGroupName: h.groupName,
      LifecycleTransition: h.transition ?? TERMINATING,
      HeartbeatTimeout: heartbeatTimeout(h),
      GlobalTimeout: globalTimeout(h),
      DefaultResult: h.defaultResult ?? 'ABANDON',
    }));
    return { LifecycleHooks: { list } };
  }

  /** RecordLifecycleActionHeartbeat: the timeout restarts, capped by the global timeout. */
  heartbeat(params: QueryParams): void {
    const act = this.findAction(params);
    const hook = this.hooks.find((h) => h.groupName === act.groupName && h.hookName === act.hookName);
    act.heartbeats++;
    const timeoutMs = heartbeatTimeout(hook ?? { groupName: '', hookName: '' }) * 1000;
    act.expiresAtMs = Math.min(this.now() + timeoutMs, act.globalDeadlineMs);
  }

  /** CompleteLifecycleAction with CONTINUE or ABANDON. */
  complete(params: QueryParams): void {
    const result = params.LifecycleActionResult;
    if (result !== 'CONTINUE' && result !== 'ABANDON') {
      throw new QueryApiError('ValidationError', 400, `Invalid LifecycleActionResult: ${result}`);
    }
    this.finish(this.findAction(params), result, false);
  }

  /** Applies the DefaultResult to every action whose timeout has passed. */
  expire(): void {
    const now = this.now();
    for (const act of [...this.activeActions]) {
      if (now < act.expiresAtMs) continue;
      const hook = this.hooks.find((h) => h.groupName === act.groupName && h.hookName === act.hookName);
      this.finish(act, hook?.defaultResult ?? 'ABANDON', true);
    }
  }

  private finish(act: ActiveLifecycleAction, result: string, timedOut: boolean): void {
    this.activeActions.splice(this.activeActions.indexOf(act), 1);
    const { instanceId, groupName, hookName, token, transition, heartbeats } = act;
    const done = { instanceId, groupName, hookName, token, transition, result, heartbeats };
    this.completedActions.push(timedOut ? { ...done, timedOut } : done);
    const terminating = transition === TERMINATING;
    this.ec2.update(instanceId, {
      asgLifecycleState: terminating
        ? 'Terminating:Proceed'
        : result === 'CONTINUE'
          ? 'InService'
          : 'Terminating',
    });
  }

  private findAction(params: QueryParams): ActiveLifecycleAction {
    this.expire();
    const { LifecycleHookName: hook, AutoScalingGroupName: group, InstanceId: id } = params;
    const token = params.LifecycleActionToken;
    if (!hook || !group)
      throw new QueryApiError('ValidationError', 400, 'LifecycleHookName and group required');
    if (!token && !id) throw new QueryApiError('ValidationError', 400, 'Token or instance ID required');
    const found = this.activeActions.find(
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
}
