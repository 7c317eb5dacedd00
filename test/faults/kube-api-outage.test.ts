/**
 * The Kubernetes API unreachable (connection refused, through a TCP proxy we take down), and a concurrent
 * writer racing our node updates. IMDS mode does not touch the API until a notice (by design: a DaemonSet
 * of thousands of pods must not load the API server at idle; see test/scenarios/imds-idle.test.ts), so
 * "API down at start-up" means: the daemon starts and is ready on IMDS alone, the notice arrives while
 * the API is still down, and the node is drained once the API comes back, before the deadline.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildBundleBeforeAll } from '../helpers/per-test.js';
import { kubeconfigFileText } from '../../src/sandbox/kube-api/client-config.js';
import { waitFor } from '../../src/sandbox/demo-world.js';
import { startSandboxWorldOnKubeEnv, type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon, stopAllDaemons } from '../helpers/daemon.js';
import { faultRecord } from './support/fault-record.js';
import { expectDrainedOnce, imdsFaultEnv, setSpotNotice } from './support/imds-fault-world.js';
import { startWriterLoop } from './support/node-writer-loop.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let world: WorldOnKubeEnv;
let proxy: TcpProxy;
let dir: string;

beforeEach(async () => {
  world = await startSandboxWorldOnKubeEnv({
    deployments: [{ name: 'web', replicas: 5, shutdownMs: 300, onlyOnFirstNode: true }],
  });
  proxy = await startTcpProxy(Number(new URL(world.wire.url).port));
  dir = mkdtempSync(join(tmpdir(), 'spot-handler-faults-'));
});

buildBundleBeforeAll();

afterEach(async () => {
  await stopAllDaemons();
  await proxy.stop();
  await world.stop();
  rmSync(dir, { recursive: true, force: true });
});

function proxiedEnv(): Record<string, string> {
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFileText(proxy.url), { mode: 0o600 });
  return { ...imdsFaultEnv(world), KUBECONFIG: kubeconfig };
}

describe('Kubernetes API unreachable and concurrent writers (IMDS mode)', () => {
  it('API down from start-up until 3 s after the notice: ready on IMDS, drained once it is back', async () => {
    const rec = faultRecord('kube-api', 'API unreachable (connection refused) from start-up to notice + 3 s');
    await proxy.down();
    const daemon = await startDaemon({ env: proxiedEnv() });
    expect((await daemon.get('/readyz')).status).toBe(200);
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await daemon.waitForLog((l) => l.msg === 'interruption event received', 5_000);
    await new Promise((r) => setTimeout(r, 3000));
    expect(daemon.logsWith('drain started')).toHaveLength(0);
    expect(await daemon.get('/healthz').then((r) => r.status)).toBe(200);
    const errors = await daemon.metric('spot_handler_kube_api_requests_total', { code: 'error' });
    expect(errors).toBeGreaterThan(0);
    await proxy.up();
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.figures.faultsInjected = errors;
    rec.outcome = 'ready on IMDS; calls failed and were retried; drained once after the API came back';
  });

  it('API connections reset mid-drain for 2 s: the drain resumes and completes once', async () => {
    const rec = faultRecord('kube-api', 'every API connection reset mid-drain, refused for 2 s');
    const daemon = await startDaemon({ env: proxiedEnv() });
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await daemon.waitForLog((l) => l.msg === 'drain started', 10_000);
    await proxy.down();
    await new Promise((r) => setTimeout(r, 2000));
    await proxy.up();
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    rec.outcome = 'watch and calls re-established; drained once';
  });

  it('a concurrent writer patching labels and taints in a loop: no lost update either way', async () => {
    const rec = faultRecord('kube-api', 'second client writes node labels+taints every 5 ms (409 races)');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    const writer = startWriterLoop(world.wire.url, world.nodeName, 5);
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    try {
      setSpotNotice(world, deadline);
      await daemon.waitForLog((l) => l.msg === 'drain started', 10_000);
      await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    } finally {
      await writer.stop();
    }
    // the world's view is an informer cache: on a real server the writer's last patch may reach it later
    const writes = (): string | undefined =>
      world.node(world.nodeName)?.metadata.labels?.['example.com/writes'];
    await waitFor(() => writes() === String(writer.counts.writes), 5_000, 'the view to see the last write');
    const node = world.node(world.nodeName);
    const keys = ((node?.spec?.['taints'] ?? []) as { key: string }[]).map((t) => t.key);
    // theirs: every taint the writer added with a successful write is still there
    expect(writer.counts.writes).toBeGreaterThan(5);
    expect(keys.filter((k) => k.startsWith('example.com/'))).toEqual(writer.taintKeys);
    expect(node?.metadata.labels?.['example.com/writes']).toBe(String(writer.counts.writes));
    // ours: taint, cordon, state label and annotations
    expect(keys).toContain('spot-handler/spot-interruption');
    expect(node?.spec?.['unschedulable']).toBe(true);
    expect(node?.metadata.labels?.['spot-handler/state']).toBe('drained');
    expect(node?.metadata.annotations?.['spot-handler/event-id']).toBeTruthy();
    const conflicts = world.wire.requests.count({ method: 'PATCH', status: 409 });
    expect(conflicts).toBeGreaterThan(0);
    rec.figures.faultsInjected = conflicts;
    rec.outcome = `writer: ${writer.counts.writes} writes kept; 409s on both sides retried; nothing lost`;
  });
});
