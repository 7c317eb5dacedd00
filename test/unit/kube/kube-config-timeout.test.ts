import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CoreV1Api } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { loadKubeConfig } from '../../../src/kube/kube-config.js';
import { mapKubeError } from '../../../src/kube/map-error.js';
import { isRetryable } from '../../../src/errors.js';

describe('API request timeout', () => {
  it('gives up on an API server that accepts the request and never answers, as a retryable error', async () => {
    const server = http.createServer(() => {
      /* never answers */
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const kc = loadKubeConfig({ server: { url: `http://127.0.0.1:${port}` }, requestTimeoutMs: 300 });
    const started = Date.now();
    try {
      const err = await kc
        .makeApiClient(CoreV1Api)
        .readNode({ name: 'n1' })
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      expect(err).toBeDefined();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isRetryable(mapKubeError(err, 'read node n1'))).toBe(true);
    } finally {
      kc.destroy();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
