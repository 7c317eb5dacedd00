/**
 * Story: the real daemon in IMDS mode sees a spot interruption notice and taints, cordons and drains its
 * node well before the two-minute deadline; the DaemonSet pod stays, the node carries our condition and
 * labels, and Kubernetes Events tell the story.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest(
  {
    deployments: [
      { name: 'web', replicas: 6, shutdownMs: 200 },
      { name: 'api', replicas: 3, pdbMinAvailable: 2, shutdownMs: 300 },
    ],
  },
  (w) => (world = w),
);

function appPods(node: string): string[] {
  return world
    .podsOn(node)
    .filter((p) => p.metadata.namespace === world.namespace)
    .map((p) => p.metadata.name ?? '');
}

describe('IMDS mode: spot interruption notice', () => {
  it('taints, cordons and drains the node before the deadline; the DaemonSet pod stays', async () => {
    // with the image's V8 flags (interpreter only, ADR 0007): the daemon as it ships
    const daemon = await startDaemon({
      nodeFlags: DOCKER_NODE_FLAGS,
      env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }),
    });
    const node = world.nodeName;
    expect(appPods(node).length).toBeGreaterThan(0);
    const deadline = Date.now() + 120_000;
    world.imds.setSpotAction('terminate', new Date(deadline).toISOString().replace(/\.\d+Z$/, 'Z'));
    const noticeAt = Date.now();

    await daemon.waitForLog((l) => l.msg === 'node drained', 12_000);
    const drainedAt = Date.now();
    expect(drainedAt).toBeLessThan(deadline);
    expect(drainedAt - noticeAt).toBeLessThan(10_000);

    expect(appPods(node)).toEqual([]);
    const ds = world.podsOn(node).filter((p) => p.metadata.namespace === world.systemNamespace);
    expect(ds).toHaveLength(1);
    expect(ds[0]?.metadata.deletionTimestamp).toBeUndefined();

    const n = world.node(node);
    expect(n?.spec?.['unschedulable']).toBe(true);
    const taints = (n?.spec?.['taints'] ?? []) as { key: string; effect: string }[];
    expect(taints.filter((t) => t.key === 'spot-handler/spot-interruption')).toHaveLength(1);
    expect(n?.metadata.labels?.['spot-handler/state']).toBe('drained');
    expect(n?.metadata.labels?.['spot-handler/kind']).toBe('spot-interruption');
    const conditions = (n?.status?.['conditions'] ?? []) as { type: string; reason?: string }[];
    expect(conditions.find((c) => c.type === 'SpotHandlerDrain')).toBeDefined();
    // the other nodes are untouched
    for (const other of world.nodeNames.slice(1))
      expect(world.node(other)?.spec?.['unschedulable']).toBeFalsy();

    // read through the API, so this also runs on a real cluster
    let reasons: string[] = [];
    const until = Date.now() + 5_000;
    while (!reasons.some((r) => r.includes('Drain')) && Date.now() < until) {
      reasons = await world.eventReasons(node);
      if (!reasons.some((r) => r.includes('Drain'))) await new Promise((r) => setTimeout(r, 50));
    }
    expect(reasons.length).toBeGreaterThanOrEqual(3);
    expect(daemon.logsWith('interruption event received')).toHaveLength(1);
    expect(await daemon.metric('spot_handler_actions_total', { action: 'drain', result: 'success' })).toBe(1);
    const exit = await daemon.stop();
    expect(exit.code).toBe(0);
  });
});
