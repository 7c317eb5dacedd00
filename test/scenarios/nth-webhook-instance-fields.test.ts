/**
 * Story: an NTH user keeps a webhook template that shows the instance's account, life cycle, hostnames
 * and IPs, and a scheduled change's end time. In IMDS mode they come from IMDS (read with the identity);
 * in queue mode from EC2 DescribeInstances, and EndTime from the AWS Health event's endTime.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startWebhookReceiver, type WebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startDaemon, stopAllDaemons } from '../helpers/daemon.js';
import { startSandboxWorldOnKubeEnv } from '../helpers/kube-env.js';
import { startQueueDaemon, waitDrained } from '../helpers/queue-daemon.js';
import { healthScheduledChange } from '../helpers/queue-messages.js';
import { nodeAt, startQueueWorld, until, type QueueWorld } from '../helpers/queue-world.js';

/** NTH template fields, written the way NTH users write them. */
const TEMPLATE = [
  '{"kind":"{{ .Kind }}","account":"{{ .AccountId }}","lifecycle":"{{ .InstanceLifeCycle }}",',
  '"localIp":"{{ .LocalIP }}","localHostname":"{{ .LocalHostname }}",',
  '"publicIp":"{{ .PublicIP }}","publicHostname":"{{ .PublicHostname }}",',
  '"end":"{{ if not .EndTime.IsZero }}{{ .EndTime.Format "2006-01-02T15:04:05Z07:00" }}{{ end }}"}',
].join('');

let receiver: WebhookReceiver;
const stops: (() => Promise<void>)[] = [];

afterEach(async () => {
  await stopAllDaemons();
  for (const stop of stops.splice(0)) await stop();
  await receiver.stop();
});

function bodies(): Record<string, string>[] {
  return receiver.received.map((r) => r.json as Record<string, string>);
}

describe('NTH webhook template: instance fields', () => {
  it('IMDS mode: account, life cycle, local hostname and IP from IMDS; no public address → empty', async () => {
    receiver = await startWebhookReceiver();
    const world: SandboxWorld = await startSandboxWorldOnKubeEnv({
      deployments: [{ name: 'web', replicas: 2, shutdownMs: 50 }],
    });
    stops.push(() => world.stop());
    const daemon = await startDaemon({
      env: world.daemonEnv({
        IMDS_POLL_INTERVAL_MS: '200',
        WEBHOOK_URL: `${receiver.url}/hook`,
        WEBHOOK_TEMPLATE: TEMPLATE,
      }),
    });
    world.imds.setSpotAction(
      'terminate',
      new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z'),
    );
    await daemon.waitForLog((l) => l.msg === 'node drained', 20_000);
    await until(() => receiver.received.length >= 2, 10_000, 'start and success webhooks');
    for (const body of bodies()) {
      expect(body).toEqual({
        kind: 'SPOT_ITN',
        account: '000000000000',
        lifecycle: 'spot',
        localIp: world.imds.identity.localIpv4,
        localHostname: world.imds.identity.localHostname,
        publicIp: '',
        publicHostname: '',
        end: '',
      });
    }
  }, 60_000);

  it('queue mode: the instance fields from EC2 DescribeInstances, EndTime from the Health event', async () => {
    receiver = await startWebhookReceiver();
    const world: QueueWorld = await startQueueWorld();
    stops.push(() => world.stop());
    const target = nodeAt(world, 0);
    world.aws.updateInstance(target.instanceId, {
      publicDnsName: 'ec2-54-1-2-3.compute-1.amazonaws.com',
      publicIpAddress: '54.1.2.3',
    });
    const daemon = await startQueueDaemon(world, {
      WEBHOOK_URL: `${receiver.url}/hook`,
      WEBHOOK_TEMPLATE: TEMPLATE,
    });
    const startMs = Math.floor(Date.now() / 1000) * 1000 + 3600_000;
    await world.send(healthScheduledChange([target.instanceId], startMs));
    await waitDrained(daemon, target.name);
    await until(() => receiver.received.length >= 2, 10_000, 'start and success webhooks');
    const inst = world.aws.world.instances.get(target.instanceId);
    for (const body of bodies()) {
      expect(body).toEqual({
        kind: 'SCHEDULED_EVENT',
        account: '000000000000',
        lifecycle: 'spot',
        localIp: inst?.privateIpAddress,
        localHostname: inst?.privateDnsName,
        publicIp: '54.1.2.3',
        publicHostname: 'ec2-54-1-2-3.compute-1.amazonaws.com',
        end: new Date(startMs + 2 * 3600_000).toISOString().replace(/\.000Z$/, 'Z'),
      });
    }
    // one DescribeInstances answered both webhooks (cached)
    expect(world.aws.callsOf('DescribeInstances').length).toBeLessThanOrEqual(1);
  }, 60_000);
});
