import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import type { KubeletSimulator } from '../../../src/sandbox/kubelet.js';
import { SHUTDOWN_MS_ANNOTATION, startKubeletSimulator } from '../../../src/sandbox/kubelet.js';

let sim: KubeApiSimulator;
let kubelet: KubeletSimulator;
let core: k8s.CoreV1Api;

async function waitFor(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(async () => {
  sim = await startKubeApiSimulator();
  core = kubeConfigForUrl(sim.url).makeApiClient(k8s.CoreV1Api);
  await core.createNode({ body: { metadata: { name: 'n1' } } });
  kubelet = await startKubeletSimulator({ url: sim.url, nodeNames: ['n1'], defaultShutdownMs: 100 });
});
afterEach(async () => {
  await kubelet.stop();
  await sim.stop();
});

function podOn(name: string, shutdownMs: number, grace: number): k8s.V1Pod {
  return {
    metadata: { name, annotations: { [SHUTDOWN_MS_ANNOTATION]: String(shutdownMs) } },
    spec: { nodeName: 'n1', terminationGracePeriodSeconds: grace, containers: [{ name: 'c', image: 'x' }] },
  };
}

const stored = (name: string) => sim.store.get('pods', 'default', name);
const isReady = (name: string) =>
  (stored(name)?.status?.['conditions'] as { type: string; status: string }[] | undefined)?.some(
    (c) => c.type === 'Ready' && c.status === 'True',
  ) ?? false;

describe('kubelet simulator', () => {
  it('makes its node Ready and removes the not-ready taint', async () => {
    await waitFor(() => {
      const node = sim.store.get('nodes', '', 'n1');
      const ready = (node?.status?.['conditions'] as { type: string; status: string }[] | undefined)?.some(
        (c) => c.type === 'Ready' && c.status === 'True',
      );
      return ready === true && node?.spec?.['taints'] === undefined;
    });
    expect(sim.store.get('nodes', '', 'n1')?.status?.['allocatable']).toMatchObject({ pods: '110' });
  });

  it('runs new pods on its node and ignores other nodes', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: podOn('a', 0, 30) });
    await core.createNamespacedPod({
      namespace: 'default',
      body: { ...podOn('b', 0, 30), spec: { nodeName: 'n2', containers: [{ name: 'c' }] } },
    });
    await waitFor(() => isReady('a'));
    expect(stored('a')?.status?.['phase']).toBe('Running');
    expect(stored('a')?.status?.['podIP']).toMatch(/^10\./);
    await new Promise((r) => setTimeout(r, 50));
    expect(stored('b')?.status?.['phase']).toBe('Pending');
  });

  it('finishes a terminating pod after its shutdown time, not before', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: podOn('slow', 400, 30) });
    await waitFor(() => isReady('slow'));
    const t0 = Date.now();
    await core.deleteNamespacedPod({ name: 'slow', namespace: 'default' });
    await new Promise((r) => setTimeout(r, 200));
    expect(stored('slow')?.metadata.deletionTimestamp).toBeDefined();
    await waitFor(() => stored('slow') === undefined);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(390);
    const rec = kubelet.terminations().find((r) => r.name === 'slow');
    expect(rec).toMatchObject({ killed: false, shutdownMs: 400, graceSeconds: 30 });
    expect(rec!.finishedAt! - rec!.sigtermAt).toBeGreaterThanOrEqual(390);
  });

  it('kills a pod at its grace period when its shutdown would take longer', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: podOn('stubborn', 60_000, 1) });
    await waitFor(() => isReady('stubborn'));
    await core.deleteNamespacedPod({ name: 'stubborn', namespace: 'default' });
    await waitFor(() => stored('stubborn') === undefined, 3000);
    const rec = kubelet.terminations().find((r) => r.name === 'stubborn');
    expect(rec?.killed).toBe(true);
    expect(rec!.finishedAt! - rec!.sigtermAt).toBeGreaterThanOrEqual(990);
    expect(rec!.finishedAt! - rec!.sigtermAt).toBeLessThan(2000);
  });

  it('records one termination per pod: the echo of its own grace-0 delete adds none', async () => {
    await core.createNamespacedPod({ namespace: 'default', body: podOn('once', 50, 30) });
    await core.createNamespacedPod({ namespace: 'default', body: podOn('capped', 60_000, 1) });
    await waitFor(() => isReady('once') && isReady('capped'));
    await core.deleteNamespacedPod({ name: 'once', namespace: 'default' });
    await core.deleteNamespacedPod({ name: 'capped', namespace: 'default' });
    await waitFor(() => stored('once') === undefined && stored('capped') === undefined);
    await new Promise((r) => setTimeout(r, 100)); // let late watch events arrive
    await kubelet.idle();
    const recs = kubelet
      .terminations()
      .map((r) => ({ name: r.name, killed: r.killed, grace: r.graceSeconds }));
    expect(recs).toEqual([
      { name: 'once', killed: false, grace: 30 },
      { name: 'capped', killed: true, grace: 1 },
    ]);
  });
});
