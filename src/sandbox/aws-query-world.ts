/**
 * The state behind the EC2 / Auto Scaling simulator: instances (aws-instance-sim.ts), lifecycle hooks
 * and actions (aws-lifecycle-sim.ts), and which of them answers each Query API action. Pure in-memory
 * logic; the HTTP part is in aws-query-server.ts.
 */
import { ASG_VERSION, EC2_VERSION, asgResponse, ec2Response } from './aws-query-xml.js';
import { Ec2Instances, type SimInstance, type SimInstanceInput } from './aws-instance-sim.js';
import {
  LifecycleSim,
  type ActiveLifecycleAction,
  type CompletedLifecycleAction,
  type SimHook,
} from './aws-lifecycle-sim.js';
import { QueryApiError, type QueryParams } from './aws-query-params.js';

export { QueryApiError, listParam } from './aws-query-params.js';
export type { Ec2StateName, SimInstance, SimInstanceInput } from './aws-instance-sim.js';
export type { ActiveLifecycleAction, CompletedLifecycleAction, SimHook } from './aws-lifecycle-sim.js';

/** Instances, hooks and lifecycle actions, with the Query API semantics on top. */
export class AwsWorld {
  readonly ec2 = new Ec2Instances();
  readonly lifecycle: LifecycleSim;

  /** `now` is the clock lifecycle timeouts run on (tests may move it). */
  constructor(now: () => number = Date.now) {
    this.lifecycle = new LifecycleSim(this.ec2, now);
  }

  get instances(): ReadonlyMap<string, SimInstance> {
    return this.ec2.instances;
  }

  get hooks(): readonly SimHook[] {
    return this.lifecycle.hooks;
  }

  /** Lifecycle actions still waiting. */
  get active(): readonly ActiveLifecycleAction[] {
    return this.lifecycle.active;
  }

  /** Completed (or timed-out) lifecycle actions, in order. */
  get completed(): readonly CompletedLifecycleAction[] {
    return this.lifecycle.completed;
  }

  /** Adds or replaces an instance, filling defaults (running m5.large in us-east-1a). */
  addInstance(input: SimInstanceInput): SimInstance {
    return this.ec2.add(input);
  }

  /** Changes fields of an existing instance. */
  updateInstance(instanceId: string, patch: Partial<Omit<SimInstance, 'instanceId'>>): SimInstance {
    return this.ec2.update(instanceId, patch);
  }

  /** Adds or replaces a lifecycle hook. */
  setHook(hook: SimHook): void {
    this.lifecycle.setHook(hook);
  }

  /** Puts an instance into `Terminating:Wait` (or `Pending:Wait`) for a hook; returns the action token. */
  startLifecycleAction(instanceId: string, hookName: string, token?: string): string {
    return this.lifecycle.start(instanceId, hookName, token);
  }

  /** Answers one action, or throws QueryApiError. */
  handle(action: string, params: QueryParams, requestId: string): string {
    switch (action) {
      case 'DescribeInstances':
        return ec2Response(action, requestId, this.ec2.describeInstances(params));
      case 'DescribeAutoScalingInstances':
        this.lifecycle.expire();
        return asgResponse(action, requestId, this.ec2.describeAsgInstances(params));
      case 'DescribeLifecycleHooks':
        return asgResponse(action, requestId, this.lifecycle.describeHooks(params));
      case 'CompleteLifecycleAction':
        this.lifecycle.complete(params);
        return asgResponse(action, requestId, {});
      case 'RecordLifecycleActionHeartbeat':
        this.lifecycle.heartbeat(params);
        return asgResponse(action, requestId, {});
      default:
        throw new QueryApiError(
          'InvalidAction',
          400,
          `The action ${action} is not valid for this web service.`,
        );
    }
  }
}

/** Which service an action belongs to, by the Version parameter (falling back to the action name). */
export function serviceOf(params: QueryParams): 'ec2' | 'autoscaling' {
  if (params.Version === EC2_VERSION) return 'ec2';
  if (params.Version === ASG_VERSION) return 'autoscaling';
  return params.Action === 'DescribeInstances' ? 'ec2' : 'autoscaling';
}
