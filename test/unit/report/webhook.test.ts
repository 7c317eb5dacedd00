import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/clock.js';
import { createMetrics, type Metrics } from '../../../src/report/metrics.js';
import { WebhookNotifier, type WebhookOptions } from '../../../src/report/webhook.js';
import { HttpWebhookTransport } from '../../../src/report/webhook-transport.js';
import { captureLogger } from './capture-logger.js';
import { TEST_CERT, TEST_KEY } from './fixtures/test-tls.js';

interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver that answers from a script of statuses (then 200), or never answers ('hang'). */
async function startReceiver(script: (number | 'hang')[] = []) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const next = script.shift() ?? 200;
      if (next === 'hang') return;
      res.writeHead(next, next === 429 ? { 'retry-after': '2' } : {}).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { received, port, server, close: () => closeServer(server) };
}

/** A CONNECT proxy that records the tunnels it opened. */
async function startConnectProxy() {
  const tunnels: string[] = [];
  const server = http.createServer((_req, res) => res.writeHead(405).end());
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    const [host, port] = (req.url ?? '').split(':');
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { tunnels, url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
}

function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((r) => server.close(() => r()));
}

/** Runs a promise to completion while moving the fake clock in small steps (I/O happens between steps). */
async function drive<T>(clock: FakeClock, p: Promise<T>, stepMs = 10): Promise<T> {
  let done = false;
  const settled = p.finally(() => (done = true));
  while (!done) await clock.advance(stepMs);
  return settled;
}

const DATA = {
  kind: 'spot-interruption' as const,
  eventId: 'evt-1',
  instanceId: 'i-0abc',
  node: 'ip-10-0-0-1',
  deadlineMs: Date.parse('2026-11-29T10:02:00Z'),
  description: 'spot "terminate"',
};

const SECRET_PATH = '/services/T000/B000/s3cr3tT0ken';
const SECRET_HEADER = 'Bearer hdr-s3cr3t';

describe('WebhookNotifier over HTTP', () => {
  let clock: FakeClock;
  let metrics: Metrics;
  let registry: Registry;
  let log: ReturnType<typeof captureLogger>;
  let transport: HttpWebhookTransport;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(() => {
    clock = new FakeClock();
    registry = new Registry();
    metrics = createMetrics(registry, { version: 'test', mode: 'imds' }, { defaultMetrics: false });
    log = captureLogger();
  });
  afterEach(async () => {
    transport?.close();
    for (const c of closers.splice(0)) await c();
  });

  /**
   * Request timeouts run on their own fake clock unless `sharedTimeoutClock`: `drive` moves only the
   * notifier's clock, so a slow loopback round trip on a busy machine can never time out by accident.
   */
  function notifier(options: WebhookOptions, proxy?: string, sharedTimeoutClock = false): WebhookNotifier {
    transport = new HttpWebhookTransport(sharedTimeoutClock ? clock : new FakeClock(), () => proxy);
    return new WebhookNotifier(
      { backoffBaseMs: 100, backoffMaxMs: 1000, timeoutMs: 30_000, ...options },
      { transport, logger: log.logger, clock, metrics, random: () => 0.5 },
    );
  }
  const count = async (trigger: string, result: string): Promise<number> =>
    (await metrics.webhooks.get()).values.find(
      (v) => v.labels.trigger === trigger && v.labels.result === result,
    )?.value ?? -1;

  it('POSTs the Slack-compatible default body with the configured headers', async () => {
    const rx = await startReceiver();
    closers.push(rx.close);
    const n = notifier({
      url: `http://127.0.0.1:${rx.port}${SECRET_PATH}`,
      headers: { authorization: SECRET_HEADER },
    });
    expect(await drive(clock, n.send('start', DATA))).toBe(true);
    expect(rx.received).toHaveLength(1);
    const req = rx.received[0]!;
    expect(req.method).toBe('POST');
    expect(req.url).toBe(SECRET_PATH);
    expect(req.headers.authorization).toBe(SECRET_HEADER);
    expect(req.headers['content-type']).toBe('application/json');
    const body = JSON.parse(req.body) as { text: string };
    expect(body.text).toContain('start: spot-interruption on node ip-10-0-0-1');
    expect(body.text).toContain('spot "terminate"');
    expect(await count('start', 'sent')).toBe(1);
  });

  it('implements the executor Notifier port: maps the action report to template fields', async () => {
    const rx = await startReceiver();
    closers.push(rx.close);
    const template =
      '{"r":"{{ result }}","n":{{ podsEvicted }},"f":{{ podsForceDeleted }},"b":"{{ blockedBy }}",' +
      '"s":{{ durationSeconds }},"node":"{{ .NodeName }}","c":"{{ clusterName }}","t":"{{ trigger }}","d":"{{ description }}"}';
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, template, clusterName: 'prod' });
    const report = {
      ...DATA,
      nodeName: 'ip-10-0-0-7',
      noticedAtMs: DATA.deadlineMs - 120_000,
      mergedEventIds: ['evt-1'],
      result: 'blocked' as const,
      error: 'pdb',
      drain: {
        result: 'blocked' as const,
        podsEvicted: 2,
        podsForceDeleted: 0,
        podsRemaining: 1,
        durationMs: 1500,
        blockedBy: [{ namespace: 'a', name: 'b', pdb: 'c', reason: 'pdb' as const, message: 'm' }],
      },
    };
    expect(await drive(clock, n.sendWebhook('failure', report))).toBe(true);
    expect(JSON.parse(rx.received[0]!.body)).toEqual({
      r: 'blocked',
      n: 2,
      f: 0,
      b: 'a/b (PDB c): pdb',
      s: 1.5,
      node: 'ip-10-0-0-7',
      c: 'prod',
      t: 'failure',
      d: 'spot "terminate" (error: pdb)',
    });
  });

  it('retries after 503s with growing backoff, then succeeds', async () => {
    const rx = await startReceiver([503, 503]);
    closers.push(rx.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, retries: 3 });
    const start = clock.now();
    expect(await drive(clock, n.send('failure', DATA))).toBe(true);
    expect(rx.received).toHaveLength(3);
    // backoff 100 * 0.75 then 200 * 0.75 (equal jitter at random 0.5)
    expect(clock.now() - start).toBeGreaterThanOrEqual(225);
    expect(await count('failure', 'sent')).toBe(1);
    expect(await count('failure', 'failed')).toBe(0);
  });

  it('honours Retry-After on 429', async () => {
    const rx = await startReceiver([429]);
    closers.push(rx.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, backoffMaxMs: 5000 });
    const start = clock.now();
    expect(await drive(clock, n.send('start', DATA))).toBe(true);
    expect(rx.received).toHaveLength(2);
    expect(clock.now() - start).toBeGreaterThanOrEqual(2000);
  });

  it('does not retry other 4xx, and gives up after the retries on 5xx', async () => {
    const rx = await startReceiver([400, 500, 500, 500]);
    closers.push(rx.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, retries: 2 });
    expect(await drive(clock, n.send('start', DATA))).toBe(false);
    expect(rx.received).toHaveLength(1);
    expect(await drive(clock, n.send('success', DATA))).toBe(false);
    expect(rx.received).toHaveLength(4);
    expect(await count('start', 'failed')).toBe(1);
    expect(await count('success', 'failed')).toBe(1);
  });

  it('times out a receiver that never answers (clock-driven) and retries', async () => {
    const rx = await startReceiver(['hang', 'hang']);
    closers.push(rx.close);
    const n = notifier(
      { url: `http://127.0.0.1:${rx.port}/hook`, timeoutMs: 60_000, retries: 1 },
      undefined,
      true,
    );
    const start = clock.now();
    expect(await drive(clock, n.send('start', DATA), 100)).toBe(false);
    expect(rx.received).toHaveLength(2);
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(log.lines().filter((l) => l.code === 'timeout')).toHaveLength(2);
  });

  it('goes through a CONNECT proxy', async () => {
    const rx = await startReceiver();
    const proxy = await startConnectProxy();
    closers.push(rx.close, proxy.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}${SECRET_PATH}` }, proxy.url);
    expect(await drive(clock, n.send('success', DATA))).toBe(true);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${rx.port}`]);
    expect(rx.received[0]?.url).toBe(SECRET_PATH);
  });

  it('reaches an https receiver through the CONNECT proxy (TLS inside the tunnel)', async () => {
    const bodies: string[] = [];
    const server = https.createServer({ cert: TEST_CERT, key: TEST_KEY }, (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        bodies.push(body);
        res.end('ok');
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const proxy = await startConnectProxy();
    closers.push(() => closeServer(server), proxy.close);
    transport = new HttpWebhookTransport(new FakeClock(), () => proxy.url, { ca: TEST_CERT });
    const n = new WebhookNotifier(
      { url: `https://127.0.0.1:${port}${SECRET_PATH}`, timeoutMs: 30_000, retries: 0 },
      { transport, logger: log.logger, clock, metrics },
    );
    const ok = await drive(clock, n.send('start', DATA));
    expect(ok).toBe(true);
    expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`]);
    expect(JSON.parse(bodies[0] ?? '{}')).toHaveProperty('text');
  });

  it('retries network errors and never logs the URL, host or headers', async () => {
    const rx = await startReceiver();
    const deadPort = rx.port;
    await rx.close();
    const n = notifier({
      url: `http://127.0.0.1:${deadPort}${SECRET_PATH}`,
      headers: { authorization: SECRET_HEADER },
      retries: 2,
    });
    expect(await drive(clock, n.send('failure', DATA))).toBe(false);
    const text = log.text();
    expect(log.lines().filter((l) => l.code === 'ECONNREFUSED')).toHaveLength(3);
    for (const secret of ['s3cr3t', SECRET_PATH, String(deadPort), '127.0.0.1', 'hdr-']) {
      expect(text).not.toContain(secret);
    }
    expect(await registry.metrics()).not.toContain('s3cr3t');
  });

  it('skips triggers that are not enabled and does nothing without a URL', async () => {
    const rx = await startReceiver();
    closers.push(rx.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, triggers: ['failure'] });
    expect(n.enabled('start')).toBe(false);
    expect(await n.send('start', DATA)).toBe(false);
    expect(await notifier({}).send('failure', DATA)).toBe(false);
    expect(rx.received).toHaveLength(0);
    expect(await count('start', 'sent')).toBe(-1);
    expect(await count('failure', 'failed')).toBe(0);
  });

  it('stops retrying when the signal aborts', async () => {
    const rx = await startReceiver([503, 503, 503]);
    closers.push(rx.close);
    const n = notifier({ url: `http://127.0.0.1:${rx.port}/hook`, retries: 5, backoffBaseMs: 10_000 });
    const ac = new AbortController();
    const p = n.send('start', DATA, ac.signal);
    while (rx.received.length === 0) await clock.advance(1);
    ac.abort();
    expect(await drive(clock, p)).toBe(false);
    expect(rx.received).toHaveLength(1);
  });
});
