/**
 * Story: SQS delivers the same spot warning twice (at-least-once delivery; here: the same body sent
 * twice, so the same EventBridge id). The node is drained once, tainted once, and both copies are deleted.
 */
import { expect } from 'vitest';
import { count, taintKeys, waitDrained, waitDeleted } from '../helpers/queue-daemon.js';
import { spotWarning } from '../helpers/queue-messages.js';
import {} from '../helpers/queue-world.js';
import { queueScenario } from '../helpers/queue-scenario.js';

queueScenario('queue mode: duplicate delivery', { targetNode: 1 }, (it) => {
  it('drains once for two copies, and a late third copy is answered from memory', async ({
    world,
    daemon,
    target,
  }) => {
    const body = spotWarning(target.instanceId);
    await world.send(body);
    await world.send(body);
    await waitDrained(daemon, target.name);
    expect(await waitDeleted(daemon, undefined, 2)).toBe(2);
    await world.send(body);
    expect(await waitDeleted(daemon, undefined, 3)).toBe(3);

    expect(count(daemon, 'interruption event received')).toBe(1);
    expect(count(daemon, 'drain started')).toBe(1);
    expect(count(daemon, 'node drained')).toBe(1);
    expect(taintKeys(world.node(target.name)).filter((k) => k.startsWith('spot-handler/'))).toHaveLength(1);
    expect(await daemon.metric('spot_handler_actions_total', { action: 'drain', result: 'success' })).toBe(1);
    const evictions = world.wire.requests.count({ method: 'POST', path: /\/eviction$/ });
    expect(evictions).toBe(2); // the two app pods of the node, once each
  });
});
