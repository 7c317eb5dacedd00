import * as k8s from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildCluster, seedSimulator } from '../../../src/sandbox/cluster-builder.js';
import { kubeConfigForUrl } from '../../../src/sandbox/kube-api/client-config.js';
import type { KubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';
import { startKubeApiSimulator } from '../../../src/sandbox/kube-api/server.js';

let sim: KubeApiSimulator;
beforeEach(async () => {
  sim = await startKubeApiSimulator();
});
afterEach(async () => {
  await sim.stop();
});

const spec = {
  nodes: 3,
  deployments: [
    { name: 'web', replicas: 4, terminationGracePeriodSeconds: 20, emptyDir: true, shutdownMs: 50 },
  ],
  daemonSets: [{ name: 'logs' }],
  pods: [
    { name: 'kube-proxy-a', namespace: 'kube-system', node: 'ip-10-0-0-1.ec2.internal', mirror: true },
    { name: 'loner', node: 'ip-10-0-0-2.ec2.internal', priorityClassName: 'system-cluster-critical' },
  ],
  pdbs: [{ name: 'web-pdb', selector: { app: 'web' }, minAvailable: 3 }],
};

describe('buildCluster', () => {
  it('creates Ready spot nodes, owned pods, mirror and unmanaged pods, and PDBs through the API', async () => {
    const built = await buildCluster(sim.url, spec);
    expect(built.nodes.map((n) => n.name)).toEqual([
      'ip-10-0-0-1.ec2.internal',
      'ip-10-0-0-2.ec2.internal',
      'ip-10-0-0-3.ec2.internal',
    ]);
    expect(built.nodes[0]!.providerId).toMatch(/^aws:\/\/\/us-east-1a\/i-[0-9a-f]{17}$/);
    const core = kubeConfigForUrl(sim.url).makeApiClient(k8s.CoreV1Api);
    const node = await core.readNode({ name: 'ip-10-0-0-1.ec2.internal' });
    expect(node.metadata?.labels).toMatchObject({
      'node.kubernetes.io/lifecycle': 'spot',
      'eks.amazonaws.com/capacityType': 'SPOT',
    });
    expect(node.spec?.taints).toBeUndefined();
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(built.pods).toHaveLength(4 + 3 + 2);
    const onFirst = await core.listPodForAllNamespaces({
      fieldSelector: 'spec.nodeName=ip-10-0-0-1.ec2.internal',
    });
    const kinds = onFirst.items.map((p) => p.metadata?.ownerReferences?.[0]?.kind ?? 'none').sort();
    expect(kinds).toEqual(['DaemonSet', 'Node', 'ReplicaSet', 'ReplicaSet']);
    const web = onFirst.items.find((p) => p.metadata?.ownerReferences?.[0]?.kind === 'ReplicaSet')!;
    expect(web.spec?.terminationGracePeriodSeconds).toBe(20);
    expect(web.spec?.volumes?.[0]?.emptyDir).toEqual({});
    expect(web.status?.phase).toBe('Running');
    const rs = sim.store.get('apps/replicasets', 'default', web.metadata!.ownerReferences![0]!.name)!;
    expect(rs.metadata.uid).toBe(web.metadata!.ownerReferences![0]!.uid);
    const loner = await core.readNamespacedPod({ name: 'loner', namespace: 'default' });
    expect(loner.spec?.priority).toBe(2000000000);
    await new Promise((r) => setImmediate(r));
    const pdb = sim.store.get('policy/poddisruptionbudgets', 'default', 'web-pdb')!;
    expect(pdb.status).toMatchObject({
      currentHealthy: 4,
      desiredHealthy: 3,
      disruptionsAllowed: 1,
      expectedPods: 4,
    });
  });
});

describe('seedSimulator', () => {
  // 1,000 nodes × 20 pods is the benchmark size; a fifth of it keeps this file fast on a shared machine
  it('loads 200 nodes and 4,000 pods quickly and keeps the nodeName index fast', async () => {
    const t0 = performance.now();
    const built = seedSimulator(sim, { nodes: 200, deployments: [{ name: 'bulk', replicas: 4000 }] });
    const seedMs = performance.now() - t0;
    expect(built.pods).toHaveLength(4000);
    expect(sim.store.count('pods')).toBe(4000);
    const core = kubeConfigForUrl(sim.url).makeApiClient(k8s.CoreV1Api);
    // the fastest of five lists: one list alone can lose 200 ms to a busy machine, five rarely all do
    let listMs = Infinity;
    for (let i = 0; i < 5; i++) {
      const t1 = performance.now();
      const list = await core.listPodForAllNamespaces({
        fieldSelector: `spec.nodeName=${built.nodes[7]!.name}`,
      });
      listMs = Math.min(listMs, performance.now() - t1);
      expect(list.items).toHaveLength(20);
    }
    expect(seedMs).toBeLessThan(5000);
    expect(listMs).toBeLessThan(200);
    console.log(JSON.stringify({ seedMs: Math.round(seedMs), listByNodeMs: Math.round(listMs) }));
  });
});
