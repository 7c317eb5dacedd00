/**
 * Story: IMDS answers 5xx for a while. Before the identity is read the daemon is not ready (/readyz 503);
 * once running, a flapping IMDS leaves it ready (it keeps retrying with back-off and has nothing else to
 * wait for) but /readyz shows the imds check backing off and the metrics show the errors and
 * imds_healthy 0. When IMDS recovers and serves a spot notice, the node is drained.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor, type SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startSandboxWorldOnKubeEnv } from '../helpers/kube-env.js';
import { spawnDaemon, stopAllDaemons, type Daemon } from '../helpers/daemon.js';

let world: SandboxWorld;

beforeEach(async () => {
  world = await startSandboxWorldOnKubeEnv({ deployments: [{ name: 'web', replicas: 6, shutdownMs: 100 }] });
});

afterEach(async () => {
  await stopAllDaemons();
  await world.stop();
});

async function imdsCheck(daemon: Daemon): Promise<{ status: number; detail?: string }> {
  const { status, body } = await daemon.get('/readyz');
  const checks = (JSON.parse(body) as { checks: { name: string; detail: string }[] }).checks;
  return { status, detail: checks.find((c) => c.name === 'imds')?.detail };
}

describe('IMDS mode: IMDS answers 5xx for a while', () => {
  it('is not ready before the identity, reports errors while flapping, then handles the notice', async () => {
    world.imds.failRequests({ status: 500 });
    const daemon = await spawnDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '100' }) });
    await daemon.waitForLog((l) => l.msg === 'IMDS mode starting', 15_000);
    await waitFor(() => world.imds.requests.length > 2, 5_000, 'IMDS requests');
    expect(await imdsCheck(daemon)).toEqual({ status: 503, detail: 'reading identity' });
    world.imds.clearFailures();
    await daemon.waitReady(10_000);

    world.imds.failRequests({ status: 503 });
    await waitFor(() => world.imds.requests.filter((r) => r.status === 503).length > 10, 8_000, '5xx');
    await new Promise((r) => setTimeout(r, 700));
    expect(await imdsCheck(daemon)).toEqual({ status: 200, detail: 'errors, backing off' });
    expect(await daemon.metric('spot_handler_imds_healthy')).toBe(0);
    expect(await daemon.metric('spot_handler_imds_poll_errors_total')).toBeGreaterThan(0);

    world.imds.setSpotAction('terminate', new Date(Date.now() + 120_000).toISOString());
    world.imds.clearFailures();
    await daemon.waitForLog((l) => l.msg === 'node drained', 15_000);
    expect(world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace)).toEqual([]);
    // every path answers again once its back-off has passed
    const until = Date.now() + 10_000;
    while ((await daemon.metric('spot_handler_imds_healthy')) !== 1 && Date.now() < until)
      await new Promise((r) => setTimeout(r, 100));
    expect(await imdsCheck(daemon)).toEqual({ status: 200, detail: 'ok' });
  });
});
