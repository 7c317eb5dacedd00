/**
 * Story: a spot warning reaches the queue with seconds left; a PodDisruptionBudget blocks every eviction
 * and forcing is off (FORCE_AT_DEADLINE=false), so the drain gives up and the message is kept. When SQS
 * delivers it again the deadline has passed: it is acknowledged (deleted) without a second drain.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as k8s from '@kubernetes/client-node';
import { stopAllDaemons } from '../helpers/daemon.js';
import { startQueueDaemon, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { nodeAt, startQueueWorld, type QueueWorld } from '../helpers/queue-world.js';

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

describe('queue mode: a redelivered spot warning past its deadline', () => {
  it('is deleted without a second drain after the first drain gave up', async () => {
    const daemon = await startQueueDaemon(world, {
      FORCE_AT_DEADLINE: 'false',
      NODE_TERMINATION_GRACE_PERIOD: '3',
    });
    const target = nodeAt(world, 0);
    // issued 116 s ago: the two-minute warning has 4 s left
    await world.send(spotWarning(target.instanceId, Date.now() - 116_000));

    await daemon.waitForLog((l) => l.msg === 'drain did not finish', 20_000);
    await daemon.waitForLog(
      (l) => l.msg === 'notice past its deadline after a failed drain: acknowledged without a second drain',
      45_000,
    );
    expect(await waitDeleted(daemon, 'ignored', 1)).toBe(1);
    expect(daemon.logsWith('drain did not finish')).toHaveLength(1);
    expect(world.appPodsOn(target.name)).toHaveLength(2);
    expect(world.node(target.name)?.metadata.labels?.['spot-handler/state']).toBe('drain-failed');
  }, 90_000);
});
