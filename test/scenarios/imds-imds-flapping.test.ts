/**
 * Story: IMDS answers 5xx for a while. Before the identity is read the daemon is not ready (/readyz 503);
 * once running, a flapping IMDS leaves it ready (it keeps retrying with back-off and has nothing else to
 * wait for) but /readyz shows the imds check backing off and the metrics show the errors and
 * imds_healthy 0. When IMDS recovers and serves a spot notice, the node is drained.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import { waitFor, type SandboxWorld } from '../../src/sandbox/demo-world.js';
import { spawnDaemon, type Daemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 6, shutdownMs: 100 }] }, (w) => (world = w));

async function imdsCheck(daemon: Daemon): Promise<{ status: number; detail?: string }> {
  const { status, body } = await daemon.get('/readyz');
  const checks = (JSON.parse(body) as { checks: { name: string; detail: string }[] }).checks;
  return { status, detail: checks.find((c) => c.name === 'imds')?.detail };
}

/** Polls `read` every 100 ms until it equals `expected`; then asserts it (a timeout shows the last value). */
async function eventually<T>(read: () => Promise<T>, expected: T, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  let last = await read();
  while (JSON.stringify(last) !== JSON.stringify(expected) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 100));
    last = await read();
  }
  expect(last).toEqual(expected);
}

describe('IMDS mode: IMDS answers 5xx for a while', () => {
  it('is not ready before the identity, reports errors while flapping, then handles the notice', async () => {
    world.imds.failRequests({ status: 500 });
    const daemon = await spawnDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '100' }) });
    await daemon.waitForLog((l) => l.msg === 'IMDS mode starting', 15_000);
    await waitFor(() => world.imds.requests.length > 2, 20_000, 'IMDS requests');
    expect(await imdsCheck(daemon)).toEqual({ status: 503, detail: 'reading identity' });
    world.imds.clearFailures();
    await daemon.waitReady(20_000);

    world.imds.failRequests({ status: 503 });
    await waitFor(() => world.imds.requests.filter((r) => r.status === 503).length > 10, 20_000, '5xx');
    // /readyz follows the poller: wait for the state (no fixed sleep; a loaded machine is slower)
    await eventually(() => imdsCheck(daemon), { status: 200, detail: 'errors, backing off' }, 20_000);
    expect(await daemon.metric('spot_handler_imds_healthy')).toBe(0);
    expect(await daemon.metric('spot_handler_imds_poll_errors_total')).toBeGreaterThan(0);

    world.imds.setSpotAction('terminate', new Date(Date.now() + 120_000).toISOString());
    world.imds.clearFailures();
    await daemon.waitForLog((l) => l.msg === 'node drained', 30_000);
    expect(world.podsOn(world.nodeName).filter((p) => p.metadata.namespace === world.namespace)).toEqual([]);
    // every path answers again once its back-off has passed
    await eventually(() => daemon.metric('spot_handler_imds_healthy'), 1, 20_000);
    await eventually(() => imdsCheck(daemon), { status: 200, detail: 'ok' }, 20_000);
  }, 90_000);
});
