import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCluster } from '../../src/sandbox/cluster-builder.js';
import type { KubeEnv } from '../helpers/kube-env.js';
import { fakeNodeName, startKubeEnv } from '../helpers/kube-env.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);
const A = fakeNodeName('ip-10-0-0-1.ec2.internal');
const B = fakeNodeName('ip-10-0-0-2.ec2.internal');

let env: KubeEnv;

async function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(KUBECTL, ['--kubeconfig', env.kubeconfigPath, ...args], { timeout: 20_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

function podsOn(node: string): string[] {
  return env.api!.store.list('pods', { nodeName: node }).map((p) => p.metadata.name ?? '');
}

describe.skipIf(!existsSync(KUBECTL))('kubectl against the simulator', () => {
  beforeEach(async () => {
    env = await startKubeEnv({ kubelet: { defaultShutdownMs: 50 } });
  });
  afterEach(async () => {
    await env.stop();
  });

  it('gets nodes, cordons and uncordons', async () => {
    await buildCluster(env.kubeConfig, { nodes: [A, B] });
    const nodes = await kubectl('get', 'nodes');
    expect(nodes.code).toBe(0);
    expect(nodes.out).toContain(A);
    expect(nodes.out).toContain(B);
    expect((await kubectl('cordon', A)).out).toContain(`node/${A} cordoned`);
    expect(env.api!.store.get('nodes', '', A)?.spec?.['unschedulable']).toBe(true);
    const cordoned = await kubectl(
      'get',
      'nodes',
      '--field-selector',
      'spec.unschedulable=true',
      '-o',
      'name',
    );
    expect(cordoned.out.trim()).toBe(`node/${A}`);
    expect((await kubectl('uncordon', A)).out).toContain(`node/${A} uncordoned`);
    expect(env.api!.store.get('nodes', '', A)?.spec?.['unschedulable']).toBeUndefined();
  });

  it('drains a node with DaemonSet, emptyDir, unmanaged and PDB-covered pods', async () => {
    await buildCluster(env.kubeConfig, {
      nodes: [A, B],
      deployments: [{ name: 'web', replicas: 3, nodes: [A, A, B], emptyDir: true, shutdownMs: 50 }],
      daemonSets: [{ name: 'logs' }],
      pods: [{ name: 'loner', node: A, shutdownMs: 50 }],
      pdbs: [{ name: 'web-pdb', selector: { app: 'web' }, minAvailable: 1 }],
    });
    const r = await kubectl(
      'drain',
      A,
      '--ignore-daemonsets',
      '--delete-emptydir-data',
      '--force',
      '--timeout=25s',
    );
    expect(r.err + r.out).toContain(`node/${A} drained`);
    expect(r.code).toBe(0);
    expect(podsOn(A)).toEqual(['logs-00000']);
    expect(podsOn(B).filter((n) => n.startsWith('web-'))).toHaveLength(3);
  });

  it('reports a blocking PDB with kubectl’s own message and times out', async () => {
    await buildCluster(env.kubeConfig, {
      nodes: [A, B],
      deployments: [{ name: 'web', replicas: 2, nodes: [A] }],
      pdbs: [{ name: 'web-pdb', selector: { app: 'web' }, minAvailable: 2 }],
    });
    const r = await kubectl('drain', A, '--ignore-daemonsets', '--timeout=4s');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(env.api!.store.get('nodes', '', A)?.spec?.['unschedulable']).toBe(true);
    expect(podsOn(A)).toHaveLength(2);
  });

  it('streams pod updates with get -w', async () => {
    await buildCluster(env.kubeConfig, { nodes: [A], pods: [{ name: 'listed', node: A }] });
    const child = spawn(KUBECTL, ['--kubeconfig', env.kubeconfigPath, 'get', 'pods', '-w', '--no-headers']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const seen = async (name: string): Promise<boolean> => {
        const until = Date.now() + 8000;
        while (!out.includes(name) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
        return out.includes(name);
      };
      expect(await seen('listed')).toBe(true);
      await buildCluster(env.kubeConfig, { nodes: [], pods: [{ name: 'watched', node: A }] });
      expect(await seen('watched')).toBe(true);
    } finally {
      child.kill();
    }
  });
});
