import { afterEach, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoordinationV1Api, CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { FakeClock } from '../../../src/clock.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../../../src/kube/kube-config.js';
import { RateLimiter } from '../../../src/kube/rate-limiter.js';

interface Recorder {
  url: string;
  connections: number;
  requests: { path: string; auth: string | undefined }[];
  close: () => Promise<void>;
}

async function startServer(): Promise<Recorder> {
  const rec = { connections: 0, requests: [] as Recorder['requests'] };
  const server = http.createServer((req, res) => {
    rec.requests.push({ path: req.url ?? '', auth: req.headers.authorization });
    res.setHeader('content-type', 'application/json');
    if (req.url?.includes('watch=true')) {
      res.write(JSON.stringify({ type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'p' } } }) + '\n');
      res.end();
      return;
    }
    res.end(JSON.stringify({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' } }));
  });
  server.on('connection', () => rec.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    ...rec,
    get connections() {
      return rec.connections;
    },
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let server: Recorder | undefined;
let kc: KeepAliveKubeConfig | undefined;
afterEach(async () => {
  kc?.destroy();
  await server?.close();
});

describe('loadKubeConfig', () => {
  it('reuses connections: 50 calls over keep-alive open at most 2 connections', async () => {
    server = await startServer();
    kc = loadKubeConfig({ server: { url: server.url, token: 'tok' } });
    const core = kc.makeApiClient(CoreV1Api);
    for (let i = 0; i < 50; i++) await core.readNode({ name: 'n1' });
    expect(server.requests).toHaveLength(50);
    expect(server.requests[0]?.auth).toBe('Bearer tok');
    expect(server.connections).toBeLessThanOrEqual(2);
  });

  it('the stock KubeConfig opens one connection per call (what we fix)', async () => {
    server = await startServer();
    const plain = new KubeConfig();
    plain.loadFromOptions({
      clusters: [{ name: 'c', server: server.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    const core = plain.makeApiClient(CoreV1Api);
    for (let i = 0; i < 10; i++) await core.readNode({ name: 'n1' });
    expect(server.connections).toBe(10);
  });

  /** A recording server and a client behind a fake-clock rate limiter (1 request/s, `burst`). */
  async function limitedClient(
    burst: number,
  ): Promise<{ rec: Recorder; clock: FakeClock; client: KeepAliveKubeConfig; core: CoreV1Api }> {
    const rec = (server = await startServer());
    const clock = new FakeClock();
    const limiter = new RateLimiter(clock, { qps: 1, burst });
    const client = (kc = loadKubeConfig({ server: { url: rec.url }, rateLimiter: limiter }));
    return { rec, clock, client, core: client.makeApiClient(CoreV1Api) };
  }

  it('waits for the shared rate limiter before each request', async () => {
    const { rec, clock, core } = await limitedClient(2);
    await core.readNode({ name: 'n1' });
    await core.readNode({ name: 'n1' });
    const third = core.readNode({ name: 'n1' });
    await new Promise((r) => setTimeout(r, 30));
    expect(rec.requests).toHaveLength(2);
    await clock.advance(1000);
    await third;
    expect(rec.requests).toHaveLength(3);
  });

  it('serves waiting requests by priority: lease, node, pod, then Events', async () => {
    const { rec, clock, client, core } = await limitedClient(1);
    const leases = client.makeApiClient(CoordinationV1Api);
    await core.readNode({ name: 'n0' }); // takes the only token
    const calls = [
      core.createNamespacedEvent({ namespace: 'default', body: { metadata: {}, involvedObject: {} } }),
      core.listNamespacedPod({ namespace: 'default' }),
      core.readNode({ name: 'n1' }),
      leases.readNamespacedLease({ namespace: 'kube-system', name: 'spot-handler' }),
    ].map((p) => p.catch(() => undefined)); // the recorder answers everything with a Node
    await new Promise((r) => setTimeout(r, 30));
    expect(rec.requests).toHaveLength(1);
    for (let i = 0; i < 4; i++) await clock.advance(1000);
    await Promise.all(calls);
    expect(rec.requests.slice(1).map((r) => r.path.split('?')[0])).toEqual([
      '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/spot-handler',
      '/api/v1/nodes/n1',
      '/api/v1/namespaces/default/pods',
      '/api/v1/namespaces/default/events',
    ]);
  });

  it('pod requests holding every socket never delay the lease or a node write: each has its own pool', async () => {
    const held: http.ServerResponse[] = [];
    const answered: string[] = [];
    const slow = http.createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url?.includes('/pods')) {
        held.push(res); // answered at the end of the test
        return;
      }
      answered.push(req.url?.split('?')[0] ?? '');
      res.end(JSON.stringify({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' } }));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const { port } = slow.address() as AddressInfo;
    kc = loadKubeConfig({ server: { url: `http://127.0.0.1:${port}` }, maxSockets: 2 });
    const core = kc.makeApiClient(CoreV1Api);
    const leases = kc.makeApiClient(CoordinationV1Api);
    try {
      const pods = [1, 2, 3].map(() =>
        core.listNamespacedPod({ namespace: 'default' }).catch(() => undefined),
      );
      await new Promise((r) => setTimeout(r, 30));
      expect(held).toHaveLength(2); // the pool's two sockets, the third list waits for one
      await leases
        .readNamespacedLease({ namespace: 'kube-system', name: 'spot-handler' })
        .catch(() => undefined);
      await core.patchNode({ name: 'n1', body: { spec: { unschedulable: true } } }).catch(() => undefined);
      expect(answered).toEqual([
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/spot-handler',
        '/api/v1/nodes/n1',
      ]);
      for (const res of held) res.end('{"kind":"PodList","items":[]}');
      await new Promise((r) => setTimeout(r, 30));
      for (const res of held.slice(2)) res.end('{"kind":"PodList","items":[]}');
      await Promise.all(pods);
    } finally {
      kc.destroy();
      slow.closeAllConnections();
      await new Promise<void>((r) => slow.close(() => r()));
    }
  });

  it('watches work through the pooled agent', async () => {
    server = await startServer();
    kc = loadKubeConfig({ server: { url: server.url } });
    const seen: string[] = [];
    const done = new Promise<void>((resolve) => {
      void new Watch(kc!).watch(
        '/api/v1/pods',
        { fieldSelector: 'spec.nodeName=n1' },
        (type) => seen.push(type),
        () => resolve(),
      );
    });
    await done;
    expect(seen).toEqual(['ADDED']);
    expect(server.requests[0]?.path).toContain('fieldSelector=spec.nodeName%3Dn1');
  });
});
