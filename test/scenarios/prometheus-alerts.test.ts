/**
 * Story: a real Prometheus (Debian's package) scrapes the real daemon every second and evaluates the
 * chart's alert rules every second while the daemon works against our simulators. The matching alert
 * reaches `firing` for a non-urgent drain blocked by a PDB, IMDS unreachable, SQS receive errors and a
 * lost leadership with no leader; a clean drain fires none, and every Grafana panel query runs and
 * returns data afterwards.
 *
 * The rules are the chart's, rendered by helm, with one test-time change: every `for:` is divided by
 * 60, minutes becoming seconds (test/helpers/prometheus.ts), so that a 15-minute `for:` is seen after
 * 15 s of trouble. Expressions, labels and annotations are as shipped.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { startWebhookReceiver } from '../../src/sandbox/demo-webhook.js';
import { startDaemon, stopAllDaemons, type Daemon } from '../helpers/daemon.js';
import { onRealCluster, startSandboxWorldOnKubeEnv } from '../helpers/kube-env.js';
import {
  PROMETHEUS_SKIP_REASON,
  prometheusBinary,
  startPrometheus,
  target,
  type PrometheusServer,
} from '../helpers/prometheus.js';
import { startQueueDaemon, waitDrained } from '../helpers/queue-daemon.js';
import { startFaultyProxy, type FaultyProxy } from '../helpers/queue-faulty-proxy.js';
import { spotWarning } from '../helpers/queue-messages.js';
import { nodeAt, startQueueWorld, type QueueWorld } from '../helpers/queue-world.js';

const installed = prometheusBinary() !== undefined;
if (!installed) console.warn(`prometheus-alerts: skipped: ${PROMETHEUS_SKIP_REASON}`);

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await stopAllDaemons();
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function imdsWorld(
  options: Parameters<typeof startSandboxWorldOnKubeEnv>[0] = {},
): Promise<SandboxWorld> {
  const world = await startSandboxWorldOnKubeEnv({ nodeCount: 2, daemonSet: false, ...options });
  stops.push(() => world.stop());
  return world;
}

async function queueWorld(): Promise<QueueWorld> {
  const world = await startQueueWorld();
  stops.push(() => world.stop());
  return world;
}

async function prometheus(...daemons: Daemon[]): Promise<PrometheusServer> {
  const prom = await startPrometheus({ targets: daemons.map(target) });
  stops.push(() => prom.stop());
  await prom.waitScraped();
  return prom;
}

function spotNoticeIn(world: SandboxWorld, ms: number): void {
  world.imds.setSpotAction('terminate', new Date(Date.now() + ms).toISOString().replace(/\.\d+Z$/, 'Z'));
}

interface Panel {
  title: string;
  type: string;
  targets?: { expr: string }[];
}
/** Every panel query, with Grafana's variables as Grafana would fill them (all namespaces, 30 s steps). */
function dashboardQueries(): { title: string; expr: string }[] {
  const dashboard = JSON.parse(
    readFileSync(new URL('../../deploy/grafana/spot-handler-dashboard.json', import.meta.url), 'utf8'),
  ) as { panels: Panel[] };
  return dashboard.panels.flatMap((p) =>
    (p.targets ?? []).map((t) => ({
      title: p.title,
      expr: t.expr
        .replaceAll('$namespace', '.*')
        .replaceAll('$__rate_interval', '30s')
        .replaceAll('$__interval', '30s')
        .replaceAll('$__range', '5m'),
    })),
  );
}

// the daemon reads IMDS and SQS from our simulators; the Kubernetes side may be a real cluster
describe.skipIf(!installed)(
  `Prometheus evaluates the chart's alerts on the real daemon${installed ? '' : ` (skipped: ${PROMETHEUS_SKIP_REASON})`}`,
  () => {
    it('a clean drain fires no alert, and every dashboard query returns data', async () => {
      const imds = await imdsWorld({ deployments: [{ name: 'web', replicas: 4, shutdownMs: 100 }] });
      const queue = await queueWorld();
      const hooks = await startWebhookReceiver();
      stops.push(() => hooks.stop());
      const imdsDaemon = await startDaemon({
        env: imds.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200', WEBHOOK_URL: `${hooks.url}/hook` }),
      });
      const queueDaemon = await startQueueDaemon(queue);
      const prom = await prometheus(imdsDaemon, queueDaemon);
      const since = Date.now();

      spotNoticeIn(imds, 120_000);
      const target = nodeAt(queue, 0);
      await queue.send(spotWarning(target.instanceId));
      await imdsDaemon.waitForLog((l) => l.msg === 'node drained', 15_000);
      await waitDrained(queueDaemon, target.name, 15_000);
      // a few scrapes and evaluations after the drains
      await new Promise((r) => setTimeout(r, 6_000));

      expect(await prom.firedSince(since)).toEqual([]);
      expect((await prom.alerts()).map((a) => `${a.labels['alertname']} ${a.state}`)).toEqual([]);
      const empty: string[] = [];
      for (const { title, expr } of dashboardQueries()) {
        const result = await prom.query(expr); // rejects on a query Prometheus cannot run
        if (result.length === 0) empty.push(`${title}: ${expr}`);
      }
      expect(empty).toEqual([]);
    }, 90_000);

    it('a non-urgent drain blocked by a PDB fires SpotHandlerDrainBlocked', async () => {
      const world = await imdsWorld({
        deployments: [
          { name: 'db', replicas: 2, pdbMinAvailable: 2, onlyOnFirstNode: true, shutdownMs: 100 },
        ],
      });
      const daemon = await startDaemon({
        env: world.daemonEnv({
          IMDS_POLL_INTERVAL_MS: '200',
          ENABLE_REBALANCE_DRAINING: 'true',
          NODE_TERMINATION_GRACE_PERIOD: '3',
        }),
      });
      const prom = await prometheus(daemon);
      const since = Date.now();

      world.imds.setRebalance(new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
      const alert = await prom.waitFiring('SpotHandlerDrainBlocked', 30_000);
      expect(alert.labels['severity']).toBe('warning');
      expect(await daemon.metric('spot_handler_drains_total', { result: 'blocked' })).toBeGreaterThanOrEqual(
        1,
      );
      // the evictions kept being refused while it tried
      await prom.waitFiring('SpotHandlerEvictionsBlockedByPdb', 30_000);
      expect(await prom.firedSince(since)).not.toContain('SpotHandlerDrainFailed');
    }, 90_000);

    it('IMDS unreachable fires SpotHandlerImdsUnhealthy', async () => {
      const world = await imdsWorld({ deployments: [] });
      const daemon = await startDaemon({ env: world.daemonEnv({ IMDS_POLL_INTERVAL_MS: '200' }) });
      const prom = await prometheus(daemon);
      const since = Date.now();
      await new Promise((r) => setTimeout(r, 2_000));
      expect(await prom.firedSince(since)).toEqual([]);

      world.imds.setNetworkFault('reset');
      const alert = await prom.waitFiring('SpotHandlerImdsUnhealthy', 30_000);
      expect(alert.labels['instance']).toBe(target(daemon));
    }, 90_000);

    it('SQS receive errors fire SpotHandlerSqsErrors', async () => {
      const world = await queueWorld();
      const proxy: FaultyProxy = await startFaultyProxy(world.sqs.endpoint);
      stops.push(() => proxy.stop());
      const daemon = await startQueueDaemon(world, { AWS_ENDPOINT_URL_SQS: proxy.url });
      const prom = await prometheus(daemon);

      proxy.failFor(60_000);
      const alert = await prom.waitFiring('SpotHandlerSqsErrors', 40_000);
      expect(alert.labels['operation']).toBe('receive');
    }, 90_000);

    // injects Lease faults into the simulator
    it.skipIf(onRealCluster())(
      'a lost leadership with no other leader fires SpotHandlerNoLeader',
      async () => {
        const world = await queueWorld();
        const daemon = await startQueueDaemon(world, {
          LEASE_DURATION_SECONDS: '3',
          LEASE_RENEW_SECONDS: '2',
          LEASE_RETRY_SECONDS: '1',
        });
        const prom = await prometheus(daemon);
        expect(await daemon.metric('spot_handler_leader')).toBe(1);

        world.kube.faults.add({ path: /\/leases/, status: 500 });
        await daemon.waitForLog((l) => /lost leadership|stopped leading|step/i.test(l.msg ?? ''), 15_000);
        const alert = await prom.waitFiring('SpotHandlerNoLeader', 30_000);
        expect(alert.labels['severity']).toBe('critical');
      },
      90_000,
    );
  },
);
