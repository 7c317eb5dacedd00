/**
 * The daemon variant of drain-110-real: the IMDS daemon as the image runs it (the test bundle of the
 * current src/ with the Dockerfile's V8 flags, so interpreted: ADR 0007) on one node of the real control
 * plane, one spot notice per run. Measured from the cordon (a node watch sees `unschedulable`) to the
 * last original pod gone (a pod watch from the list before the notice): the "the daemon from
 * cordon to last pod gone". The daemon keeps running between runs, as on a node (its first run also
 * loads the Kubernetes client, before the cordon); after each run the node is made new again.
 */
import {
  PatchStrategy,
  setHeaderOptions,
  Watch,
  type CoreV1Api,
  type V1Node,
  type V1Pod,
} from '@kubernetes/client-node';
import type { KeepAliveKubeConfig } from '../src/kube/kube-config.js';
import { startImdsServer } from '../src/sandbox/imds-server.js';
import { DOCKER_NODE_FLAGS, startDaemon } from '../test/helpers/daemon.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** One daemon on one node; `run` drains it once (its pods made by `fill`) and returns cordon → gone in s. */
export interface DaemonVariant {
  readonly node: string;
  run(fill: () => Promise<void>): Promise<number>;
  stop(): Promise<void>;
}

/** Clears what the daemon put on the node (marks, taint, cordon, conditions), as if it were new. */
async function resetNode(core: CoreV1Api, node: string): Promise<void> {
  const current = await core.readNode({ name: node });
  const nulls = (o: Record<string, string> | undefined): Record<string, null> =>
    Object.fromEntries(
      Object.keys(o ?? {})
        .filter((k) => k.startsWith('spot-handler/'))
        .map((k) => [k, null]),
    );
  await core.patchNode(
    {
      name: node,
      body: {
        metadata: {
          labels: nulls(current.metadata?.labels),
          annotations: nulls(current.metadata?.annotations),
        },
        spec: { unschedulable: null, taints: null },
      },
    },
    MERGE_PATCH,
  );
}

/** Starts the IMDS simulator and the daemon for a new node `node` (created here). */
export async function startDaemonVariant(
  kc: KeepAliveKubeConfig,
  core: CoreV1Api,
  kubeconfigPath: string,
  node: string,
  namespace: string,
): Promise<DaemonVariant> {
  await core.createNode({ body: { metadata: { name: node } } });
  const imds = await startImdsServer({ identity: { localIpv4: '10.0.9.9' } });
  const daemon = await startDaemon(
    {
      entry: 'auto',
      nodeFlags: DOCKER_NODE_FLAGS,
      env: {
        NODE_NAME: node,
        KUBECONFIG: kubeconfigPath,
        AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.url,
        POD_NAME: `spot-handler-${node}`,
        POD_NAMESPACE: namespace,
        LOG_FORMAT: 'json',
      },
    },
    30_000,
  ).catch(async (err: unknown) => {
    await imds.stop();
    throw err;
  });
  let runs = 0;
  const base = Date.now() + 600_000;
  return {
    node,
    async run(fill) {
      await fill();
      const list = await core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${node}` });
      const left = new Set(list.items.map((p) => p.metadata?.uid ?? ''));
      let cordonAt = 0;
      let goneAt = 0;
      const watches = await Promise.all([
        new Watch(kc).watch(
          `/api/v1/nodes`,
          { fieldSelector: `metadata.name=${node}` },
          (_t, n: V1Node) => {
            if (n.spec?.unschedulable && cordonAt === 0) cordonAt = performance.now();
          },
          () => undefined,
        ),
        new Watch(kc).watch(
          '/api/v1/pods',
          { fieldSelector: `spec.nodeName=${node}`, resourceVersion: list.metadata?.resourceVersion },
          (type, pod: V1Pod) => {
            if (type === 'DELETED') left.delete(pod.metadata?.uid ?? '');
            if (left.size === 0 && goneAt === 0) goneAt = performance.now();
          },
          () => undefined,
        ),
      ]);
      try {
        // a notice two minutes ahead, as EC2 gives: the pods' 30 s grace fits
        imds.setSpotAction('terminate', new Date(base + runs * 1000).toISOString().replace(/\.\d+Z$/, 'Z'));
        const ended = runs++;
        const actionEnd = Date.now() + 120_000;
        while (daemon.logsWith('node action ended').length <= ended) {
          if (Date.now() > actionEnd) throw new Error(`daemon run on ${node}: the action did not end`);
          await new Promise((r) => setTimeout(r, 50));
        }
        const end = Date.now() + 10_000;
        while (goneAt === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
        if (cordonAt === 0 || goneAt === 0) throw new Error(`daemon run on ${node}: no cordon or pods left`);
        return (goneAt - cordonAt) / 1000;
      } finally {
        for (const w of watches) w.abort();
        imds.clearNotices();
        await new Promise((r) => setTimeout(r, 1500)); // the poller sees 404 again
        await resetNode(core, node);
      }
    },
    async stop() {
      await daemon.stop();
      await imds.stop();
      await core.deleteNode({ name: node }).catch(() => undefined);
    },
  };
}
