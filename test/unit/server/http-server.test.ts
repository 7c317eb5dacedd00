import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { LivenessRegistry, ReadinessRegistry } from '../../../src/server/health-registry.js';
import { HttpServer } from '../../../src/server/http-server.js';

async function world() {
  const clock = new FakeClock();
  const registry = new Registry();
  const liveness = new LivenessRegistry(clock);
  const readiness = new ReadinessRegistry();
  const server = new HttpServer({ registry, liveness, readiness, logger: pino({ level: 'silent' }) });
  const port = await server.start(0, '127.0.0.1');
  servers.push(server);
  const get = async (path: string, init?: RequestInit) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, init);
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };
  return { clock, registry, liveness, readiness, server, get };
}

const servers: HttpServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

describe('HttpServer /healthz', () => {
  it('is 200 while every loop beats within its allowance, 503 naming the stuck loop after', async () => {
    const { clock, liveness, get } = await world();
    const poller = liveness.register('imds-poller', 10_000);
    const sqs = liveness.register('sqs-consumer', 60_000);
    expect((await get('/healthz')).status).toBe(200);

    await clock.advance(9_000);
    poller.beat();
    await clock.advance(9_000);
    expect((await get('/healthz')).status).toBe(200);

    await clock.advance(2_000); // poller: 11 s since its last beat
    sqs.beat();
    const stuck = await get('/healthz');
    expect(stuck.status).toBe(503);
    const body = JSON.parse(stuck.text);
    expect(body.status).toBe('stuck');
    expect(body.loops).toEqual([
      { name: 'imds-poller', alive: false, ageMs: 11_000, allowanceMs: 10_000 },
      { name: 'sqs-consumer', alive: true, ageMs: 0, allowanceMs: 60_000 },
    ]);

    poller.stop(); // a loop that ended on purpose (shutdown) is no longer watched
    expect((await get('/healthz')).status).toBe(200);
  });
});

describe('HttpServer /readyz', () => {
  it('is 503 listing each check until every one passes', async () => {
    const { readiness, get } = await world();
    readiness.register('config', true, 'valid');
    readiness.register('kube-api');
    readiness.register('leader-election');
    const first = await get('/readyz');
    expect(first.status).toBe(503);
    expect(first.type).toBe('application/json');
    expect(JSON.parse(first.text)).toEqual({
      status: 'not ready',
      checks: [
        { name: 'config', ready: true, detail: 'valid' },
        { name: 'kube-api', ready: false, detail: 'starting' },
        { name: 'leader-election', ready: false, detail: 'starting' },
      ],
    });

    readiness.set('kube-api', true);
    readiness.set('leader-election', true, 'standby'); // standby counts as ready
    expect((await get('/readyz')).status).toBe(200);

    readiness.set('kube-api', false, 'ECONNREFUSED');
    const down = await get('/readyz');
    expect(down.status).toBe(503);
    expect(down.text).toContain('ECONNREFUSED');
  });
});

describe('HttpServer /metrics and the rest', () => {
  it('serves the injected registry: build info and process metrics', async () => {
    const { registry, get } = await world();
    createMetrics(registry, { version: '1.2.3', mode: 'queue' });
    const res = await get('/metrics');
    expect(res.status).toBe(200);
    expect(res.type).toContain('text/plain');
    expect(res.text).toMatch(
      /spot_handler_build_info\{version="1.2.3",node_version="v[\d.]+",mode="queue"\} 1/,
    );
    expect(res.text).toContain('spot_handler_process_resident_memory_bytes');
    expect(res.text).toContain('spot_handler_drains_in_flight 0');
  });

  it('answers 404 for unknown paths and 405 for other methods', async () => {
    const { get } = await world();
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/healthz', { method: 'POST' })).status).toBe(405);
    expect((await get('/healthz?verbose=1')).status).toBe(200);
  });

  it('answers 500 when collecting metrics fails, and keeps serving', async () => {
    const { registry, get } = await world();
    registry.registerMetric({
      name: 'broken',
      get: () => Promise.reject(new Error('collector failed')),
    } as never);
    expect((await get('/metrics')).status).toBe(500);
    expect((await get('/healthz')).status).toBe(200);
  });

  it('stop() closes the port', async () => {
    const { server, get } = await world();
    await server.stop();
    await expect(get('/healthz')).rejects.toThrow();
  });
});
