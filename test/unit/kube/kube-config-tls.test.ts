/**
 * The keep-alive pools over TLS: one TLS context per pool (the CA and the client key are parsed once, not
 * for every new socket: a drain of 110 pods opens ~100 sockets at once), with the same verification and
 * client certificate as client-node's own agent.
 */
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { CoreV1Api, HttpMethod, RequestContext } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../../../src/kube/kube-config.js';
import { TEST_CERT, TEST_KEY } from '../report/fixtures/test-tls.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
let server: https.Server | undefined;
let kc: KeepAliveKubeConfig | undefined;

afterEach(async () => {
  kc?.destroy();
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** An API server stand-in that demands a client certificate signed by TEST_CERT (itself). */
async function startTlsServer(): Promise<{ url: string; clients: string[]; connections: () => number }> {
  const clients: string[] = [];
  let connections = 0;
  server = https.createServer(
    { cert: TEST_CERT, key: TEST_KEY, ca: TEST_CERT, requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      clients.push((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '');
      res.setHeader('content-type', 'application/json');
      // a little latency, so that parallel calls need parallel sockets
      setTimeout(
        () => res.end(JSON.stringify({ kind: 'Node', apiVersion: 'v1', metadata: { name: 'n1' } })),
        20,
      );
    },
  );
  server.on('secureConnection', () => connections++);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `https://127.0.0.1:${port}`, clients, connections: () => connections };
}

function kubeconfigFor(url: string, ca: boolean): KeepAliveKubeConfig {
  const config = loadKubeConfig({ server: { url: 'http://127.0.0.1:1' } });
  config.loadFromOptions({
    clusters: [{ name: 'c', server: url, ...(ca && { caData: b64(TEST_CERT) }), skipTLSVerify: false }],
    users: [{ name: 'u', certData: b64(TEST_CERT), keyData: b64(TEST_KEY) }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return config;
}

describe('keep-alive pools over TLS', () => {
  it('share one TLS context per pool; every socket verifies the server and presents the client certificate', async () => {
    const api = await startTlsServer();
    kc = kubeconfigFor(api.url, true);
    const core = kc.makeApiClient(CoreV1Api);
    const names = await Promise.all(
      Array.from({ length: 20 }, async () => (await core.readNode({ name: 'n1' })).metadata?.name),
    );
    expect(names).toEqual(Array(20).fill('n1'));
    expect(api.connections()).toBeGreaterThan(1);
    expect(api.clients).toEqual(Array(20).fill('localhost'));

    const contexts = await Promise.all(
      [0, 1].map(async () => {
        const ctx = new RequestContext(`${api.url}/api/v1/nodes/n1`, HttpMethod.GET);
        await kc!.applySecurityAuthentication(ctx);
        return (ctx.getAgent() as https.Agent & { options: https.AgentOptions }).options.secureContext;
      }),
    );
    expect(contexts[0]).toBeDefined();
    expect(contexts[1]).toBe(contexts[0]);
  });

  it('still refuses a server its CA did not sign', async () => {
    const api = await startTlsServer();
    kc = kubeconfigFor(api.url, false);
    await expect(kc.makeApiClient(CoreV1Api).readNode({ name: 'n1' })).rejects.toThrow(/self[- ]signed/i);
    expect(api.clients).toEqual([]);
  });
});
