/**
 * Story: an NTH user kept `IGNORE_DAEMON_SETS=false` from their NTH config. NTH passes it to kubectl's
 * drain library, which refuses to drain a node that runs DaemonSet pods and names them. The real
 * daemon does the same on a spot notice: nothing is evicted, and the refusal (in kubectl's words,
 * naming the DaemonSet pod) is in the Kubernetes Event, the log, the metric and the failure webhook.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest, webhookReceiverPerTest } from '../helpers/per-test.js';
import * as k8s from '@kubernetes/client-node';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;
let receiver: WebhookReceiver;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 3, shutdownMs: 100 }] }, (w) => (world = w));
webhookReceiverPerTest((r) => (receiver = r));

const REFUSAL = 'cannot delete DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';

async function eventNotes(node: string): Promise<string[]> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(world.kubeconfigPath);
  const list = await kc.makeApiClient(k8s.CoreV1Api).listEventForAllNamespaces();
  return list.items.filter((e) => e.involvedObject.name === node).map((e) => `${e.reason}: ${e.message}`);
}

describe('NTH setting IGNORE_DAEMON_SETS=false', () => {
  it('fails the drain naming the DaemonSet pod, as kubectl does, and evicts nothing', async () => {
    const node = world.nodeName;
    const appPods = (): string[] =>
      world
        .podsOn(node)
        .filter((p) => p.metadata.namespace === world.namespace && !p.metadata.deletionTimestamp)
        .map((p) => p.metadata.name ?? '');
    const dsPod = world.podsOn(node).find((p) => p.metadata.namespace === world.systemNamespace);
    const dsPodRef = `${world.systemNamespace}/${dsPod?.metadata.name ?? '?'}`;
    const before = appPods();
    expect(before.length).toBeGreaterThan(0);
    const daemon = await startDaemon({
      env: world.daemonEnv({
        IMDS_POLL_INTERVAL_MS: '200',
        IGNORE_DAEMON_SETS: 'false',
        EMIT_KUBERNETES_EVENTS: 'true',
        WEBHOOK_URL: `${receiver.url}/hook`,
        WEBHOOK_TEMPLATE: '{"trigger":"{{ trigger }}","result":"{{ result }}","text":"{{ description }}"}',
      }),
    });
    world.imds.setSpotAction(
      'terminate',
      new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    );

    const refused = await daemon.waitForLog((l) => String(l.msg).startsWith('drain refused'), 25_000);
    expect(refused.msg).toBe(`drain refused: ${REFUSAL}: ${dsPodRef}`);
    await daemon.waitForLog((l) => l.msg === 'drain did not finish', 5_000);

    expect(appPods().sort()).toEqual(before.sort());
    expect(
      world.podsOn(node).find((p) => p.metadata.name === dsPod?.metadata.name)?.metadata.deletionTimestamp,
    ).toBeUndefined();
    expect(await daemon.metric('spot_handler_pods_refusing_drain_total', { reason: 'daemonset' })).toBe(1);
    expect(await daemon.metric('spot_handler_drains_total', { result: 'failed' })).toBe(1);
    expect(world.node(node)?.metadata.labels?.['spot-handler/state']).toBe('drain-failed');

    let notes: string[] = [];
    for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) {
      notes = await eventNotes(node);
      if (notes.some((n) => n.startsWith('DrainFailed'))) break;
    }
    expect(notes.find((n) => n.startsWith('DrainFailed'))).toContain(`${REFUSAL}: ${dsPodRef}`);

    for (const until = Date.now() + 5_000; Date.now() < until; await new Promise((r) => setTimeout(r, 100)))
      if (receiver.received.some((r) => (r.json as { trigger?: string }).trigger === 'failure')) break;
    const failure = receiver.received
      .map((r) => r.json as { trigger: string; result: string; text: string })
      .find((b) => b.trigger === 'failure');
    expect(failure?.result).toBe('failed');
    expect(failure?.text).toContain(`${REFUSAL}: ${dsPodRef}`);
    await daemon.stop();
  }, 60_000);
});
