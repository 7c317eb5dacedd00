/**
 * Story (issue #17): the IAM role lacks autoscaling:CompleteLifecycleAction. Auto Scaling has no DryRun,
 * so `spot-handler check` cannot see it (it says so); it shows at the first terminate hook: the node is
 * drained, completing the action is refused (AccessDenied from the Auto Scaling Query API), and /readyz
 * turns not ready naming that action, with the gauge and one log line. The message stays on the queue;
 * once the policy allows the action, its redelivery completes the hook, deletes the message, and the
 * replica is ready again by itself.
 */
import { expect } from 'vitest';
import { waitDeleted, waitDrained } from '../helpers/queue-daemon.js';
import { startTerminateHook, queueScenario } from '../helpers/queue-scenario.js';
import { until } from '../helpers/queue-world.js';
import { permanentLogs, recoveredLogs, setupDetail, setupFailing, waitReadyz } from '../helpers/readyz.js';

queueScenario(
  'queue mode: a missing autoscaling:CompleteLifecycleAction',
  { visibilitySeconds: 5, timeoutMs: 90_000 },
  (it) => {
    it('shows at the first hook, naming the IAM action; completed and ready once allowed', async ({
      world,
      daemon,
      target,
    }) => {
      world.aws.fail('CompleteLifecycleAction', { code: 'AccessDenied', status: 403 });
      const { token, message } = startTerminateHook(world, target.instanceId, 300);
      await world.send(message);

      await waitDrained(daemon, target.name);
      const down = await waitReadyz(daemon, setupFailing, 10_000);
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(
        /access_denied.*allow autoscaling:CompleteLifecycleAction for the IAM role/,
      );
      expect(
        await daemon.metric('spot_handler_permanent_error', {
          component: 'autoscaling',
          reason: 'access_denied',
        }),
      ).toBe(1);
      expect(world.aws.completed).toEqual([]);

      world.aws.clearFaults();
      await until(() => world.aws.completed.length === 1, 30_000, 'CompleteLifecycleAction after the fix');
      expect(world.aws.completed[0]).toMatchObject({
        instanceId: target.instanceId,
        token,
        result: 'CONTINUE',
      });
      expect(await waitDeleted(daemon, 'done', 1)).toBe(1);
      const up = await waitReadyz(daemon, (r) => r.status === 200, 10_000);
      expect(up.status).toBe(200);
      expect(permanentLogs(daemon)).toBe(1);
      expect(recoveredLogs(daemon)).toBe(1);
    });
  },
);
