/**
 * Faults on the Kubernetes API side, against the real daemon in IMDS mode: 5xx on node patches, pod
 * lists and evictions; 429 (API priority and fairness) with Retry-After; slow answers; pod watch streams
 * cut again and again mid-drain. The node is drained once, before the deadline, with no crash.
 */
import { describe, expect, it } from 'vitest';
import { buildBundleBeforeAll, imdsWorldPerTest } from '../helpers/per-test.js';
import { type WorldOnKubeEnv } from '../helpers/kube-env.js';
import { startDaemon } from '../helpers/daemon.js';
import { faultRecord } from './support/fault-record.js';
import { expectDrainedOnce, imdsFaultEnv, setSpotNotice } from './support/imds-fault-world.js';

let world: WorldOnKubeEnv;

imdsWorldPerTest(
  {
    deployments: [{ name: 'web', replicas: 6, shutdownMs: 300, onlyOnFirstNode: true }],
  },
  (w) => (world = w),
);

buildBundleBeforeAll();

const EVICTION = /^\/api\/v1\/namespaces\/[^/]+\/pods\/[^/]+\/eviction$/;

describe('Kubernetes API faults (IMDS mode)', () => {
  it('5xx on node patch, pod list and eviction, and slow node reads: drained once', async () => {
    const rec = faultRecord(
      'kube-api',
      '500/503 on node PATCH ×3, pod LIST ×2, eviction ×6; 1 s node GETs ×3',
    );
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    const nodePath = `/api/v1/nodes/${world.nodeName}`;
    const ids = [
      world.wire.faults.add({ path: nodePath, method: 'PATCH', status: 500, count: 3 }),
      world.wire.faults.add({ path: '/api/v1/pods', method: 'GET', status: 503, count: 2 }),
      world.wire.faults.add({ path: EVICTION, method: 'POST', status: 500, count: 6 }),
      world.wire.faults.add({ path: nodePath, method: 'GET', latencyMs: 1000, count: 3 }),
    ];
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    const hits = ids.map((id) => world.wire.faults.hits(id));
    expect(hits[0]).toBe(3);
    expect(hits[2]).toBe(6);
    rec.figures.faultsInjected = hits.reduce((a, b) => a + b, 0);
    rec.outcome = 'each failed call retried; drained once';
  });

  it('429 with Retry-After on node patches and evictions: waits, then drains once', async () => {
    const rec = faultRecord('kube-api', '429 Retry-After: 1 s on node PATCH ×2 and eviction ×4');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    const nodePath = `/api/v1/nodes/${world.nodeName}`;
    const ids = [
      world.wire.faults.add({ path: nodePath, method: 'PATCH', status: 429, retryAfterSeconds: 1, count: 2 }),
      world.wire.faults.add({ path: EVICTION, method: 'POST', status: 429, retryAfterSeconds: 1, count: 4 }),
    ];
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    // Retry-After is honoured: the next node PATCH came at least ~1 s after the first 429
    const patches = world.wire.requests.entries({ method: 'PATCH', path: nodePath });
    const i429 = patches.findIndex((p) => p.status === 429);
    const nextOk = patches.slice(i429).find((p) => p.status === 200);
    expect(i429).toBeGreaterThanOrEqual(0);
    expect((nextOk?.at ?? 0) - (patches[i429]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    rec.figures.faultsInjected = ids.reduce((a, id) => a + world.wire.faults.hits(id), 0);
    rec.outcome = 'Retry-After honoured (≥ 0.9 s before the next patch); drained once';
  });

  it('pod watch streams cut every 300 ms mid-drain: drained once', async () => {
    const rec = faultRecord('kube-api', 'every watch stream cut every 300 ms during the drain');
    const daemon = await startDaemon({ env: imdsFaultEnv(world) });
    const deadline = Date.now() + 120_000;
    const noticeAt = Date.now();
    setSpotNotice(world, deadline);
    let cuts = 0;
    const timer = setInterval(() => {
      world.wire.faults.cutWatches(/\/pods$/);
      cuts++;
    }, 300);
    try {
      await daemon.waitForLog((l) => l.msg === 'drain started', 10_000);
      await expectDrainedOnce(world, daemon, rec, noticeAt, deadline);
    } finally {
      clearInterval(timer);
    }
    rec.figures.faultsInjected = cuts;
    rec.outcome = 'watch re-established after each cut; drained once';
  });
});
