/**
 * Story (issue #17), IMDS mode: the DaemonSet pod makes no Kubernetes call at idle (imds-idle), so a
 * missing RBAC verb shows at the first notice that needs it. Cordoning fails with 403: /readyz turns not
 * ready at once, naming the verb and the resource, with the spot_handler_permanent_error gauge and one
 * log line however often the action is retried; once the verb is granted, the next retry cordons and
 * drains the node and the pod is ready again by itself. (IMDS has no IAM: its errors are transient,
 * imds-imds-flapping.) The 403 is injected on the wire here; with a real ServiceAccount token bound to
 * the chart's RBAC less that verb, the real server's own 403: the second test (TEST_KUBECONFIG only).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { forbiddenFault } from '../../src/sandbox/kube-api/faults.js';
import { startDaemon, stopAllDaemons, type Daemon } from '../helpers/daemon.js';
import { onRealCluster, startSandboxWorldOnKubeEnv, type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { realServiceAccount, type RealServiceAccount } from '../helpers/real-service-account.js';
import { permanentLogs, recoveredLogs, setupDetail, setupFailing, waitReadyz } from '../helpers/readyz.js';

let world: WorldOnKubeEnv | undefined;
let sa: RealServiceAccount | undefined;

afterEach(async () => {
  await stopAllDaemons();
  await world?.stop();
  await sa?.stop();
  world = undefined;
  sa = undefined;
});

/** The resubmit period with a 200 ms poll (imds-mode.ts: 5 polls), plus slack for a loaded machine. */
const ONE_RETRY_MS = 6_000;

async function startWorld(): Promise<WorldOnKubeEnv> {
  world = await startSandboxWorldOnKubeEnv({ deployments: [{ name: 'web', replicas: 4, shutdownMs: 100 }] });
  return world;
}

function spotNotice(w: WorldOnKubeEnv): void {
  const deadline = new Date(Date.now() + 120_000).toISOString().replace(/\.\d+Z$/, 'Z');
  w.imds.setSpotAction('terminate', deadline);
}

/** Not ready naming `patch nodes` while the action retries; then, once `grant` ran, drained and ready. */
async function notReadyThenDrained(
  w: WorldOnKubeEnv,
  daemon: Daemon,
  grant: () => Promise<void>,
): Promise<void> {
  const node = w.nodeName;
  spotNotice(w);
  const down = await waitReadyz(daemon, setupFailing, ONE_RETRY_MS);
  expect(down.status).toBe(503);
  expect(setupDetail(down)).toMatch(/HTTP 403.*kube_forbidden.*grant verb "patch" on resource "nodes"/);
  expect(
    await daemon.metric('spot_handler_permanent_error', { component: 'kube', reason: 'kube_forbidden' }),
  ).toBe(1);
  expect(await daemon.get('/healthz').then((r) => r.status)).toBe(200);
  // the action is retried (the resubmit period), the permanent error logged once
  await new Promise((r) => setTimeout(r, 2 * ONE_RETRY_MS));
  expect(permanentLogs(daemon)).toBe(1);
  expect(w.node(node)?.spec?.['unschedulable']).toBeFalsy();

  await grant();
  await daemon.waitForLog((l) => l.msg === 'node drained', 3 * ONE_RETRY_MS);
  const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
  expect(up.status).toBe(200);
  expect(w.node(node)?.spec?.['unschedulable']).toBe(true);
  expect(
    await daemon.metric('spot_handler_permanent_error', { component: 'kube', reason: 'kube_forbidden' }),
  ).toBe(0);
  expect(permanentLogs(daemon)).toBe(1);
  expect(recoveredLogs(daemon)).toBeGreaterThanOrEqual(1);
}

describe('IMDS mode: a missing RBAC verb shows at the first notice', { timeout: 120_000 }, () => {
  it('403 on patching the node: not ready naming "patch nodes"; drained and ready once granted', async () => {
    const w = await startWorld();
    const fault = w.wire.faults.add(
      forbiddenFault({
        path: `/api/v1/nodes/${w.nodeName}`,
        method: 'PATCH',
        verb: 'patch',
        resource: 'nodes',
      }),
    );
    const daemon = await startDaemon({ env: w.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
    await notReadyThenDrained(w, daemon, async () => w.wire.faults.clear(fault));
  });

  it.skipIf(!onRealCluster())(
    'a real ServiceAccount token without "patch nodes": the real 403, then drained once the Role grants it',
    async () => {
      const w = await startWorld();
      sa = await realServiceAccount({
        realKubeconfig: process.env['TEST_KUBECONFIG'] ?? '',
        values: {},
        missing: { group: '', resource: 'nodes', verb: 'patch' },
      });
      // straight to the real API server with the token: every answer is the server's own
      const daemon = await startDaemon({
        env: w.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200', KUBECONFIG: sa.kubeconfigPath }),
      });
      const granted = sa;
      await notReadyThenDrained(w, daemon, () => granted.grant());
    },
  );
});
