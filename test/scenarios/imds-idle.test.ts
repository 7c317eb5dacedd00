/**
 * Story: a healthy daemon with no notice makes no request at all to the Kubernetes API server (a
 * DaemonSet on thousands of nodes must cost the API server nothing at idle), while it keeps polling IMDS.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { onRealCluster, startSandboxWorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon, stopAllDaemons } from '../helpers/daemon.js';

let world: SandboxWorld;

beforeEach(async () => {
  world = await startSandboxWorldOnKubeEnv({ deployments: [{ name: 'web', replicas: 3 }] });
});

afterEach(async () => {
  await stopAllDaemons();
  await world.stop();
});

describe('IMDS mode at idle', () => {
  // counts calls in the simulator's request log, which a real cluster does not have
  it.skipIf(onRealCluster())(
    'sends no request to the API server from start-up through three seconds of polling',
    async () => {
      await world.kubelet.idle();
      const before = world.kube.requests.total;
      const imdsBefore = world.imds.requests.length;
      const daemon = await startDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
      await new Promise((r) => setTimeout(r, 3000));
      expect(await daemon.get('/readyz')).toMatchObject({ status: 200 });
      const requests = world.kube.requests.entries().slice(-(world.kube.requests.total - before || 1));
      expect(world.kube.requests.total - before, JSON.stringify(requests.slice(0, 5))).toBe(0);
      // it was polling all along (4 paths every 200 ms)
      expect(world.imds.requests.length - imdsBefore).toBeGreaterThan(20);
      // the counter works: a notice makes it call the API server
      world.imds.setSpotAction('terminate', new Date(Date.now() + 120_000).toISOString());
      await daemon.waitForLog((l) => l.msg === 'node cordoned', 8_000);
      expect(world.kube.requests.total).toBeGreaterThan(before);
    },
  );
});
