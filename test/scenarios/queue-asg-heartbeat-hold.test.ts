/**
 * Story: an ASG scales in a node whose pods a PodDisruptionBudget holds for a while (a rollout elsewhere
 * is still settling). The hook's HeartbeatTimeout is 30 s, so the drain outlives it: the daemon reads the
 * hook (DescribeLifecycleHooks), takes its deadline from the global timeout (100 × 30 s), keeps the
 * lifecycle action alive with RecordLifecycleActionHeartbeat, drains again once the PDB lets go, and
 * only then completes the action with CONTINUE. The instance never left before its pods did.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'vitest';
import { startQueueDaemon, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';

import { startTerminateHook, queueScenario, DB_BEHIND_PDB } from '../helpers/queue-scenario.js';
import { until } from '../helpers/queue-world.js';

queueScenario(
  'queue mode: ASG scale-in held by heartbeats while a PDB blocks',
  { cluster: DB_BEHIND_PDB },
  (it) => {
    it('heartbeats past the HeartbeatTimeout, drains once the PDB allows, then completes CONTINUE', async ({
      world,
      target,
    }) => {
      const daemon = await startQueueDaemon(world, { NODE_TERMINATION_GRACE_PERIOD: '5' });
      const sentAt = Date.now();
      const { token, message } = startTerminateHook(world, target.instanceId, 30, sentAt);
      await world.send(message);

      const deadline = await daemon.waitForLog((l) => l.msg === 'lifecycle hook deadline', 20_000);
      expect(deadline['basis']).toBe('heartbeats');
      expect(deadline['heartbeatTimeoutSeconds']).toBe(30);
      // the hook's global timeout: 100 × 30 s after the action started (the event time, in whole seconds)
      const deadlineMs = Date.parse(String(deadline['deadline']));
      expect(Math.abs(deadlineMs - (sentAt + 3_000_000))).toBeLessThan(2_000);
      expect(world.aws.callsOf('DescribeLifecycleHooks')).toHaveLength(1);

      await daemon.waitForLog(
        (l) => l.msg === 'drain blocked while the lifecycle hook holds the instance',
        30_000,
      );
      // a heartbeat at half the HeartbeatTimeout keeps the action waiting past its first 30 s
      await until(() => world.aws.callsOf('RecordLifecycleActionHeartbeat').length >= 1, 25_000, 'heartbeat');
      expect(world.aws.completed).toEqual([]);
      await world.env.kubeConfig
        .makeApiClient(k8s.PolicyV1Api)
        .deleteNamespacedPodDisruptionBudget({ name: 'db', namespace: world.namespace });

      await waitDrained(daemon, target.name, 40_000);
      await until(() => world.aws.completed.length === 1, 10_000, 'CompleteLifecycleAction');
      expect(world.aws.completed[0]).toMatchObject({ token, result: 'CONTINUE' });
      expect(world.aws.completed[0]?.timedOut).toBeUndefined();
      expect(world.aws.completed[0]?.heartbeats).toBeGreaterThanOrEqual(1);
      expect(world.appPodsOn(target.name)).toHaveLength(0);
      const done = await waitDeleted(daemon, 'done', 1);
      expect(done).toBe(1);
    }, 120_000);
  },
);
