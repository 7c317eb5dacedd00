/**
 * Story: the daemon is SIGKILLed in the middle of a drain (pods take seconds to stop) and started again
 * while IMDS still serves the notice. The new process finishes the drain from what the node records:
 * no second taint, no second start webhook, and every pod ends up gone.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest, webhookReceiverPerTest } from '../helpers/per-test.js';
import { waitFor, type SandboxWorld } from '../../src/sandbox/demo-world.js';
import { type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;
let receiver: WebhookReceiver;

imdsWorldPerTest(
  {
    deployments: [{ name: 'slow', replicas: 6, shutdownMs: 2500 }],
  },
  (w) => (world = w),
);
webhookReceiverPerTest((r) => (receiver = r));

function starts(): number {
  return receiver.received.filter((r) => (r.json as { trigger?: string }).trigger === 'start').length;
}

describe('IMDS mode: SIGKILL mid-drain and restart', () => {
  it('finishes the drain without a second taint or a second start webhook', async () => {
    const env = world.daemonEnv({
      IMDS_POLL_INTERVAL_MS: '200',
      WEBHOOK_URL: `${receiver.url}/hook`,
      WEBHOOK_TEMPLATE: '{"trigger":"{{ trigger }}","eventId":"{{ eventId }}"}',
    });
    const first = await startDaemon({ env });
    world.imds.setSpotAction('terminate', new Date(Date.now() + 120_000).toISOString());
    await first.waitForLog((l) => l.msg === 'drain started', 8_000);
    // the start webhook went out and is recorded on the node
    await waitFor(
      () =>
        (world.node(world.nodeName)?.metadata.annotations?.['spot-handler/reported'] ?? '').includes('start'),
      5_000,
      'start recorded on the node',
    );
    const exit = await first.kill();
    expect(exit.signal).toBe('SIGKILL');
    expect(first.logsWith('node drained')).toHaveLength(0);
    expect(world.node(world.nodeName)?.metadata.labels?.['spot-handler/state']).toBe('draining');

    const second = await startDaemon({ env });
    await second.waitForLog((l) => l.msg === 'node drained', 15_000);
    await waitFor(
      () => world.podsOn(world.nodeName).every((p) => p.metadata.namespace !== world.namespace),
      5_000,
      'pods gone',
    );
    const taints = (world.node(world.nodeName)?.spec?.['taints'] ?? []) as { key: string }[];
    expect(taints.filter((t) => t.key.startsWith('spot-handler/')).map((t) => t.key)).toEqual([
      'spot-handler/spot-interruption',
    ]);
    await waitFor(() => receiver.received.length >= 2, 3_000, 'success webhook');
    expect(starts()).toBe(1);
    expect(world.node(world.nodeName)?.metadata.labels?.['spot-handler/state']).toBe('drained');
  });
});
