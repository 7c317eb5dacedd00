import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImdsClient } from '../../../src/aws/imds-client.js';
import { systemClock } from '../../../src/clock.js';
import type { ParseOutcome } from '../../../src/events/interruption-event.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { IMDS_PATHS, startImdsServer, type ImdsServer } from '../../../src/sandbox/imds-server.js';
import { ImdsPoller } from '../../../src/sources/imds-poller.js';

const INTERVAL_MS = 50;

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
  return performance.now() - started;
}

describe('ImdsPoller + ImdsClient against the IMDS simulator (real clock)', () => {
  let imds: ImdsServer;
  let client: ImdsClient;
  let registry: Registry;
  let poller: ImdsPoller;
  let outcomes: ParseOutcome[];
  let ac: AbortController;
  let done: Promise<void>;

  const events = (kind: string): number =>
    outcomes.filter((o) => o.type === 'event' && o.events.some((e) => e.kind === kind)).length;
  const errors = async (reason: string): Promise<number> => {
    const m = await registry.getSingleMetric('spot_handler_imds_poll_errors_total')?.get();
    return m?.values.find((v) => v.labels.reason === reason)?.value ?? 0;
  };

  beforeEach(async () => {
    imds = await startImdsServer();
    client = new ImdsClient({ endpoint: imds.url, timeoutMs: 150 });
    registry = new Registry();
    const metrics = createMetrics(registry, { version: 't', mode: 'imds' }, { defaultMetrics: false });
    outcomes = [];
    poller = new ImdsPoller(
      {
        imds: client,
        consumer: { onOutcome: (o) => void outcomes.push(o) },
        clock: systemClock,
        logger: pino({ level: 'silent' }),
        metrics,
      },
      {
        nodeName: 'node-1',
        pollIntervalMs: INTERVAL_MS,
        enable: { spot: true, rebalance: true, scheduled: true, asgLifecycle: true },
        scheduledLeadMs: 300_000,
        rebalanceHorizonMs: 1_800_000,
        asgTerminationHorizonMs: 120_000,
        backoffInitialMs: 50,
        backoffMaxMs: 200,
      },
    );
    ac = new AbortController();
    done = poller.run(ac.signal);
    await waitFor(() => poller.healthy);
  });

  afterEach(async () => {
    ac.abort(new Error('test over'));
    await done;
    client.close();
    await imds.stop();
  });

  it('sees a spot notice within about one interval', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 5; i++) {
      imds.clearNotices();
      await new Promise((r) => setTimeout(r, INTERVAL_MS * 2 + i * 7));
      const before = events('spot-interruption');
      imds.setSpotAction('terminate', new Date(Date.now() + 120_000 + i * 1000).toISOString());
      latencies.push(await waitFor(() => events('spot-interruption') > before));
    }
    expect(Math.max(...latencies)).toBeLessThan(INTERVAL_MS + 250); // exact "within one interval" is pinned by the FakeClock test;
  });

  it('keeps polling through 5xx flapping, then sees the notice', async () => {
    imds.failRequests({ status: 503, count: 12 });
    await waitFor(() => !poller.healthy);
    imds.setSpotAction('terminate', '2026-11-29T10:02:00Z');
    await waitFor(() => events('spot-interruption') === 1);
    await waitFor(() => poller.healthy);
    expect(await errors('http_5xx')).toBeGreaterThan(0);
  });

  it('recovers from expired tokens (401) without counting an error', async () => {
    const puts = imds.requestsTo(IMDS_PATHS.token).length;
    imds.expireTokens();
    imds.setRebalance('2026-11-29T09:45:00Z');
    await waitFor(() => events('rebalance-recommendation') === 1);
    expect(imds.requestsTo(IMDS_PATHS.token).length).toBeGreaterThan(puts);
    expect(imds.requests.some((r) => r.status === 401)).toBe(true);
    expect(await errors('unauthorized')).toBe(0);
    expect(poller.healthy).toBe(true);
  });

  it('reports malformed bodies once, then accepts a valid notice', async () => {
    imds.setBody(IMDS_PATHS.spot, '{"action": "termin');
    imds.setBody(IMDS_PATHS.lifecycle, '<html><body>500</body></html>');
    await waitFor(() => outcomes.filter((o) => o.type === 'invalid').length === 2);
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 3));
    expect(outcomes.filter((o) => o.type === 'invalid')).toHaveLength(2);
    imds.setTargetLifecycleState('Terminated');
    await waitFor(() => events('asg-termination') === 1);
  });

  it('counts timeouts, goes unhealthy, and recovers when IMDS answers again', async () => {
    imds.latencyMs = 400;
    await waitFor(() => !poller.healthy);
    expect(await errors('timeout')).toBeGreaterThan(0);
    imds.latencyMs = 0;
    imds.setScheduledEvents([
      {
        NotBefore: '02 Dec 2026 10:00:00 GMT',
        NotAfter: '02 Dec 2026 12:00:00 GMT',
        Code: 'system-reboot',
        Description: 'scheduled reboot',
        EventId: 'instance-event-1',
        State: 'active',
      },
    ]);
    await waitFor(() => events('scheduled-maintenance') === 1);
    await waitFor(() => poller.healthy);
  });

  it('survives a hung token PUT (hop limit) and connection resets', async () => {
    imds.expireTokens();
    imds.setNetworkFault('hang-token');
    await waitFor(() => !poller.healthy);
    imds.setNetworkFault('reset');
    await new Promise((r) => setTimeout(r, 200));
    imds.setNetworkFault('none');
    await waitFor(() => poller.healthy, 5000);
    expect(await errors('timeout')).toBeGreaterThan(0);
    expect(await errors('network')).toBeGreaterThan(0);
  });
});
