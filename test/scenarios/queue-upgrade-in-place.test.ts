/**
 * Story (issue #14 item 5): in queue mode a rebalance recommendation drains the node; while that drain
 * runs, the spot warning for the same instance arrives. The running drain is upgraded in place: one
 * cordon, one drain, one start webhook; the node's taint, kind label and condition move to the spot
 * warning; both messages are deleted once the node is drained.
 */
import { expect } from 'vitest';
import {
  count,
  startQueueDaemon,
  taintKeys,
  triggers,
  waitDrained,
  waitDeleted,
} from '../helpers/queue-daemon.js';
import { rebalance, spotWarning } from '../helpers/queue-messages.js';
import { queueScenario, webhookEnv } from '../helpers/queue-scenario.js';
import { until } from '../helpers/queue-world.js';

// pods take 3 s to stop after SIGTERM: the rebalance drain is still running when the spot warning comes
queueScenario('queue mode: a spot warning during a rebalance drain', { shutdownMs: 3_000 }, (it) => {
  it('upgrades the running drain in place: one cordon, one drain, one start webhook', async ({
    world,
    hooks,
    target,
  }) => {
    const daemon = await startQueueDaemon(world, webhookEnv(hooks));
    const nodePath = `/api/v1/nodes/${target.name}`;
    await world.send(rebalance(target.instanceId));
    await daemon.waitForLog((l) => l.msg === 'drain started' && l['node'] === target.name, 15_000);
    await world.send(spotWarning(target.instanceId));
    await daemon.waitForLog((l) => l.msg === 'drain upgraded in place' && l['node'] === target.name, 15_000);

    await waitDrained(daemon, target.name, 30_000);
    expect(await waitDeleted(daemon, 'done', 2, 20_000)).toBe(2);
    await until(() => triggers(hooks.received, target.name).includes('success'), 10_000, 'success webhook');
    expect(world.appPodsOn(target.name)).toHaveLength(0);

    // one cordon, one drain, one start webhook
    expect(count(daemon, 'node cordoned')).toBe(1);
    expect(daemon.logsWith('drain started').filter((l) => l['node'] === target.name)).toHaveLength(1);
    expect(count(daemon, 'stronger event merged: the node action restarts with it')).toBe(0);
    expect(triggers(hooks.received, target.name)).toEqual(['start', 'success']);
    // node object writes: the cordon (rebalance marks) and one re-mark for the spot warning
    // node object writes that landed: the cordon (rebalance marks), one re-mark for the spot warning,
    // and the webhooks recorded at the end (the condition goes through /status)
    const ourWrites = world.wire.requests
      .entries({ method: 'PATCH', path: nodePath, status: 200 })
      .filter((r) => !r.userAgent.includes('kubelet-simulator'));
    expect(ourWrites).toHaveLength(3);

    const node = world.node(target.name);
    const ours = taintKeys(node).filter((k) => k.startsWith('spot-handler/'));
    expect(ours).toEqual(['spot-handler/spot-interruption']);
    expect(node?.metadata.labels?.['spot-handler/kind']).toBe('spot-interruption');
    expect(node?.metadata.labels?.['spot-handler/state']).toBe('drained');
    expect(node?.spec?.['unschedulable']).toBe(true);
    const upgraded = daemon.logsWith('drain upgraded in place').find((l) => l['node'] === target.name);
    expect(upgraded).toMatchObject({ kind: 'spot-interruption', urgent: true });
  });
});
