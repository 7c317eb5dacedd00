/**
 * Auto Scaling lifecycle calls (Query API 2011-01-01) on @aws-sdk/client-auto-scaling:
 * CompleteLifecycleAction (CONTINUE), RecordLifecycleActionHeartbeat, DescribeLifecycleHooks.
 * "No active Lifecycle Action found" (a ValidationError) becomes NotFoundError.
 */
import type {
  AutoScalingClient,
  CompleteLifecycleActionCommand,
  DescribeLifecycleHooksCommand,
  RecordLifecycleActionHeartbeatCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AsgHookPort } from '../actions/asg-hook-completer.js';
import type { HookTimeouts } from '../actions/asg-hook-deadline.js';
import type { LifecycleHookRef } from '../events/interruption-event.js';
import { mapAwsError } from './map-aws-error.js';
import { sdkExports } from './aws-clients.js';

/** The command classes used, from the lazily loaded SDK module. */
interface AsgCommands {
  readonly CompleteLifecycleActionCommand: typeof CompleteLifecycleActionCommand;
  readonly RecordLifecycleActionHeartbeatCommand: typeof RecordLifecycleActionHeartbeatCommand;
  readonly DescribeLifecycleHooksCommand: typeof DescribeLifecycleHooksCommand;
}

/** The hook identity every call sends: token when known, else the instance id. */
function target(hook: LifecycleHookRef) {
  return {
    AutoScalingGroupName: hook.groupName,
    LifecycleHookName: hook.hookName,
    ...(hook.token ? { LifecycleActionToken: hook.token } : { InstanceId: hook.instanceId }),
  };
}

/** AsgHookPort on the Auto Scaling SDK. */
export class AutoScalingLifecycle implements AsgHookPort {
  constructor(
    private readonly client: AutoScalingClient,
    private readonly sdk: AsgCommands,
  ) {}

  /** CompleteLifecycleAction with CONTINUE. */
  async complete(hook: LifecycleHookRef): Promise<void> {
    try {
      await this.client.send(
        new this.sdk.CompleteLifecycleActionCommand({ ...target(hook), LifecycleActionResult: 'CONTINUE' }),
      );
    } catch (err) {
      throw mapAwsError(err, 'autoscaling:CompleteLifecycleAction');
    }
  }

  /** RecordLifecycleActionHeartbeat. */
  async recordHeartbeat(hook: LifecycleHookRef): Promise<void> {
    try {
      await this.client.send(new this.sdk.RecordLifecycleActionHeartbeatCommand(target(hook)));
    } catch (err) {
      throw mapAwsError(err, 'autoscaling:RecordLifecycleActionHeartbeat');
    }
  }

  /** The hook's HeartbeatTimeout and GlobalTimeout; undefined when the hook is not found. */
  async describeHook(groupName: string, hookName: string): Promise<HookTimeouts | undefined> {
    try {
      const out = await this.client.send(
        new this.sdk.DescribeLifecycleHooksCommand({
          AutoScalingGroupName: groupName,
          LifecycleHookNames: [hookName],
        }),
      );
      const hook = out.LifecycleHooks?.find((h) => h.LifecycleHookName === hookName);
      if (hook?.HeartbeatTimeout === undefined) return undefined;
      return {
        heartbeatTimeoutSeconds: hook.HeartbeatTimeout,
        ...(hook.GlobalTimeout === undefined ? {} : { globalTimeoutSeconds: hook.GlobalTimeout }),
      };
    } catch (err) {
      throw mapAwsError(err, 'autoscaling:DescribeLifecycleHooks');
    }
  }
}

/** Loads the Auto Scaling SDK module and wraps `client`. */
export async function createAutoScalingLifecycle(client: AutoScalingClient): Promise<AutoScalingLifecycle> {
  const sdk = sdkExports(await import('@aws-sdk/client-auto-scaling'), 'CompleteLifecycleActionCommand');
  return new AutoScalingLifecycle(client, sdk);
}
