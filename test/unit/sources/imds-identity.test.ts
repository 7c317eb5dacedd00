/** readImdsIdentity against the IMDS simulator: the identity, and the facts webhooks show. */
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ImdsClient } from '../../../src/aws/imds-client.js';
import { systemClock } from '../../../src/clock.js';
import { createMetrics } from '../../../src/report/metrics.js';
import { startImdsServer, type ImdsServer } from '../../../src/sandbox/imds-server.js';
import { readImdsIdentity } from '../../../src/sources/imds-identity.js';

let imds: ImdsServer | undefined;
afterEach(async () => {
  await imds?.stop();
});

async function read(server: ImdsServer) {
  const client = new ImdsClient({ endpoint: server.url, timeoutMs: 500 });
  const deps = {
    imds: client,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics: createMetrics(new Registry(), { version: 't', mode: 'imds' }, { defaultMetrics: false }),
  };
  try {
    return await readImdsIdentity(deps, new AbortController().signal, () => 10);
  } finally {
    client.close();
  }
}

describe('readImdsIdentity', () => {
  it('reads account (identity document), life cycle, local and public addresses', async () => {
    imds = await startImdsServer({
      identity: {
        instanceLifeCycle: 'on-demand',
        localIpv4: '10.0.3.4',
        publicHostname: 'ec2-54-1-2-3.compute-1.amazonaws.com',
        publicIpv4: '54.1.2.3',
      },
    });
    expect(await read(imds)).toEqual({
      instanceId: imds.identity.instanceId,
      instanceType: 'm5.large',
      availabilityZone: 'us-east-1a',
      region: 'us-east-1',
      accountId: '000000000000',
      instanceLifeCycle: 'on-demand',
      localHostname: 'ip-10-0-3-4.ec2.internal',
      localIp: '10.0.3.4',
      publicHostname: 'ec2-54-1-2-3.compute-1.amazonaws.com',
      publicIp: '54.1.2.3',
    });
  });

  it('no public address (404) leaves the public fields out', async () => {
    imds = await startImdsServer();
    const id = await read(imds);
    expect(id).toMatchObject({ accountId: '000000000000', instanceLifeCycle: 'spot' });
    expect(id).not.toHaveProperty('publicIp');
    expect(id).not.toHaveProperty('publicHostname');
  });
});
