/**
 * Story: a cluster with more pods than a list page (1,200 > kubectl's chunk of 500). The drain's list of one
 * node's pods must name every pod on it. A real kube-apiserver 1.24 answered a paged list by
 * spec.nodeName with only some of them and no continue token: the mass-queue-real bench saw nodes
 * reported drained with half their pods still Running. Runs on the simulator and the real server.
 */
import * as k8s from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { KubePodApi } from '../../src/kube/pod-api.js';
import { fakeNodeName, startKubeEnv, type KubeEnv } from '../helpers/kube-env.js';

const NODES = 120;
const PER_NODE = 10;
let env: KubeEnv;
let core: k8s.CoreV1Api;
const nodes = Array.from({ length: NODES }, (_, i) => fakeNodeName(`listed-${i}`));

beforeAll(async () => {
  env = await startKubeEnv({ startKubelet: false });
  core = env.kubeConfig.makeApiClient(k8s.CoreV1Api);
  // round-robin, as a scheduler spreads a big Deployment: each node's pods spread over the key order
  const names = Array.from({ length: NODES * PER_NODE }, (_, i) => i);
  for (let from = 0; from < names.length; from += 20) {
    await Promise.all(
      names.slice(from, from + 20).map((i) =>
        core.createNamespacedPod({
          namespace: env.namespace,
          body: {
            metadata: { name: `listed-${i}`, labels: { app: 'listed' } },
            spec: {
              nodeName: nodes[i % NODES],
              containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }],
            },
          },
        }),
      ),
    );
  }
}, 120_000);

afterAll(async () => {
  // no kubelet runs these nodes: delete at once, or the namespace waits for them
  await core
    ?.deleteCollectionNamespacedPod({
      namespace: env.namespace,
      gracePeriodSeconds: 0,
      labelSelector: 'app=listed',
    })
    .catch(() => undefined);
  await env?.stop();
}, 120_000);

it('lists every pod of a node when the cluster holds more pods than a page', async () => {
  const pods = new KubePodApi({
    kubeConfig: env.kubeConfig,
    core,
    apps: env.kubeConfig.makeApiClient(k8s.AppsV1Api),
  });
  for (const k of [0, 1, 7, NODES - 1]) {
    const { pods: listed } = await pods.listPods(nodes[k]!);
    const expected = Array.from({ length: PER_NODE }, (_, j) => `listed-${k + j * NODES}`).sort();
    expect(listed.map((p) => p.name).sort(), nodes[k]).toEqual(expected);
  }
});
