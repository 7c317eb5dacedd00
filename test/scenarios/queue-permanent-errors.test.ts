/**
 * Story (issue #17): a wrong install shows itself. A queue URL that names no queue, a missing IAM action
 * (AccessDenied from SQS), credentials SQS rejects, a client in another region than the queue, a missing
 * RBAC verb (403 on listing nodes) and a token the API server rejects (401) each turn /readyz not ready
 * within one retry interval, naming the cause and the fix, with one log line per change of state and the
 * spot_handler_permanent_error gauge; once the cause is fixed the daemon is ready again by itself. Bursts
 * of transient errors (SQS 500s, throttling, connection resets; Kubernetes 503s and 429s) keep
 * it ready. SQS errors come from a proxy in front of fauxqs answering as SQS does; Kubernetes ones are
 * injected on the wire (the simulator, or the proxy in front of a real server). With a real ServiceAccount
 * token on a real server: queue-real-rbac.test.ts.
 */
import { expect } from 'vitest';
import { forbiddenFault } from '../../src/sandbox/kube-api/faults.js';
import { spawnDaemon, type Daemon } from '../helpers/daemon.js';
import { startQueueDaemon, waitMetric } from '../helpers/queue-daemon.js';
import { accessDenied } from '../helpers/queue-faulty-proxy.js';
import { queueScenario } from '../helpers/queue-scenario.js';
import { until } from '../helpers/until.js';
import {
  permanentLogs,
  readyzStatusesFor,
  recoveredLogs,
  setupDetail,
  setupFailing,
  waitReadyz,
} from '../helpers/readyz.js';

/** Waits (up to 15 s) until the daemon has counted `atLeast` failed SQS receives. */
function waitReceiveErrors(daemon: Daemon, atLeast: number): Promise<number> {
  const labels = { operation: 'receive' };
  return waitMetric(daemon, 'spot_handler_sqs_errors_total', labels, (v) => v >= atLeast, 15_000);
}

/** How long the SQS client waits on a silent connection (aws-clients.ts), long polls included. */
const SQS_SILENCE_TIMEOUT_MS = 30_000;

/** 5 s receive back-off cap (queue-mode.ts) plus start-up and poll slack. */
const ONE_RETRY_MS = 8_000;

queueScenario(
  'queue mode: errors no retry can fix make the replica not ready, with the fix named',
  { timeoutMs: 90_000 },
  (it) => {
    it('a queue URL that names no queue: not ready naming queue.url; ready once the queue exists', async ({
      world,
    }) => {
      const missing = world.sqs.queueUrl.replace(/[^/]+$/, 'spot-handler-missing');
      const daemon = await spawnDaemon({ mode: 'queue', env: world.daemonEnv({ QUEUE_URL: missing }) });

      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up (and the test bundle build) included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(/sqs:ReceiveMessage.*queue_not_found.*queue\.url \(QUEUE_URL\)/);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'sqs', reason: 'queue_not_found' }),
      ).toBe(1);
      // retries go on at the back-off, but the state change was logged once
      await waitReceiveErrors(daemon, 3);
      expect(permanentLogs(daemon)).toBe(1);
      expect(daemon.logsWith('SQS receive failed; backing off')).toEqual([]);

      world.sqs.server.createQueue('spot-handler-missing', { region: world.sqs.region, attributes: {} });
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
      expect(up.status).toBe(200);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'sqs', reason: 'queue_not_found' }),
      ).toBe(0);
      expect(daemon.logs.some((l) => l.component === 'setup' && /works again/.test(l.msg ?? ''))).toBe(true);
    });

    it('AccessDenied on ReceiveMessage: not ready naming the IAM action; ready when the policy arrives', async ({
      world,
      proxy,
    }) => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      proxy.answerWith('ReceiveMessage', accessDenied('sqs:ReceiveMessage'));

      // a long poll may be under way: the denial shows at the next receive (20 s wait at most)
      const down = await waitReadyz(daemon, setupFailing, 20_000 + ONE_RETRY_MS);
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(/access_denied.*allow sqs:ReceiveMessage for the IAM role/);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'sqs', reason: 'access_denied' }),
      ).toBe(1);
      expect(await daemon.get('/healthz').then((r) => r.status)).toBe(200);

      proxy.clearErrors();
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
      expect(up.status).toBe(200);
      expect(permanentLogs(daemon)).toBe(1);
    });

    it('a burst of transient 500s keeps the replica ready', async ({ world, proxy }) => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      proxy.failFor(4_000);
      expect(await readyzStatusesFor(daemon, 5_000)).toEqual([200]);
      expect(proxy.failed.get('ReceiveMessage') ?? 0).toBeGreaterThan(0);
      expect(permanentLogs(daemon)).toBe(0);
    });

    it('SQS that stops answering (a silent connection) times out: ready throughout, receives resume', async ({
      world,
      proxy,
    }) => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      await until(() => (proxy.passed.get('ReceiveMessage') ?? 0) > 0, 10_000, 'a first receive');
      // the long poll under way returns with this message; the receive after it gets no answer at all
      proxy.failFor(3_000, 'hang');
      await world.send({ Event: 'autoscaling:TEST_NOTIFICATION', Service: 'AWS Auto Scaling' });
      await until(() => (proxy.failed.get('ReceiveMessage') ?? 0) > 0, 5_000, 'a receive left unanswered');
      const passed = proxy.passed.get('ReceiveMessage') ?? 0;
      // the SDK gives up on the silent connection (a timeout: transient) and the next receive goes through
      const statuses = readyzStatusesFor(daemon, SQS_SILENCE_TIMEOUT_MS + 2 * ONE_RETRY_MS);
      await until(
        () => (proxy.passed.get('ReceiveMessage') ?? 0) > passed,
        SQS_SILENCE_TIMEOUT_MS + 2 * ONE_RETRY_MS,
        'a receive after the silent one',
      );
      expect(await statuses).toEqual([200]);
      expect(permanentLogs(daemon)).toBe(0);
    });

    it('throttling, connection resets and Kubernetes 503s and 429s keep the replica ready', async ({
      world,
      proxy,
    }) => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
      const sampling = readyzStatusesFor(daemon, 7_000);
      const started = Date.now();
      // SQS: 3 s of throttling, then 3 s of connection resets
      proxy.failFor(3_000, 'throttle');
      // Kubernetes: the leader's next Lease renewals get 503s and a 429 (the daemon's requests only: the
      // kubelet simulator and the test's views share the wire)
      const daemonOnly = { path: /\/leases\//, userAgent: /^spot-handler\// };
      const unavailable = world.wire.faults.add({ ...daemonOnly, status: 503, count: 2 });
      const throttledKube = world.wire.faults.add({
        ...daemonOnly,
        status: 429,
        retryAfterSeconds: 1,
        count: 1,
      });
      await until(() => world.wire.faults.hits(throttledKube) > 0, 8_000, "the daemon's Lease calls refused");
      expect(world.wire.faults.hits(unavailable)).toBe(2);
      await new Promise((r) => setTimeout(r, Math.max(0, 3_000 - (Date.now() - started))));
      proxy.failFor(3_000, 'reset');
      expect(await sampling).toEqual([200]);
      expect(proxy.failed.get('ReceiveMessage') ?? 0).toBeGreaterThanOrEqual(2);
      expect(permanentLogs(daemon)).toBe(0);
      expect(await daemon.metric('spot_handler_permanent_error')).toBe(0);
      // and it still works: receives go through again
      const passed = proxy.passed.get('ReceiveMessage') ?? 0;
      await until(() => (proxy.passed.get('ReceiveMessage') ?? 0) > passed, 25_000);
    });

    it('credentials SQS rejects (InvalidClientTokenId): not ready naming the credentials; ready once accepted', async ({
      world,
      proxy,
    }) => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      proxy.answerWith('ReceiveMessage', {
        status: 403,
        code: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
      });
      const down = await waitReadyz(daemon, setupFailing, 20_000 + ONE_RETRY_MS);
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(
        /InvalidClientTokenId.*invalid_credentials.*give the pod valid AWS credentials.*eks\.amazonaws\.com\/role-arn/,
      );
      expect(
        await daemon.metric('spot_handler_permanent_error', {
          component: 'sqs',
          reason: 'invalid_credentials',
        }),
      ).toBe(1);

      proxy.clearErrors();
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS);
      expect(up.status).toBe(200);
      expect(
        await daemon.metric('spot_handler_permanent_error', {
          component: 'sqs',
          reason: 'invalid_credentials',
        }),
      ).toBe(0);
      expect(permanentLogs(daemon)).toBe(1);
      expect(recoveredLogs(daemon)).toBe(1);
    });

    it('a client in another region than the queue: not ready naming awsRegion and queue.url', async ({
      world,
      proxy,
    }) => {
      // as SQS does: a signature scoped to another region than the queue's is refused
      proxy.requireSigningRegion(world.sqs.region);
      const daemon = await spawnDaemon({
        mode: 'queue',
        env: world.daemonEnv({ AWS_ENDPOINT_URL_SQS: proxy.url, AWS_REGION: 'us-west-2' }),
      });
      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(
        /scoped to a valid region.*wrong_region.*set awsRegion \(AWS_REGION\) to the region named in queue\.url/,
      );
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'sqs', reason: 'wrong_region' }),
      ).toBe(1);
      await waitReceiveErrors(daemon, 3);
      expect(permanentLogs(daemon)).toBe(1);
      // signing for the queue's region, the same setup works
      expect(proxy.passed.get('ReceiveMessage') ?? 0).toBe(0);
      await daemon.stop();
      const right = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      expect((await waitReadyz(right, (r) => r.status === 200, ONE_RETRY_MS)).status).toBe(200);
      await until(() => (proxy.passed.get('ReceiveMessage') ?? 0) > 0, 10_000);
    });

    it('a token the API server rejects (401 on listing nodes): not ready naming the credentials; ready when accepted', async ({
      world,
    }) => {
      const fault = world.wire.faults.add({
        path: '/api/v1/nodes',
        method: 'GET',
        status: 401,
        message: 'Unauthorized',
      });
      const daemon = await spawnDaemon({ mode: 'queue', env: world.daemonEnv() });
      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(
        /HTTP 401.*kube_unauthorized.*the API server rejects the credentials/,
      );
      expect(
        await daemon.metric('spot_handler_permanent_error', {
          component: 'kube',
          reason: 'kube_unauthorized',
        }),
      ).toBe(1);

      world.wire.faults.clear(fault);
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS + 8_000);
      expect(up.status).toBe(200);
      expect(permanentLogs(daemon)).toBe(1);
    });

    it('a missing RBAC verb (list nodes): not ready naming verb and resource; ready when granted', async ({
      world,
    }) => {
      const fault = world.wire.faults.add(
        forbiddenFault({ path: '/api/v1/nodes', method: 'GET', verb: 'list', resource: 'nodes' }),
      );
      const daemon = await spawnDaemon({ mode: 'queue', env: world.daemonEnv() });

      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(/kube_forbidden.*grant verb "list" on resource "nodes"/);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'kube', reason: 'kube_forbidden' }),
      ).toBe(1);

      world.wire.faults.clear(fault);
      // node-index backs off 1, 2, 4… s after failures: the first retry after the grant clears it
      const up = await waitReadyz(daemon, (r) => r.status === 200, ONE_RETRY_MS + 8_000);
      expect(up.status).toBe(200);
      expect(permanentLogs(daemon)).toBe(1);
    });
  },
);
