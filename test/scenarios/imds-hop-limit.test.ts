/**
 * Story: a node's IMDS hop limit is 1 and the pod is not on the host network, so the IMDSv2 token PUT
 * never gets an answer (the simulator's `hang-token` fault). The daemon says so loudly: one log line
 * naming the hop limit and both fixes, the /readyz detail (not ready), and spot_handler_imds_token_timeout;
 * when the token answers again, it recovers.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { spawnDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 1 }] }, (w) => (world = w));

describe('IMDS mode: hop limit 1 off the host network', () => {
  it('names the hop limit and the fix in the log, /readyz and a metric, then recovers', async () => {
    world.imds.setNetworkFault('hang-token');
    const daemon = await spawnDaemon({
      env: world.daemonEnv({ IMDS_TIMEOUT_MS: '300', IMDS_POLL_INTERVAL_MS: '200' }),
    });
    const line = await daemon.waitForLog(
      (l) => String(l.msg).startsWith('IMDSv2 token request timed out'),
      20_000,
    );
    expect(line.msg).toContain('HttpPutResponseHopLimit');
    expect(line.msg).toContain('hostNetwork=true');
    expect(line.msg).toContain('--http-put-response-hop-limit 2');
    let ready = await daemon.get('/readyz');
    for (let i = 0; i < 50 && !ready.body.includes('hop limit'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      ready = await daemon.get('/readyz');
    }
    expect(ready.status).toBe(503);
    expect(ready.body).toContain('HttpPutResponseHopLimit');
    expect(await daemon.metric('spot_handler_imds_token_timeout')).toBe(1);
    await new Promise((r) => setTimeout(r, 1000));
    expect(
      daemon.logs.filter((l) => String(l.msg).startsWith('IMDSv2 token request timed out')),
    ).toHaveLength(1);

    world.imds.setNetworkFault('none');
    await daemon.waitReady(20_000);
    await daemon.waitForLog((l) => l.msg === 'IMDSv2 token request answered again', 10_000);
    expect(await daemon.metric('spot_handler_imds_token_timeout')).toBe(0);
    await daemon.stop();
  }, 60_000);
});
