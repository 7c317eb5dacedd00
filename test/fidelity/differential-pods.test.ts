/**
 * Differential fidelity, pods and leases: the daemon's drain requests in its order (list by spec.nodeName,
 * watch from the list resourceVersion, policy/v1 eviction with a UID precondition: 201, 429 with a PDB,
 * a Pending pod under a PDB, 500 with two PDBs, 404; delete with a UID precondition) and the leader
 * Lease (create, update, conflicts), through the daemon's adapters (src/kube/pod-api.ts, lease-store.ts)
 * and raw HTTP for Status bodies, on the simulator and, with TEST_KUBECONFIG, a real API server.
 */
import * as k8s from '@kubernetes/client-node';
import { expect } from 'vitest';
import type { PodWatchEvent } from '../../src/actions/kube-types.js';
import { KubeLeaseStore } from '../../src/kube/lease-store.js';
import { KubePodApi } from '../../src/kube/pod-api.js';
import { waitFor, type FidelityTarget } from './fidelity-targets.js';
import { differentialSuite } from './differential-suite.js';
import { Transcript, statusFields } from './transcript.js';

async function attempt<T>(fn: () => Promise<T>): Promise<unknown> {
  try {
    return (await fn()) ?? 'ok';
  } catch (err) {
    return { error: err instanceof Error ? err.constructor.name : typeof err, message: String(err) };
  }
}

function pod(name: string, node: string, app: string): Record<string, unknown> {
  return {
    metadata: { name, labels: { app } },
    // no kubelet heartbeats this node: on a real server it goes unreachable after ~40 s and the taint
    // manager evicts pods that do not tolerate NoExecute (a loaded run lost web-0 that way)
    spec: {
      nodeName: node,
      containers: [{ name: 'c', image: 'busybox' }],
      tolerations: [{ operator: 'Exists', effect: 'NoExecute' }],
    },
  };
}

async function podScenario(t: FidelityTarget): Promise<Transcript> {
  const tr = new Transcript(t.name);
  const ns = t.namespace;
  const node = `fid-${Math.random().toString(36).slice(2, 8)}.ec2.internal`;
  tr.token(node, 'NODE');
  tr.token(ns, 'NS');
  const core = t.kc.makeApiClient(k8s.CoreV1Api);
  const pods = new KubePodApi({ kubeConfig: t.kc, core, apps: t.kc.makeApiClient(k8s.AppsV1Api) });
  const base = `/api/v1/namespaces/${ns}`;
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await t.raw('POST', '/api/v1/nodes', { metadata: { name: node } });
  try {
    for (const name of ['web-0', 'web-1', 'web-2'])
      await t.raw('POST', `${base}/pods`, pod(name, node, 'web'));
    await t.raw('POST', `${base}/pods`, pod('pending-0', node, 'pend'));
    for (const name of ['web-0', 'web-1', 'web-2']) {
      const r = await t.raw(
        'PATCH',
        `${base}/pods/${name}/status`,
        {
          status: {
            phase: 'Running',
            conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }],
          },
        },
        'application/merge-patch+json',
      );
      expect(r.status, r.text).toBe(200);
    }
    const pdb = (name: string, app: string, minAvailable: number): Record<string, unknown> => ({
      metadata: { name },
      spec: { minAvailable, selector: { matchLabels: { app } } },
    });
    await t.raw('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, pdb('web-pdb', 'web', 2));
    await t.raw('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, pdb('pend-pdb', 'pend', 1));
    const pdbStatus = await waitFor('PDB status', async () => {
      const r = await t.raw('GET', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets/web-pdb`);
      const st = r.body?.['status'] as Record<string, unknown> | undefined;
      return st?.['disruptionsAllowed'] === 1 ? st : undefined;
    });
    tr.record('PDB status after pods are Running+Ready', pdbStatus);

    const listed = await pods.listPods(node);
    const byName = [...listed.pods].sort((a, b) => a.name.localeCompare(b.name));
    tr.record('list pods on the node (daemon)', { pods: byName, resourceVersion: listed.resourceVersion });
    const uid = (name: string): string => byName.find((p) => p.name === name)?.uid ?? '';
    const seen: PodWatchEvent[] = [];
    const controller = new AbortController();
    const watching = pods.watchPods(node, listed.resourceVersion, (e) => seen.push(e), controller.signal);

    const sel = await t.raw(
      'GET',
      `/api/v1/pods?fieldSelector=spec.nodeName%3D${node}&labelSelector=app%3Dweb&limit=2`,
    );
    const items = (sel.body?.['items'] as { metadata: { name: string } }[] | undefined) ?? [];
    const selMeta = sel.body?.['metadata'] as Record<string, unknown> | undefined;
    tr.record('list with field and label selectors, limit 2', {
      status: sel.status,
      names: items.map((i) => i.metadata.name),
      hasContinue: typeof selMeta?.['continue'] === 'string',
      remainingItemCount: selMeta?.['remainingItemCount'],
    });
    const bad = await t.raw('GET', `/api/v1/pods?fieldSelector=metadata.labels.app%3Dweb`);
    tr.record('unsupported field selector', { status: bad.status, body: statusFields(bad.body) });

    const evict = (name: string, podUid: string): Promise<{ status: number; body: unknown }> =>
      t
        .raw('POST', `${base}/pods/${name}/eviction`, {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace: ns },
          deleteOptions: { preconditions: { uid: podUid } },
        })
        .then((r) => ({ status: r.status, body: statusFields(r.body) }));
    const ref = (name: string): { namespace: string; name: string; uid: string } => ({
      namespace: ns,
      name,
      uid: uid(name),
    });
    tr.record('evict allowed (daemon)', await attempt(() => pods.evictPod(ref('web-0'), 30)));
    tr.record('evict blocked by the PDB (daemon)', await attempt(() => pods.evictPod(ref('web-1'), 30)));
    tr.record('evict blocked by the PDB (body)', await evict('web-1', uid('web-1')));
    tr.record('evict a Pending pod under a PDB', await evict('pending-0', uid('pending-0')));
    tr.record(
      'evict with a stale UID precondition',
      await evict('web-2', 'ffffffff-0000-4000-8000-000000000000'),
    );
    tr.record('evict a missing pod', await evict('nope', 'ffffffff-0000-4000-8000-000000000000'));
    await t.raw('POST', `/apis/policy/v1/namespaces/${ns}/poddisruptionbudgets`, pdb('web-pdb-2', 'web', 1));
    tr.record('evict with two PDBs', await evict('web-2', uid('web-2')));
    tr.record('evict with two PDBs (daemon)', await attempt(() => pods.evictPod(ref('web-2'), 30)));
    tr.record(
      'delete with a stale UID precondition (daemon)',
      await attempt(() =>
        pods.deletePod({ ...ref('web-2'), uid: 'ffffffff-0000-4000-8000-000000000000' }, 0),
      ),
    );
    tr.record(
      'delete with the UID precondition (daemon)',
      await attempt(() => pods.deletePod(ref('web-2'), 0)),
    );
    tr.record('DaemonSet lookup, missing (daemon)', await pods.daemonSetExists(ns, 'nope'));
    await waitFor('the watch to see web-2 deleted', () =>
      Promise.resolve(seen.find((e) => e.type === 'DELETED' && e.pod.name === 'web-2')),
    );
    controller.abort();
    await watching;
    tr.record(
      'watch from the list resourceVersion (daemon)',
      seen.map((e) => ({
        type: e.type,
        name: e.pod.name,
        terminating: e.pod.deletionTimestampMs !== undefined,
        hasRv: e.resourceVersion !== undefined,
      })),
    );
  } finally {
    for (const name of ['web-0', 'web-1', 'web-2', 'pending-0']) {
      await t.raw('DELETE', `${base}/pods/${name}?gracePeriodSeconds=0`);
    }
    await t.raw('DELETE', `/api/v1/nodes/${node}`);
  }
  await leaseScenario(t, tr);
  return tr;
}

async function leaseScenario(t: FidelityTarget, tr: Transcript): Promise<void> {
  const store = new KubeLeaseStore(t.kc, t.namespace, 'spot-handler-leader');
  const spec = (holder: string, transitions: number): Parameters<KubeLeaseStore['create']>[0] => ({
    holderIdentity: holder,
    leaseDurationSeconds: 15,
    acquireTimeMs: Date.parse('2026-12-07T10:00:00.123Z'),
    renewTimeMs: Date.parse('2026-12-07T10:00:05.456Z'),
    leaseTransitions: transitions,
  });
  tr.record('get missing lease (daemon)', await attempt(() => store.get()));
  const created = await store.create(spec('a', 0));
  tr.record('create lease (daemon)', created);
  tr.record('create lease again (daemon)', await attempt(() => store.create(spec('b', 0))));
  tr.record(
    'update lease (daemon)',
    await attempt(() => store.replace(spec('a', 0), created.resourceVersion)),
  );
  tr.record(
    'update lease with a stale resourceVersion (daemon)',
    await attempt(() => store.replace(spec('b', 1), created.resourceVersion)),
  );
  const raw = await t.raw(
    'GET',
    `/apis/coordination.k8s.io/v1/namespaces/${t.namespace}/leases/spot-handler-leader`,
  );
  const rawSpec = raw.body?.['spec'] as Record<string, unknown> | undefined;
  tr.record('lease times on the wire', {
    acquireTime: rawSpec?.['acquireTime'],
    renewTime: rawSpec?.['renewTime'],
  });
}

differentialSuite(
  'differential: pod, eviction and lease requests',
  podScenario,
  {
    'evict blocked by the PDB (body)': 429,
    'evict a Pending pod under a PDB': 201,
    'evict with two PDBs': 500,
    'evict a missing pod': 404,
  },
  120_000,
);
