/**
 * Faults on the IMDS side, against the real daemon in IMDS mode: a 5xx burst with the notice appearing
 * during the outage, and timeouts (IMDS answering slower than IMDS_TIMEOUT_MS). Each time the node is drained once, before the deadline,
 * and the daemon neither crashes nor drains twice.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSandboxWorldOnKubeEnv, type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon, stopAllDaemons, testBundle } from '../helpers/daemon.js';
import { faultRecord } from './support/fault-record.js';
import { expectDrainedOnce, imdsFaultEnv, setSpotNotice } from './support/imds-fault-world.js';

let world: WorldOnKubeEnv;

beforeEach(async () => {
  world = await startSandboxWorldOnKubeEnv({ deployments: [{ name: 'web', replicas: 4, shutdownMs: 100 }] });
});

// build the daemon bundle once, outside the first test's time budget (slow on a loaded machine)
beforeAll(() => testBundle().then(() => undefined), 120_000);

afterEach(async () => {
  await stopAllDaemons();
  await world.stop();
});

describe('IMDS faults: outages', () => {
  it('5xx burst: the notice appears during the outage and is handled once IMDS answers', async () => {
    const rec = faultRecord('imds', 'IMDS 503 on every path for 2 s; the notice appears during the outage');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    world.imds.failRequests({ status: 503 });
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await new Promise((r) => setTimeout(r, 2000));
    const failed = world.imds.requests.filter((r) => r.status === 503).length;
    expect(failed).toBeGreaterThan(3);
    expect(daemon.logsWith('drain started')).toHaveLength(0);
    world.imds.clearFailures();
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = failed;
    expect(daemon.logsWith('IMDS request failed; backing off').length).toBeGreaterThan(0);
    rec.outcome = 'backed off, drained once after recovery (back-off ≤ 10 s)';
  });

  it('timeouts: IMDS slower than IMDS_TIMEOUT_MS, then the notice', async () => {
    const rec = faultRecord('imds', 'IMDS answers after 1.5 s (timeout 400 ms) for 2 s, notice pending');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    world.imds.latencyMs = 1500;
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await new Promise((r) => setTimeout(r, 2000));
    const errors = await daemon.metric('spot_handler_imds_poll_errors_total');
    expect(errors).toBeGreaterThan(0);
    world.imds.latencyMs = 0;
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = errors;
    rec.outcome = 'requests timed out and were counted; drained once after recovery';
  });
});
