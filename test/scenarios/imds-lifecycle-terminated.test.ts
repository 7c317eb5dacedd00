/**
 * Story: Auto Scaling sets the instance's target lifecycle state to Terminated. The daemon drains the
 * node once and sends one start webhook (and one success webhook) although IMDS keeps answering
 * Terminated on every poll; the webhook URL and header secrets never appear in its output.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest, webhookReceiverPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;
let receiver: WebhookReceiver;
const URL_SECRET = 'url-s3cr3t-7f1c2a';
const HEADER_SECRET = 'hdr-s3cr3t-9b8e4d';

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 6, shutdownMs: 200 }] }, (w) => (world = w));
webhookReceiverPerTest((r) => (receiver = r));

function triggers(): string[] {
  return receiver.received.map((r) => (r.json as { trigger?: string } | undefined)?.trigger ?? '?');
}

describe('IMDS mode: target lifecycle state Terminated', () => {
  it('drains once and sends one start webhook while IMDS keeps saying Terminated', async () => {
    const daemon = await startDaemon({
      env: world.daemonEnv({
        IMDS_POLL_INTERVAL_MS: '100',
        WEBHOOK_URL: `${receiver.url}/hook/${URL_SECRET}`,
        WEBHOOK_HEADERS: JSON.stringify({ Authorization: `Bearer ${HEADER_SECRET}` }),
        WEBHOOK_TEMPLATE: '{"trigger":"{{ trigger }}","kind":"{{ kind }}","eventId":"{{ eventId }}"}',
      }),
    });
    world.imds.setTargetLifecycleState('Terminated');
    await daemon.waitForLog((l) => l.msg === 'node drained', 12_000);
    const polls = world.imds.requestsTo('/latest/meta-data/autoscaling/target-lifecycle-state').length;
    // keep polling "Terminated" for a while: nothing more may happen
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      world.imds.requestsTo('/latest/meta-data/autoscaling/target-lifecycle-state').length,
    ).toBeGreaterThan(polls + 3);
    expect(daemon.logsWith('interruption event received')).toHaveLength(1);
    expect(daemon.logsWith('drain started')).toHaveLength(1);
    expect(daemon.logsWith('node drained')).toHaveLength(1);
    expect(triggers().sort()).toEqual(['start', 'success']);
    expect(receiver.received[0]?.path).toBe(`/hook/${URL_SECRET}`);
    expect((receiver.received[0]?.json as { kind?: string }).kind).toBe('asg-termination');
    const pods = world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace);
    expect(pods).toEqual([]);
    await daemon.stop();
    daemon.assertNoSecret(URL_SECRET);
    daemon.assertNoSecret(HEADER_SECRET);
  });
});
