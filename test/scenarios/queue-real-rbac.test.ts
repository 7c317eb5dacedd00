/**
 * Story (issue #17), queue mode on a real control plane only (TEST_KUBECONFIG; `npm run test:real`): the
 * daemon runs with a real ServiceAccount token, straight to the real API server, bound to the chart's own
 * RBAC less one verb. The real server's 403 on listing nodes turns /readyz not ready naming the verb, the
 * resource and the ServiceAccount; granting it (the ClusterRole fixed, no restart) makes it ready again.
 * A token the server rejects (its real 401) names the credentials. On the simulator the same stories run
 * with the refusals injected on the wire: queue-permanent-errors.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startAwsQueryServer, type AwsQueryServer } from '../../src/sandbox/aws-query-server.js';
import { startSqs, type SqsSandbox } from '../../src/sandbox/fauxqs.js';
import { spawnDaemon, stopAllDaemons } from '../helpers/daemon.js';
import { onRealCluster } from '../helpers/kube-env.js';
import { FAILOVER_LEASE, queueAwsEnv } from '../helpers/queue-world.js';
import { realServiceAccount, type RealServiceAccount } from '../helpers/real-service-account.js';
import { permanentLogs, recoveredLogs, setupDetail, setupFailing, waitReadyz } from '../helpers/readyz.js';
import { queueValues } from '../unit/packaging/helm.js';

const REAL = process.env['TEST_KUBECONFIG'] ?? '';

/** node-index backs off 1, 2, 4… s after failures: the first retry after the grant clears it. */
const ONE_RETRY_MS = 16_000;

describe.skipIf(!onRealCluster())(
  'queue mode with a real ServiceAccount token on a real API server',
  { timeout: 120_000 },
  () => {
    let sqs: SqsSandbox;
    let aws: AwsQueryServer;
    let sa: RealServiceAccount | undefined;

    beforeEach(async () => {
      sqs = await startSqs({});
      aws = await startAwsQueryServer();
    });
    afterEach(async () => {
      await stopAllDaemons();
      await sa?.stop();
      sa = undefined;
      await sqs.stop();
      await aws.stop();
    });

    const env = (account: RealServiceAccount, kubeconfig: string): Record<string, string> => ({
      ...queueAwsEnv(sqs, aws),
      KUBECONFIG: kubeconfig,
      POD_NAME: 'spot-handler-0',
      POD_NAMESPACE: account.namespace,
      LEASE_NAMESPACE: account.namespace,
      LEASE_NAME: account.leaseName ?? '',
      ...FAILOVER_LEASE,
      LOG_FORMAT: 'json',
    });

    it('the chart RBAC without "list nodes": the real 403 names verb, resource and ServiceAccount; ready once granted', async () => {
      sa = await realServiceAccount({
        realKubeconfig: REAL,
        values: queueValues(),
        missing: { group: '', resource: 'nodes', verb: 'list' },
      });
      const daemon = await spawnDaemon({ mode: 'queue', env: env(sa, sa.kubeconfigPath) });

      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(/HTTP 403.*kube_forbidden.*grant verb "list" on resource "nodes"/);
      expect(setupDetail(down)).toContain(
        `kubectl auth can-i list nodes --as=system:serviceaccount:${sa.namespace}:spot-handler`,
      );
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'kube', reason: 'kube_forbidden' }),
      ).toBe(1);
      expect(await daemon.get('/healthz').then((r) => r.status)).toBe(200);

      await sa.grant();
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
      expect(up.status).toBe(200);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'kube', reason: 'kube_forbidden' }),
      ).toBe(0);
      expect(permanentLogs(daemon)).toBe(1);
      expect(recoveredLogs(daemon)).toBe(1);
    });

    it('a token the real server rejects: its 401 names the credentials', async () => {
      sa = await realServiceAccount({ realKubeconfig: REAL, values: queueValues() });
      const daemon = await spawnDaemon({ mode: 'queue', env: env(sa, sa.badTokenKubeconfig()) });

      const down = await waitReadyz(daemon, setupFailing, 30_000);
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(
        /HTTP 401.*kube_unauthorized.*the API server rejects the credentials/,
      );
      // every call fails alike (the node list, the Lease): one line per failing call, none per retry
      await new Promise((r) => setTimeout(r, 5_000)); // the Lease is retried every second
      const failing = await daemon.metric('spot_handler_permanent_error', {
        component: 'kube',
        reason: 'kube_unauthorized',
      });
      expect(failing).toBeGreaterThanOrEqual(1);
      expect(permanentLogs(daemon)).toBe(failing);
    });
  },
);
