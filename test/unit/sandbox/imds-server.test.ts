import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  formatImdsDate,
  IMDS_PATHS,
  startImdsServer,
  type ImdsServer,
} from '../../../src/sandbox/imds-server.js';

async function putToken(url: string, ttl?: string, extra: Record<string, string> = {}): Promise<Response> {
  const headers: Record<string, string> = { ...extra };
  if (ttl !== undefined) headers['x-aws-ec2-metadata-token-ttl-seconds'] = ttl;
  return fetch(`${url}${IMDS_PATHS.token}`, { method: 'PUT', headers });
}

describe('imds-server', () => {
  let imds: ImdsServer;
  let nowMs = Date.parse('2026-11-29T10:00:00Z');
  let token = '';

  const get = (path: string, t: string | null = token): Promise<Response> =>
    fetch(`${imds.url}${path}`, { headers: t === null ? {} : { 'x-aws-ec2-metadata-token': t } });

  beforeEach(async () => {
    imds = await startImdsServer({ identity: { instanceId: 'i-0aaaabbbbccccdddd' }, now: () => nowMs });
    token = await (await putToken(imds.url, '60')).text();
  });
  afterEach(() => imds.stop());

  it.each([
    [undefined, 400],
    ['0', 400],
    ['21601', 400],
    ['abc', 400],
    ['1', 200],
    ['21600', 200],
  ])('token PUT with ttl %s answers %i', async (ttl, status) => {
    const res = await putToken(imds.url, ttl);
    expect(res.status).toBe(status);
    if (status === 200) expect(res.headers.get('x-aws-ec2-metadata-token-ttl-seconds')).toBe(ttl);
  });

  it('rejects a token PUT that went through a proxy (X-Forwarded-For)', async () => {
    expect((await putToken(imds.url, '60', { 'x-forwarded-for': '1.2.3.4' })).status).toBe(403);
  });

  it('requires a valid, unexpired token', async () => {
    expect((await get(IMDS_PATHS.instanceId, null)).status).toBe(401);
    expect((await get(IMDS_PATHS.instanceId, 'forged')).status).toBe(401);
    expect(await (await get(IMDS_PATHS.instanceId)).text()).toBe('i-0aaaabbbbccccdddd');
    nowMs += 61_000;
    expect((await get(IMDS_PATHS.instanceId)).status).toBe(401);
  });

  it('serves IMDSv1 when allowed', async () => {
    const v1 = await startImdsServer({ allowV1: true });
    try {
      expect((await fetch(`${v1.url}${IMDS_PATHS.lifecycle}`)).status).toBe(200);
    } finally {
      await v1.stop();
    }
  });

  it('serves defaults while there is no notice, and identity', async () => {
    expect((await get(IMDS_PATHS.spot)).status).toBe(404);
    expect(await (await get(IMDS_PATHS.spot)).text()).toContain('404 - Not Found');
    expect((await get(IMDS_PATHS.rebalance)).status).toBe(404);
    expect(await (await get(IMDS_PATHS.scheduled)).text()).toBe('[]');
    expect(await (await get(IMDS_PATHS.lifecycle)).text()).toBe('InService');
    expect(await (await get(IMDS_PATHS.availabilityZone)).text()).toBe('us-east-1a');
    expect(await (await get(IMDS_PATHS.region)).text()).toBe('us-east-1');
    expect(await (await get(IMDS_PATHS.localHostname)).text()).toBe('ip-10-0-0-1.ec2.internal');
    const doc = JSON.parse(await (await get(IMDS_PATHS.identityDocument)).text());
    expect(doc).toMatchObject({
      instanceId: 'i-0aaaabbbbccccdddd',
      region: 'us-east-1',
      instanceType: 'm5.large',
    });
  });

  it('serves notices that are set, and clears them', async () => {
    imds.setSpotAction('terminate', '2026-11-29T10:02:00Z');
    imds.setRebalance('2026-11-29T09:45:00Z');
    imds.setTargetLifecycleState('Terminated');
    const when = formatImdsDate(Date.parse('2026-12-02T10:00:00Z'));
    expect(when).toBe('02 Dec 2026 10:00:00 GMT');
    imds.setScheduledEvents([
      {
        NotBefore: when,
        NotAfter: when,
        Code: 'system-reboot',
        Description: 'r',
        EventId: 'e-1',
        State: 'active',
      },
    ]);
    expect(JSON.parse(await (await get(IMDS_PATHS.spot)).text())).toEqual({
      action: 'terminate',
      time: '2026-11-29T10:02:00Z',
    });
    expect(JSON.parse(await (await get(IMDS_PATHS.rebalance)).text())).toEqual({
      noticeTime: '2026-11-29T09:45:00Z',
    });
    expect(await (await get(IMDS_PATHS.lifecycle)).text()).toBe('Terminated');
    expect(JSON.parse(await (await get(IMDS_PATHS.scheduled)).text())[0].EventId).toBe('e-1');
    imds.clearNotices();
    expect((await get(IMDS_PATHS.spot)).status).toBe(404);
    expect(await (await get(IMDS_PATHS.scheduled)).text()).toBe('[]');
  });

  it('injects 5xx for N requests, malformed bodies and token expiry; records requests', async () => {
    imds.failRequests({ status: 503, count: 2 });
    expect((await get(IMDS_PATHS.spot)).status).toBe(503);
    expect((await get(IMDS_PATHS.spot)).status).toBe(503);
    expect((await get(IMDS_PATHS.spot)).status).toBe(404);
    imds.setBody(IMDS_PATHS.spot, '{"action": "termin');
    expect(await (await get(IMDS_PATHS.spot)).text()).toBe('{"action": "termin');
    imds.expireTokens();
    expect((await get(IMDS_PATHS.spot)).status).toBe(401);
    expect(imds.requestsTo(IMDS_PATHS.spot).map((r) => [r.status, r.token])).toEqual([
      [503, 'valid'],
      [503, 'valid'],
      [404, 'valid'],
      [200, 'valid'],
      [401, 'invalid'],
    ]);
  });

  it('fails until cleared when no count is given', async () => {
    imds.failRequests();
    expect((await get(IMDS_PATHS.spot)).status).toBe(500);
    expect((await get(IMDS_PATHS.spot)).status).toBe(500);
    imds.clearFailures();
    expect((await get(IMDS_PATHS.spot)).status).toBe(404);
  });

  it('hangs the token PUT (hop limit) and resets connections', async () => {
    imds.setNetworkFault('hang-token');
    await expect(
      fetch(`${imds.url}${IMDS_PATHS.token}`, {
        method: 'PUT',
        headers: { 'x-aws-ec2-metadata-token-ttl-seconds': '60' },
        signal: AbortSignal.timeout(150),
      }),
    ).rejects.toThrow();
    expect((await get(IMDS_PATHS.spot)).status).toBe(404);
    imds.setNetworkFault('reset');
    await expect(get(IMDS_PATHS.spot)).rejects.toThrow();
  });
});
