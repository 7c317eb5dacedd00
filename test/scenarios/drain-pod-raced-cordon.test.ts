/**
 * Story: a pod is bound to the node while it is being drained (the scheduler bound it before it saw the
 * cordon, or it names the node itself). The drain acts on it too, from its one watch (no second list),
 * and says the node is drained only when that pod is gone as well. Runs on the simulator and the real
 * server.
 */
import { afterEach, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { SHUTDOWN_MS_ANNOTATION } from '../../src/sandbox/kubelet.js';
import { fakeNodeName } from '../helpers/kube-env.js';
import { podsOn, startDrainWorld, type DrainEnv } from './drain-support.js';

const NODE = fakeNodeName('raced');
const SPARE = fakeNodeName('raced-spare');
let env: DrainEnv | undefined;

afterEach(async () => {
  await env?.stop();
  env = undefined;
});

it('evicts a pod bound to the node during the drain, and reports drained only once it is gone', async () => {
  env = await startDrainWorld({
    nodes: [NODE, SPARE],
    apps: [{ name: 'slow', replicas: 2, nodes: [NODE, NODE], shutdownMs: 1500 }],
  });
  const e = env;
  let stdout = '';
  let firstEvicted: () => void = () => undefined;
  const evicting = new Promise<void>((resolve) => (firstEvicted = resolve));
  const print = (text: string): void => {
    stdout += text;
    if (text.includes('evicting pod')) firstEvicted(); // "pod/x evicted" comes only once x is gone
  };
  const argv = ['drain', NODE, '--force', `--kubeconfig=${e.kubeconfigPath}`];
  const drained = runCli(argv, {}, { stdout: print, stderr: print });
  // the first pods are being evicted (they take 1.5 s to stop) when the late pod is bound to the node
  await evicting;
  await e.core.createNamespacedPod({
    namespace: e.namespace,
    body: {
      metadata: { name: 'late', annotations: { [SHUTDOWN_MS_ANNOTATION]: '50' } },
      spec: { nodeName: NODE, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] },
    },
  });
  expect(await drained).toBe(0);
  expect(stdout).toContain(`evicting pod ${e.namespace}/late`);
  expect(stdout).toMatch(/node\/\S+ drained in [\d.]+s \(3 evicted, 0 force-deleted, 0 remaining\)/);
  const left = (await podsOn(e, NODE)).filter((p) => p.metadata?.namespace === e.namespace);
  expect(left.map((p) => p.metadata?.name)).toEqual([]);
}, 60_000);
