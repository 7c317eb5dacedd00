/**
 * Story: an NTH user's DaemonSet env has ENABLE_PROMETHEUS_SERVER=true and PROMETHEUS_SERVER_PORT
 * (9092 in their chart; a free port here). Their Prometheus scrapes that port: the real daemon serves
 * /metrics there, and keeps /healthz, /readyz and /metrics on its HTTP port.
 */
import { describe, expect, it } from 'vitest';
import { imdsWorldPerTest } from '../helpers/per-test.js';
import type { SandboxWorld } from '../../src/sandbox/demo-world.js';
import { freePort, startDaemon } from '../helpers/daemon.js';

let world: SandboxWorld;

imdsWorldPerTest({ deployments: [{ name: 'web', replicas: 1 }] }, (w) => (world = w));

describe('NTH settings ENABLE_PROMETHEUS_SERVER=true, PROMETHEUS_SERVER_PORT', () => {
  it('serves /metrics on the Prometheus port NTH users scrape', async () => {
    const metricsPort = await freePort();
    const daemon = await startDaemon({
      env: world.daemonEnv({ ENABLE_PROMETHEUS_SERVER: 'true', PROMETHEUS_SERVER_PORT: String(metricsPort) }),
    });
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('spot_handler_build_info{');
    expect(text).toContain('spot_handler_imds_healthy');
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
    // the probes port is unchanged
    expect(await daemon.metric('spot_handler_build_info')).toBe(1);
    await daemon.stop();
  });

  it('opens no extra port when ENABLE_PROMETHEUS_SERVER is false (NTH chart default)', async () => {
    const metricsPort = await freePort();
    const daemon = await startDaemon({
      env: world.daemonEnv({
        ENABLE_PROMETHEUS_SERVER: 'false',
        PROMETHEUS_SERVER_PORT: String(metricsPort),
      }),
    });
    await expect(fetch(`http://127.0.0.1:${metricsPort}/metrics`)).rejects.toThrow();
    await daemon.stop();
  });
});
