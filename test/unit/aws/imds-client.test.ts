import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ImdsClient, imdsFailureReason } from '../../../src/aws/imds-client.js';
import { PermanentError, TransientError } from '../../../src/errors.js';
import { IMDS_PATHS, startImdsServer, type ImdsServer } from '../../../src/sandbox/imds-server.js';

describe('ImdsClient against the IMDS simulator', () => {
  let imds: ImdsServer;
  let client: ImdsClient;
  let nowMs = 0;

  beforeEach(async () => {
    nowMs = Date.parse('2026-11-29T10:00:00Z');
    imds = await startImdsServer({ now: () => nowMs });
    client = new ImdsClient({ endpoint: imds.url, timeoutMs: 300, now: () => nowMs });
  });
  afterEach(async () => {
    client.close();
    await imds.stop();
  });

  const tokenPuts = (): number => imds.requestsTo(IMDS_PATHS.token).length;

  it('returns 200 bodies and 404 as values, reusing one token', async () => {
    expect(await client.get(IMDS_PATHS.spot)).toEqual({ status: 404 });
    imds.setSpotAction('terminate', '2026-11-29T10:02:00Z');
    const res = await client.get(IMDS_PATHS.spot);
    expect(res.status).toBe(200);
    expect(res.status === 200 && JSON.parse(res.body)).toEqual({
      action: 'terminate',
      time: '2026-11-29T10:02:00Z',
    });
    expect(await client.get(IMDS_PATHS.instanceId)).toEqual({ status: 200, body: imds.identity.instanceId });
    expect(tokenPuts()).toBe(1);
  });

  it('shares one token fetch between parallel requests', async () => {
    const paths = [IMDS_PATHS.spot, IMDS_PATHS.rebalance, IMDS_PATHS.scheduled, IMDS_PATHS.lifecycle];
    const out = await Promise.all(paths.map((p) => client.get(p)));
    expect(out.map((r) => r.status)).toEqual([404, 404, 200, 200]);
    expect(tokenPuts()).toBe(1);
  });

  it('refreshes the token when less than 60 s are left', async () => {
    await client.get(IMDS_PATHS.spot);
    nowMs += (21600 - 61) * 1000;
    await client.get(IMDS_PATHS.spot);
    expect(tokenPuts()).toBe(1);
    nowMs += 2000;
    await client.get(IMDS_PATHS.spot);
    expect(tokenPuts()).toBe(2);
  });

  it('retries once with a fresh token after 401', async () => {
    await client.get(IMDS_PATHS.spot);
    imds.expireTokens();
    expect(await client.get(IMDS_PATHS.spot)).toEqual({ status: 404 });
    expect(tokenPuts()).toBe(2);
    expect(imds.requestsTo(IMDS_PATHS.spot).map((r) => r.status)).toEqual([404, 401, 404]);
  });

  it('throws TransientError for 5xx, PermanentError for other 4xx', async () => {
    await client.get(IMDS_PATHS.spot);
    imds.failRequests({ status: 503, count: 1 });
    const err5 = await client.get(IMDS_PATHS.spot).catch((e: unknown) => e);
    expect(err5).toBeInstanceOf(TransientError);
    expect(imdsFailureReason(err5)).toBe('http_5xx');
    imds.failRequests({ status: 403, count: 1 });
    const err4 = await client.get(IMDS_PATHS.spot).catch((e: unknown) => e);
    expect(err4).toBeInstanceOf(PermanentError);
    expect(imdsFailureReason(err4)).toBe('http_4xx');
  });

  it('classifies 401 that survives a fresh token as unauthorized', async () => {
    await client.get(IMDS_PATHS.spot);
    imds.failRequests({ status: 401 });
    const err = await client.get(IMDS_PATHS.spot).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PermanentError);
    expect(imdsFailureReason(err)).toBe('unauthorized');
  });

  it('times out a hung request, then works again on a new socket', async () => {
    await client.get(IMDS_PATHS.spot);
    imds.setNetworkFault('hang-all');
    const started = performance.now();
    const err = await client.get(IMDS_PATHS.spot).catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(err).toBeInstanceOf(TransientError);
    expect(imdsFailureReason(err)).toBe('timeout');
    imds.setNetworkFault('none');
    expect(await client.get(IMDS_PATHS.spot)).toEqual({ status: 404 });
  });

  it('maps connection resets to network errors', async () => {
    imds.setNetworkFault('reset');
    const err = await client.get(IMDS_PATHS.spot).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(imdsFailureReason(err)).toBe('network');
  });

  it('does not fall back to IMDSv1 when the token PUT hangs, unless allowed', async () => {
    imds.setNetworkFault('hang-token');
    const err = await client.get(IMDS_PATHS.lifecycle).catch((e: unknown) => e);
    expect(imdsFailureReason(err)).toBe('timeout');
    expect(imds.requestsTo(IMDS_PATHS.lifecycle)).toHaveLength(0);

    const v1 = await startImdsServer({ allowV1: true });
    v1.setNetworkFault('hang-token');
    const fallback = new ImdsClient({ endpoint: v1.url, timeoutMs: 200, allowV1Fallback: true });
    try {
      expect(await fallback.get(IMDS_PATHS.lifecycle)).toEqual({ status: 200, body: 'InService' });
      expect(v1.requestsTo(IMDS_PATHS.lifecycle)[0]?.token).toBe('none');
    } finally {
      fallback.close();
      await v1.stop();
    }
  });

  it('rejects with the abort reason when the signal aborts', async () => {
    imds.latencyMs = 1000;
    const ac = new AbortController();
    const p = client.get(IMDS_PATHS.spot, ac.signal);
    ac.abort(new Error('shutting down'));
    await expect(p).rejects.toThrow('shutting down');
  });

  it('refuses bodies over the limit', async () => {
    const small = new ImdsClient({ endpoint: imds.url, maxBodyBytes: 1000 });
    imds.setBody(IMDS_PATHS.spot, 'x'.repeat(100_000));
    try {
      const err = await small.get(IMDS_PATHS.spot).catch((e: unknown) => e);
      expect(imdsFailureReason(err)).toBe('too_large');
    } finally {
      small.close();
    }
  });
});
