/**
 * Story: a healthy daemon with no notice makes no request at all to the Kubernetes API server (a
 * DaemonSet on thousands of nodes must cost the API server nothing at idle), while it keeps polling IMDS.
 * Counted on the wire (the simulator's request log, or the recording proxy in front of a real server);
 * the kubelet simulator's own calls (node heartbeats) are told apart by their User-Agent.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import { KUBELET_USER_AGENT } from '../../src/sandbox/kubelet.js';
import { type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon } from '../helpers/daemon.js';

let world: WorldOnKubeEnv;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 3 }] }, (w) => (world = w));

/** Requests since `since` (epoch ms) that did not come from the kubelet simulator. */
function daemonRequests(since: number): { method: string; path: string; query: string }[] {
  return world.wire.requests
    .entries()
    .filter((r) => r.at >= since && r.userAgent !== KUBELET_USER_AGENT)
    .map(({ method, path, query }) => ({ method, path, query }));
}

describe('IMDS mode at idle', () => {
  it('sends no request to the API server from start-up through three seconds of polling', async () => {
    await world.kubelet.idle();
    const before = Date.now();
    const imdsBefore = world.imds.requests.length;
    const daemon = await startDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
    await new Promise((r) => setTimeout(r, 3000));
    expect(await daemon.get('/readyz')).toMatchObject({ status: 200 });
    const requests = daemonRequests(before);
    expect(requests.length, JSON.stringify(requests.slice(0, 5))).toBe(0);
    // it was polling all along (4 paths every 200 ms)
    expect(world.imds.requests.length - imdsBefore).toBeGreaterThan(20);
    // the counter works: a notice makes it call the API server
    world.imds.setSpotAction('terminate', new Date(Date.now() + 120_000).toISOString());
    await daemon.waitForLog((l) => l.msg === 'node cordoned', 8_000);
    expect(daemonRequests(before).length).toBeGreaterThan(0);
  }, 60_000);
});
