/**
 * Story: a rebalance recommendation makes the daemon cordon (and taint) its node without draining; when
 * the cordon TTL passes it uncordons and removes its marks.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import { waitFor, type SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 6, shutdownMs: 100 }] }, (w) => (world = w));

function ourTaints(): string[] {
  const taints = (world.node(world.nodeName)?.spec?.['taints'] ?? []) as { key: string }[];
  return taints.map((t) => t.key).filter((k) => k.startsWith('spot-handler/'));
}

describe('IMDS mode: rebalance recommendation', () => {
  it('cordons without draining, then uncordons after the TTL', async () => {
    const daemon = await startDaemon({
      env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200', REBALANCE_CORDON_TTL_SECONDS: '10' }),
    });
    const before = world.podsOn(world.nodeName).length;
    world.imds.setRebalance(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
    // the TTL counts from the notice's time: 10 s leaves room for a loaded machine's first Kubernetes
    // client load (3 s seen with two suites running) before the cordon would already be expired
    await daemon.waitForLog((l) => l.msg === 'node cordoned', 9_000);
    // the world reads the node through a watch: on a real server it may see the write a moment later
    await waitFor(() => world.node(world.nodeName)?.spec?.['unschedulable'] === true, 5_000, 'cordon seen');
    const node = world.node(world.nodeName);
    expect(ourTaints()).toEqual(['spot-handler/rebalance-recommendation']);
    expect(node?.metadata.labels?.['spot-handler/kind']).toBe('rebalance-recommendation');

    await daemon.waitForLog((l) => l.msg === 'rebalance cordon expired: uncordoned', 15_000);
    await waitFor(() => !world.node(world.nodeName)?.spec?.['unschedulable'], 2_000, 'uncordon');
    expect(ourTaints()).toEqual([]);
    const labels = world.node(world.nodeName)?.metadata.labels ?? {};
    expect(Object.keys(labels).filter((k) => k.startsWith('spot-handler/'))).toEqual([]);
    // nothing was evicted
    expect(world.podsOn(world.nodeName)).toHaveLength(before);
    expect(world.podsOn(world.nodeName).every((p) => p.metadata.deletionTimestamp === undefined)).toBe(true);
    expect(daemon.logsWith('drain started')).toHaveLength(0);
    // IMDS still serves the same recommendation: it is not acted on again
    await new Promise((r) => setTimeout(r, 800));
    expect(world.node(world.nodeName)?.spec?.['unschedulable']).toBeFalsy();
    expect(daemon.logsWith('interruption event received')).toHaveLength(1);
  });
});
