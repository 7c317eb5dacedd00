/**
 * Story: an ASG scales in a node whose pods a PodDisruptionBudget holds for a while (a rollout elsewhere
 * is still settling). The hook's HeartbeatTimeout is 30 s, so the drain outlives it: the daemon reads the
 * hook (DescribeLifecycleHooks), takes its deadline from the global timeout (100 × 30 s), keeps the
 * lifecycle action alive with RecordLifecycleActionHeartbeat, drains again once the PDB lets go, and
 * only then completes the action with CONTINUE. The instance never left before its pods did.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { stopAllDaemons } from '../helpers/daemon.js';
import { startQueueDaemon, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { asgLifecycle } from '../helpers/queue-messages.js';
import { ASG_NAME, nodeAt, startQueueWorld, until, type QueueWorld } from '../helpers/queue-world.js';

let world: QueueWorld;

beforeEach(async () => {
  world = await startQueueWorld({
    cluster: { nodes: 2, apps: [{ name: 'db', replicas: 2, onNodes: [0], shutdownMs: 50, graceSeconds: 5 }] },
  });
  await world.env.kubeConfig.makeApiClient(k8s.PolicyV1Api).createNamespacedPodDisruptionBudget({
    namespace: world.namespace,
    body: { metadata: { name: 'db' }, spec: { selector: { matchLabels: { app: 'db' } }, minAvailable: 2 } },
  });
});

afterEach(async () => {
  await stopAllDaemons();
  await world.stop();
});

describe('queue mode: ASG scale-in held by heartbeats while a PDB blocks', () => {
  it('heartbeats past the HeartbeatTimeout, drains once the PDB allows, then completes CONTINUE', async () => {
    const daemon = await startQueueDaemon(world, { NODE_TERMINATION_GRACE_PERIOD: '5' });
    const target = nodeAt(world, 0);
    world.aws.setHook({ groupName: ASG_NAME, hookName: 'node-drain', heartbeatTimeoutSeconds: 30 });
    const token = world.aws.startLifecycleAction(target.instanceId, 'node-drain');
    const sentAt = Date.now();
    await world.send(
      asgLifecycle(
        target.instanceId,
        { groupName: ASG_NAME, hookName: 'node-drain', token },
        'terminate',
        sentAt,
      ),
    );

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
});
