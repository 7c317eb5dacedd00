/**
 * Story: a spot notice comes with only seconds left; a PodDisruptionBudget blocks every eviction and
 * forcing is off (FORCE_AT_DEADLINE=false), so the drain gives up. IMDS keeps showing the notice on every
 * poll. Once the deadline has passed, the notice is acknowledged without a second drain: the instance is
 * gone or going, and a drain cannot help any more.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest(
  {
    deployments: [{ name: 'db', replicas: 2, pdbMinAvailable: 2, onlyOnFirstNode: true, shutdownMs: 50 }],
  },
  (w) => (world = w),
);

describe('IMDS mode: a spot notice past its deadline after a failed drain', () => {
  it('drains once; after the deadline the repeated notice is acknowledged, not drained again', async () => {
    const daemon = await startDaemon({
      env: world.daemonEnv({
        IMDS_POLL_INTERVAL_MS: '200',
        FORCE_AT_DEADLINE: 'false',
        NODE_TERMINATION_GRACE_PERIOD: '3',
      }),
    });
    const deadline = new Date(Date.now() + 4_000).toISOString().replace(/\.\d+Z$/, 'Z');
    world.imds.setSpotAction('terminate', deadline);

    const failed = await daemon.waitForLog((l) => l.msg === 'drain did not finish', 20_000);
    expect(failed['result']).not.toBe('succeeded');
    // the store lets a failed event be tried again after 15 s: by then the deadline has passed
    await daemon.waitForLog(
      (l) => l.msg === 'notice past its deadline after a failed drain: acknowledged without a second drain',
      40_000,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    expect(daemon.logsWith('drain did not finish')).toHaveLength(1);
    expect(daemon.logsWith('node drained')).toHaveLength(0);
    const pods = world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace);
    expect(pods).toHaveLength(2);
    expect(world.node(world.nodeName)?.metadata.labels?.['spot-handler/state']).toBe('drain-failed');
  }, 90_000);
});
