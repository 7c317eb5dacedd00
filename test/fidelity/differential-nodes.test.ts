/**
 * Differential fidelity, nodes: the daemon's node requests in the daemon's order (get, merge patch with
 * resourceVersion, stale resourceVersion → 409, nodes/status condition patch, uncordon with null) plus the
 * shapes kubectl sends (strategic merge, JSON patch), sent through the daemon's own adapters
 * (src/kube/node-api.ts, node-index.ts) and raw HTTP, to the simulator and, with TEST_KUBECONFIG, to a
 * real API server. Status codes and every field the daemon reads must match step by step.
 */
import * as k8s from '@kubernetes/client-node';
import { KubeNodeApi } from '../../src/kube/node-api.js';
import { kubeNodeListWatch, type NodeWatchEvent } from '../../src/kube/node-index.js';
import { waitFor, type FidelityTarget, type RawResponse } from './fidelity-targets.js';
import { differentialSuite } from './differential-suite.js';
import { Transcript, statusFields } from './transcript.js';

const NOT_READY = 'node.kubernetes.io/not-ready';
const TTL = 'node.alpha.kubernetes.io/ttl';

function errorOf(err: unknown): Record<string, unknown> {
  return { error: err instanceof Error ? err.constructor.name : typeof err, message: String(err) };
}

async function attempt<T>(fn: () => Promise<T>): Promise<T | Record<string, unknown>> {
  try {
    return await fn();
  } catch (err) {
    return errorOf(err);
  }
}

function readyStatus(nowIso: string): Record<string, unknown> {
  return {
    capacity: { cpu: '2', memory: '8Gi', pods: '110' },
    allocatable: { cpu: '2', memory: '8Gi', pods: '110' },
    conditions: [
      {
        type: 'Ready',
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: nowIso,
        lastTransitionTime: nowIso,
      },
    ],
  };
}

const MERGE_PATCH = 'application/merge-patch+json';
const JSON_PATCH = 'application/json-patch+json';

/** What the transcript keeps of a refused call: the status and the Status body's fields. */
function refusal(r: RawResponse): { status: number; body: unknown } {
  return { status: r.status, body: statusFields(r.body) };
}

async function nodeScenario(t: FidelityTarget): Promise<Transcript> {
  const tr = new Transcript(t.name);
  const node = `fid-${Math.random().toString(36).slice(2, 8)}.ec2.internal`;
  tr.token(node, 'NODE');
  const nodes = new KubeNodeApi(t.kc.makeApiClient(k8s.CoreV1Api));
  const path = `/api/v1/nodes/${node}`;
  const patch = (body: unknown, contentType: string): Promise<RawResponse> =>
    t.raw('PATCH', path, body, contentType);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  try {
    const created = await t.raw('POST', '/api/v1/nodes', {
      metadata: { name: node, labels: { 'node.kubernetes.io/instance-type': 'm5.large' } },
      spec: { providerID: 'aws:///us-east-1a/i-0123456789abcdef0' },
    });
    const spec = created.body?.['spec'] as Record<string, unknown> | undefined;
    tr.record('create node', { status: created.status, taints: spec?.['taints'] });
    const ready = await t.raw(
      'PATCH',
      `${path}/status`,
      { status: readyStatus(now) },
      'application/merge-patch+json',
    );
    const status = ready.body?.['status'] as Record<string, unknown> | undefined;
    tr.record('kubelet-style status patch', { status: ready.status, conditions: status?.['conditions'] });
    // controllers: node lifecycle lifts the not-ready taint once the node is Ready; TTL annotates
    await waitFor('the not-ready taint to go and the TTL annotation', async () => {
      const n = await nodes.getNode(node);
      const settled = n && !n.taints.some((x) => x.key === NOT_READY) && n.annotations[TTL] !== undefined;
      return settled ? true : undefined;
    });
    const first = await nodes.getNode(node);
    tr.record('get node (daemon)', first);
    const rv1 = first?.resourceVersion ?? '';
    const marked = await attempt(() =>
      nodes.patchNode(node, {
        metadata: {
          resourceVersion: rv1,
          labels: { 'spot-handler/state': 'noticed' },
          annotations: { 'spot-handler/event-id': 'e-1' },
        },
        spec: { taints: [{ key: 'spot-handler/spot-interruption', value: 'e-1', effect: 'NoSchedule' }] },
      }),
    );
    tr.record('merge patch with resourceVersion (daemon)', marked);
    tr.record(
      'merge patch with a stale resourceVersion (daemon)',
      await attempt(() => nodes.patchNode(node, { metadata: { resourceVersion: rv1, labels: { a: 'b' } } })),
    );
    const staleRaw = await patch({ metadata: { resourceVersion: rv1, labels: { a: 'b' } } }, MERGE_PATCH);
    tr.record('merge patch with a stale resourceVersion (body)', refusal(staleRaw));
    const smp = await patch({ spec: { unschedulable: true } }, 'application/strategic-merge-patch+json');
    const smpSpec = smp.body?.['spec'] as Record<string, unknown> | undefined;
    tr.record('strategic merge patch: cordon (kubectl)', {
      status: smp.status,
      unschedulable: smpSpec?.['unschedulable'],
      taints: smpSpec?.['taints'],
    });
    const cordoned = await waitFor('the unschedulable taint', async () => {
      const n = await nodes.getNode(node);
      return n?.taints.some((x) => x.key === 'node.kubernetes.io/unschedulable') ? n : undefined;
    });
    tr.record('node lifecycle controller taints the cordoned node', cordoned.taints);
    const rv2 = cordoned.resourceVersion;
    const jp = await patch(
      [
        { op: 'test', path: '/metadata/resourceVersion', value: rv2 },
        { op: 'add', path: '/metadata/labels/spot-handler~1kind', value: 'spot-interruption' },
      ],
      JSON_PATCH,
    );
    const jpMeta = jp.body?.['metadata'] as Record<string, unknown> | undefined;
    tr.record('JSON patch with a test op', { status: jp.status, labels: jpMeta?.['labels'] });
    const jpStale = await patch(
      [
        { op: 'test', path: '/metadata/resourceVersion', value: rv2 },
        { op: 'add', path: '/metadata/labels/x', value: 'y' },
      ],
      JSON_PATCH,
    );
    tr.record('JSON patch whose test op fails', refusal(jpStale));
    const jpObject = await patch({ spec: { unschedulable: false } }, JSON_PATCH);
    tr.record('JSON patch content type with an object body', refusal(jpObject));
    const before = await nodes.getNode(node);
    const condition = {
      type: 'SpotHandlerInterruption',
      status: 'True',
      reason: 'Cordoned',
      message: 'cordoned for e-1',
      lastTransitionTime: now,
      lastHeartbeatTime: now,
    };
    tr.record(
      'nodes/status merge patch of conditions (daemon)',
      await attempt(() =>
        nodes.patchNodeStatus(node, {
          metadata: { resourceVersion: before?.resourceVersion ?? '' },
          status: { conditions: [...(before?.conditions ?? []), condition] },
        }),
      ),
    );
    tr.record(
      'nodes/status patch with a stale resourceVersion (daemon)',
      await attempt(() =>
        nodes.patchNodeStatus(node, {
          metadata: { resourceVersion: before?.resourceVersion ?? '' },
          status: { conditions: [condition] },
        }),
      ),
    );
    const specViaStatus = await t.raw(
      'PATCH',
      `${path}/status`,
      { spec: { unschedulable: false }, metadata: { labels: { via: 'status' } } },
      'application/merge-patch+json',
    );
    const svs = specViaStatus.body as { spec?: { unschedulable?: boolean }; metadata?: { labels?: object } };
    tr.record('nodes/status patch ignores spec, keeps labels?', {
      status: specViaStatus.status,
      unschedulable: svs.spec?.unschedulable,
      labels: svs.metadata?.labels,
    });
    const statusViaMain = await t.raw(
      'PATCH',
      path,
      { status: { conditions: [] } },
      'application/merge-patch+json',
    );
    const svm = statusViaMain.body as { status?: { conditions?: unknown[] } };
    tr.record('main patch ignores status', {
      status: statusViaMain.status,
      conditions: svm.status?.conditions?.length,
    });
    const current = await nodes.getNode(node);
    tr.record(
      'uncordon and unmark with nulls (daemon)',
      await attempt(() =>
        nodes.patchNode(node, {
          metadata: {
            resourceVersion: current?.resourceVersion ?? '',
            labels: { 'spot-handler/state': null, 'spot-handler/kind': null, via: null },
            annotations: { 'spot-handler/event-id': null },
          },
          spec: { unschedulable: null, taints: [] },
        }),
      ),
    );
    tr.record('get missing node (daemon)', await nodes.getNode(`${node}-missing`));
    const missing = await t.raw('GET', `${path}-missing`);
    tr.record('get missing node (body)', refusal(missing));
    await listAndWatch(t, tr, node);
  } finally {
    await t.raw('DELETE', path);
  }
  return tr;
}

/** The node index's list + watch (src/kube/node-index.ts) sees a change to our node. */
async function listAndWatch(t: FidelityTarget, tr: Transcript, node: string): Promise<void> {
  const lw = kubeNodeListWatch(t.kc);
  const listed = await lw.list();
  tr.record('node index list', {
    ours: listed.nodes.filter((n) => n.nodeName === node),
    resourceVersion: listed.resourceVersion,
  });
  const seen: NodeWatchEvent[] = [];
  const controller = new AbortController();
  const watching = lw.watch(listed.resourceVersion, (e) => seen.push(e), controller.signal);
  await t.raw(
    'PATCH',
    `/api/v1/nodes/${node}`,
    { metadata: { labels: { w: '1' } } },
    'application/merge-patch+json',
  );
  const ev = await waitFor('the watch to see the label', () =>
    Promise.resolve(
      seen.find((e) => e.type === 'MODIFIED' && e.node.nodeName === node && e.node.labels['w']),
    ),
  );
  controller.abort();
  await watching;
  tr.record('node index watch from the list resourceVersion', ev);
}

differentialSuite(
  'differential: node requests',
  nodeScenario,
  {
    'create node': 201,
    'merge patch with a stale resourceVersion (body)': 409,
    'JSON patch content type with an object body': 400,
    'get missing node (body)': 404,
  },
  90_000,
);
