/**
 * Story: a scheduled maintenance event is drained at the configured lead time before NotBefore (not at
 * once); when AWS cancels it, the daemon uncordons the node and removes its taints and labels.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import { formatImdsDate, type ImdsScheduledEvent } from '../../src/sandbox/imds-server.js';
import { waitFor, type SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 6, shutdownMs: 100 }] }, (w) => (world = w));

function maintenance(notBeforeMs: number, state: string): ImdsScheduledEvent {
  return {
    NotBefore: formatImdsDate(notBeforeMs),
    NotAfter: formatImdsDate(notBeforeMs + 3_600_000),
    Code: 'system-reboot',
    Description: 'scheduled reboot',
    EventId: 'instance-event-0d59937288b749b32',
    State: state,
  };
}

function marks(): string[] {
  const n = world.node(world.nodeName);
  const taints = ((n?.spec?.['taints'] ?? []) as { key: string }[]).map((t) => t.key);
  return [...taints, ...Object.keys(n?.metadata.labels ?? {})].filter((k) => k.startsWith('spot-handler/'));
}

describe('IMDS mode: scheduled maintenance', () => {
  it('drains at the lead time, then restores the node when the event is canceled', async () => {
    const daemon = await startDaemon({
      env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200', SCHEDULED_EVENT_LEAD_SECONDS: '300' }),
    });
    // NotBefore in 308 s with a 300 s lead: act in about 8 s (IMDS dates have whole seconds), room for
    // a loaded machine where loading the Kubernetes client alone takes seconds
    const notBefore = Math.floor(Date.now() / 1000) * 1000 + 308_000;
    const actAt = notBefore - 300_000;
    world.imds.setScheduledEvents([maintenance(notBefore, 'active')]);
    await daemon.waitForLog((l) => l.msg === 'waiting to act', 5_000);
    expect(world.node(world.nodeName)?.spec?.['unschedulable']).toBeFalsy();

    await daemon.waitForLog((l) => l.msg === 'node drained', 20_000);
    const cordon = daemon.logsWith('node cordoned')[0];
    expect(Date.parse(String(cordon?.time))).toBeGreaterThanOrEqual(actAt - 50);
    expect(world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace)).toEqual([]);
    expect(marks()).toContain('spot-handler/scheduled-maintenance');

    world.imds.setScheduledEvents([maintenance(notBefore, 'canceled')]);
    await daemon.waitForLog((l) => l.msg === 'event canceled: node restored', 5_000);
    await waitFor(() => !world.node(world.nodeName)?.spec?.['unschedulable'], 2_000, 'uncordon');
    expect(marks()).toEqual([]);
  });
});
