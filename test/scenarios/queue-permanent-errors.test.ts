/**
 * Story (issue #17): a wrong install shows itself. A queue URL that names no queue, a missing IAM action
 * (AccessDenied from SQS) and a missing RBAC verb (403 on listing nodes) each turn /readyz not ready
 * within one retry interval, naming the cause and the fix, with one log line per change of state and the
 * spot_handler_permanent_error gauge; once the cause is fixed the daemon is ready again by itself. A burst
 * of transient 500s keeps it ready.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { forbiddenFault } from '../../src/sandbox/kube-api/faults.js';
import { spawnDaemon, stopAllDaemons, type Daemon } from '../helpers/daemon.js';
import { startQueueDaemon, waitMetric } from '../helpers/queue-daemon.js';
import { accessDenied, startFaultyProxy, type FaultyProxy } from '../helpers/queue-faulty-proxy.js';
import { startQueueWorld, type QueueWorld } from '../helpers/queue-world.js';

let world: QueueWorld;
let proxy: FaultyProxy;

beforeEach(async () => {
  world = await startQueueWorld();
  proxy = await startFaultyProxy(world.sqs.endpoint);
});

afterEach(async () => {
  await stopAllDaemons();
  await proxy.stop();
  await world.stop();
});

interface Readyz {
  readonly status: number;
  readonly checks: readonly { name: string; ready: boolean; detail: string }[];
}

async function readyz(daemon: Daemon): Promise<Readyz> {
  const { status, body } = await daemon.get('/readyz').catch(() => ({ status: 0, body: '{}' }));
  const parsed = JSON.parse(body) as { checks?: Readyz['checks'] };
  return { status, checks: parsed.checks ?? [] };
}

/** Polls /readyz until `ok` holds; returns the last answer. */
async function waitReadyz(daemon: Daemon, ok: (r: Readyz) => boolean, timeoutMs: number): Promise<Readyz> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await readyz(daemon);
    if (ok(r) || Date.now() > end) return r;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const setupDetail = (r: Readyz): string => r.checks.find((c) => c.name === 'setup')?.detail ?? '';
const setupFailing = (r: Readyz): boolean => r.checks.some((c) => c.name === 'setup' && !c.ready);
const permanentLogs = (d: Daemon): number =>
  d.logs.filter((l) => l.component === 'setup' && /permanent error: not ready/.test(l.msg ?? '')).length;

/** 5 s receive back-off cap (queue-mode.ts) plus start-up and poll slack. */
const ONE_RETRY_MS = 8_000;

describe(
  'queue mode: errors no retry can fix make the replica not ready, with the fix named',
  { timeout: 90_000 },
  () => {
    it('a queue URL that names no queue: not ready naming queue.url; ready once the queue exists', async () => {
      const missing = world.sqs.queueUrl.replace(/[^/]+$/, 'spot-handler-missing');
      const daemon = await spawnDaemon({ mode: 'queue', env: world.daemonEnv({ QUEUE_URL: missing }) });

      const down = await waitReadyz(daemon, setupFailing, 30_000); // start-up (and the test bundle build) included
      expect(down.status).toBe(503);
      expect(setupDetail(down)).toMatch(/sqs:ReceiveMessage.*queue_not_found.*queue\.url \(QUEUE_URL\)/);
      expect(
        await daemon.metric('spot_handler_permanent_error', { component: 'sqs', reason: 'queue_not_found' }),
      ).toBe(1);
      // retries go on at the back-off, but the state change was logged once
      await waitMetric(
        daemon,
        'spot_handler_sqs_errors_total',
        { operation: 'receive' },
        (v) => v >= 3,
        15_000,
      );
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

    it('AccessDenied on ReceiveMessage: not ready naming the IAM action; ready when the policy arrives', async () => {
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

    it('a burst of transient 500s keeps the replica ready', async () => {
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      proxy.failFor(4_000);
      const end = Date.now() + 5_000;
      const statuses = new Set<number>();
      while (Date.now() < end) {
        statuses.add((await readyz(daemon)).status);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect([...statuses]).toEqual([200]);
      expect(permanentLogs(daemon)).toBe(0);
    });

    it('a missing RBAC verb (list nodes): not ready naming verb and resource; ready when granted', async () => {
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
