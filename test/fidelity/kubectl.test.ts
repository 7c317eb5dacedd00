/**
 * kubectl (the real binary) against our API: get, cordon/uncordon, drain with DaemonSet, emptyDir,
 * unmanaged and PDB-covered pods, a PDB that blocks, and `get -w`. Runs on the simulator and, with
 * TEST_KUBECONFIG, on a real API server (through the recording proxy), built with the world builder.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeNodeName } from '../helpers/kube-env.js';
import {
  createApp,
  createDaemonSet,
  createNodes,
  createPdb,
  createPod,
  podsOn as podsOnNode,
  waitSettled,
} from '../helpers/world-builder.js';
import { startDrainEnv, type DrainEnv } from '../scenarios/drain-support.js';

const KUBECTL = '/usr/bin/kubectl';
const run = promisify(execFile);
const A = fakeNodeName('ip-10-0-0-1.ec2.internal');
const B = fakeNodeName('ip-10-0-0-2.ec2.internal');

let env: DrainEnv;

async function kubectl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await run(KUBECTL, ['--kubeconfig', env.kubeconfigPath, ...args], { timeout: 20_000 });
    return { code: 0, out: r.stdout, err: r.stderr };
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof x.code === 'number' ? x.code : 1, out: x.stdout ?? '', err: x.stderr ?? '' };
  }
}

/** Names of the pods on `node` that are not terminating. */
async function podsOn(node: string): Promise<string[]> {
  const pods = await podsOnNode(env, node);
  return pods.filter((p) => !p.metadata?.deletionTimestamp).map((p) => p.metadata?.name ?? '');
}

async function unschedulable(node: string): Promise<boolean | undefined> {
  return (await env.core.readNode({ name: node })).spec?.unschedulable;
}

describe.skipIf(!existsSync(KUBECTL))('kubectl against our API', () => {
  beforeEach(async () => {
    env = await startDrainEnv();
  });
  afterEach(async () => {
    await env.stop();
  });

  it('gets nodes, cordons and uncordons', async () => {
    await createNodes(env, [A, B]);
    const nodes = await kubectl('get', 'nodes');
    expect(nodes.code).toBe(0);
    expect(nodes.out).toContain(A);
    expect(nodes.out).toContain(B);
    expect((await kubectl('cordon', A)).out).toContain(`node/${A} cordoned`);
    expect(await unschedulable(A)).toBe(true);
    // only this env's nodes: other test files share a real cluster
    const own = Object.entries(env.nodeLabels).map(([k, v]) => `${k}=${v}`);
    const cordoned = await kubectl(
      ...['get', 'nodes', '-l', own.join(','), '--field-selector', 'spec.unschedulable=true', '-o', 'name'],
    );
    expect(cordoned.out.trim()).toBe(`node/${A}`);
    expect((await kubectl('uncordon', A)).out).toContain(`node/${A} uncordoned`);
    expect(await unschedulable(A)).toBeUndefined();
  });

  it('drains a node with DaemonSet, emptyDir, unmanaged and PDB-covered pods', async () => {
    await createNodes(env, [A, B]);
    await createApp(env, { name: 'web', replicas: 3, nodes: [A, A, B], emptyDir: true, shutdownMs: 50 });
    const logs = await createDaemonSet(env, 'logs', [A, B]);
    await createPod(env, A, { name: 'loner' });
    await createPdb(env, { name: 'web-pdb', app: 'web', minAvailable: 1 });
    await waitSettled(env);
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
    expect(await podsOn(A)).toEqual([logs.get(A)]);
    expect((await podsOn(B)).filter((n) => n.startsWith('web-'))).toHaveLength(3);
  });

  it('reports a blocking PDB with kubectl’s own message and times out', async () => {
    await createNodes(env, [A, B]);
    await createApp(env, { name: 'web', replicas: 2, nodes: [A] });
    await createPdb(env, { name: 'web-pdb', app: 'web', minAvailable: 2 });
    await waitSettled(env);
    const r = await kubectl('drain', A, '--ignore-daemonsets', '--timeout=4s');
    expect(r.code).not.toBe(0);
    expect(r.err).toContain("Cannot evict pod as it would violate the pod's disruption budget");
    expect(await unschedulable(A)).toBe(true);
    expect(await podsOn(A)).toHaveLength(2);
  });

  it('streams pod updates with get -w', async () => {
    await createNodes(env, [A]);
    await createPod(env, A, { name: 'listed' });
    const child = spawn(KUBECTL, [
      '--kubeconfig',
      env.kubeconfigPath,
      ...['get', 'pods', '-n', env.namespace, '-w', '--no-headers'],
    ]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      const seen = async (name: string): Promise<boolean> => {
        const until = Date.now() + 8000;
        while (!out.includes(name) && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
        return out.includes(name);
      };
      expect(await seen('listed')).toBe(true);
      await createPod(env, A, { name: 'watched' });
      expect(await seen('watched')).toBe(true);
    } finally {
      child.kill();
    }
  });
});
