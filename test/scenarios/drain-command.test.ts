/**
 * Story: an operator runs `spot-handler drain NODE` with kubectl's flags against the API simulator (or
 * a real cluster with TEST_KUBECONFIG); the kubelet simulator, a separate client, finishes the pods.
 * Each test uses its own node names: on a real cluster, pods of an earlier test's namespace may still
 * be bound to its nodes while the namespace is deleted.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { podsOn, startDrainWorld, type DrainEnv, type DrainWorld } from './drain-support.js';

let env: DrainEnv | undefined;

afterEach(async () => {
  await env?.stop();
  env = undefined;
});

async function start(nodes: readonly string[], world: Omit<DrainWorld, 'nodes'>): Promise<DrainEnv> {
  env = await startDrainWorld({ nodes, ...world }, { nodeNames: nodes });
  return env;
}

async function drainCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const argv = ['drain', ...args, `--kubeconfig=${env?.kubeconfigPath ?? ''}`];
  const code = await runCli(argv, {}, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

/** The test's pods on the node that are not terminating. */
async function live(node: string): Promise<V1Pod[]> {
  return (await podsOn(env!, node)).filter(
    (p) => p.metadata?.namespace === env!.namespace && !p.metadata.deletionTimestamp,
  );
}

const names = (pods: readonly V1Pod[]): string[] => pods.map((p) => p.metadata?.name ?? '').sort();

describe('spot-handler drain NODE', () => {
  it('cordons, evicts every pod through its PDB, prints progress and exits 0', async () => {
    await start(['dc1a', 'dc1b'], {
      apps: [{ name: 'web', replicas: 6, nodes: ['dc1a', 'dc1a', 'dc1b'], shutdownMs: 50 }],
      pdbs: [{ name: 'web-pdb', app: 'web', maxUnavailable: 1 }],
    });
    const before = await live('dc1a');
    const first = before[0]?.metadata?.name ?? '';
    const { code, stdout, stderr } = await drainCli([
      'dc1a',
      '--ignore-daemonsets',
      '--delete-emptydir-data',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('node/dc1a cordoned');
    expect(stdout).toContain(`evicting pod ${env!.namespace}/${first}`);
    expect(stdout).toContain(`pod/${first} evicted`);
    expect(stdout).toMatch(
      new RegExp(
        `node/dc1a drained in [\\d.]+s \\(${before.length} evicted, 0 force-deleted, 0 remaining\\)`,
      ),
    );
    expect((await env!.core.readNode({ name: 'dc1a' })).spec?.unschedulable).toBe(true);
    expect(await live('dc1a')).toEqual([]);
  });

  it('a PDB that allows nothing: exit 1 after --timeout, naming the pods and the PDB', async () => {
    await start(['dc2a', 'dc2b'], {
      apps: [{ name: 'db', replicas: 2, nodes: ['dc2a', 'dc2b'], shutdownMs: 50 }],
      pdbs: [{ name: 'db-pdb', app: 'db', minAvailable: 2 }],
    });
    const stuck = names(await live('dc2a'));
    expect(stuck).toHaveLength(1);
    const { code, stdout, stderr } = await drainCli(['dc2a', '--timeout=2s']);
    expect(code).toBe(1);
    expect(stdout).toContain(`error when evicting pods/"${stuck[0]}" -n "${env!.namespace}" (will retry)`);
    expect(stderr).toMatch(/error: unable to drain node "dc2a": blocked after [\d.]+s/);
    expect(stderr).toMatch(new RegExp(`${env!.namespace}/${stuck[0]}\\s+pdb\\s+db-pdb`));
    expect(names(await live('dc2a'))).toEqual(stuck);
  });

  it('--pod-selector drains only the matching pods', async () => {
    await start(['dc3a', 'dc3b'], {
      apps: [
        { name: 'a', replicas: 2, nodes: ['dc3a'], shutdownMs: 50 },
        { name: 'b', replicas: 2, nodes: ['dc3a'], shutdownMs: 50 },
      ],
    });
    const before = await live('dc3a');
    const keep = before.filter((p) => p.metadata?.labels?.['app'] === 'b');
    const go = before.length - keep.length;
    expect(go).toBeGreaterThan(0);
    const { code, stdout } = await drainCli(['dc3a', '--pod-selector', 'app=a']);
    expect(code).toBe(0);
    expect(stdout).toContain(`(${go} evicted, 0 force-deleted, 0 remaining)`);
    const left = await live('dc3a');
    expect(left.map((p) => p.metadata?.uid).sort()).toEqual(keep.map((p) => p.metadata?.uid).sort());
  });

  it('--dry-run changes nothing and lists what would be evicted', async () => {
    await start(['dc4a'], { apps: [{ name: 'web', replicas: 2, nodes: ['dc4a'] }] });
    const before = names(await live('dc4a'));
    const { code, stdout } = await drainCli(['dc4a', '--dry-run=client']);
    expect(code).toBe(0);
    expect(stdout).toContain('node/dc4a cordoned (dry run)');
    for (const name of before) expect(stdout).toContain(`/${name} (ordinary) (dry run)`);
    expect((await env!.core.readNode({ name: 'dc4a' })).spec?.unschedulable ?? false).toBe(false);
    expect(names(await live('dc4a'))).toEqual(before);
  });

  it('an emptyDir pod without --delete-emptydir-data refuses the drain as kubectl does, naming the pod', async () => {
    await start(['dc6a'], {});
    await env!.core.createNamespacedPod({
      namespace: env!.namespace,
      body: {
        metadata: { name: 'cache', annotations: { 'sandbox.spot-handler/shutdown-ms': '50' } },
        spec: {
          nodeName: 'dc6a',
          containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
          volumes: [{ name: 'scratch', emptyDir: {} }],
        },
      },
    });
    const preview = await drainCli(['dc6a', '--dry-run', '--force']);
    expect(preview.code).toBe(1);
    expect(preview.stderr).toContain(
      `cannot delete Pods with local storage (use --delete-emptydir-data to override): ${env!.namespace}/cache`,
    );
    const { code, stderr } = await drainCli(['dc6a', '--force', '--timeout=10s']);
    expect(code).toBe(1);
    expect(stderr).toContain(`error: cannot delete Pods with local storage`);
    expect(names(await live('dc6a'))).toEqual(['cache']);
    const ok = await drainCli(['dc6a', '--force', '--delete-emptydir-data', '--timeout=10s']);
    expect(ok.code).toBe(0);
    expect(await live('dc6a')).toEqual([]);
  });

  it('--log-level=info ends with what the drain cost: one node write, its API requests, cordon to drained', async () => {
    await start(['dc7a'], { apps: [{ name: 'web', replicas: 3, nodes: ['dc7a'], shutdownMs: 50 }] });
    const pods = (await live('dc7a')).length;
    const { code, stderr } = await drainCli(['dc7a', '--log-level=info']);
    expect(code).toBe(0);
    const cost = stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l['msg'] === 'drain cost');
    expect(cost).toMatchObject({ node: 'dc7a', nodeWrites: 1 });
    // get + patch node, one list, one eviction per pod, the watch: no second list (the watch's view
    // catches pods that raced the cordon), no more
    expect(cost?.['apiRequests']).toBe(4 + pods);
    expect(cost?.['cordonToDrainedMs']).toBeGreaterThanOrEqual(0);
  });

  it('a node that does not exist: exit 1 with the error', async () => {
    await start(['dc5a'], {});
    const { code, stderr } = await drainCli(['dc5-nope']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/error: .*dc5-nope.*not found/);
  });
});
