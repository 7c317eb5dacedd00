/**
 * drain-110: one node with 110 pods from 5 Deployments (pods exit 100 ms after SIGTERM); our drain vs
 * `kubectl drain --ignore-daemonsets --delete-emptydir-data --force` against the same API simulator,
 * alternating, 5 runs each. Prints medians. A minimal kubelet stand-in finishes deletions.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { Registry } from 'prom-client';
import { CoreV1Api, Watch, type V1Pod } from '@kubernetes/client-node';
import { systemClock } from '../src/clock.js';
import { createMetrics } from '../src/report/metrics.js';
import { startKubeApiSimulator } from '../src/sandbox/kube-api/server.js';
import { kubeconfigFileText } from '../src/sandbox/kube-api/client-config.js';
import { loadKubeConfig } from '../src/kube/kube-config.js';
import { RateLimiter } from '../src/kube/rate-limiter.js';
import { createKubeAdapters } from '../src/kube/adapters.js';
import { KubeNodeActuator } from '../src/actions/node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS } from '../src/actions/actuator-options.js';

const run = promisify(execFile);
const PODS = 110;
const RUNS = 5;

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

async function seed(core: CoreV1Api, node: string): Promise<void> {
  await core.createNode({ body: { metadata: { name: node } } });
  await Promise.all(
    Array.from({ length: PODS }, (_, i) =>
      core.createNamespacedPod({
        namespace: 'default',
        body: {
          metadata: {
            name: `${node}-app${i % 5}-${i}`,
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'ReplicaSet',
                name: `app${i % 5}`,
                uid: `rs${i % 5}`,
                controller: true,
              },
            ],
          },
          spec: {
            nodeName: node,
            terminationGracePeriodSeconds: 30,
            containers: [{ name: 'c', image: 'x' }],
          },
        },
      }),
    ),
  );
}

/** Runs the benchmark. */
export default async function drain110(): Promise<void> {
  const sim = await startKubeApiSimulator({ replicaSetController: false, scheduler: 'none' });
  const kc = loadKubeConfig({ server: { url: sim.url }, rateLimiter: new RateLimiter(systemClock) });
  const core = kc.makeApiClient(CoreV1Api);
  const dir = mkdtempSync(join(tmpdir(), 'drain-110-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kubeconfigFileText(sim.url));
  const seen = new Set<string>();
  const kubelet = await new Watch(kc).watch(
    '/api/v1/pods',
    {},
    (_t, pod: V1Pod) => {
      const uid = pod.metadata?.uid ?? '';
      if (!pod.metadata?.deletionTimestamp || seen.has(uid)) return;
      seen.add(uid);
      setTimeout(() => {
        void core
          .deleteNamespacedPod({
            name: pod.metadata!.name!,
            namespace: pod.metadata!.namespace!,
            gracePeriodSeconds: 0,
          })
          .catch(() => undefined);
      }, 100);
    },
    () => undefined,
  );
  const metrics = createMetrics(
    new Registry(),
    { version: 'bench', mode: 'bench' },
    { defaultMetrics: false },
  );
  const { nodes, pods } = createKubeAdapters(kc, metrics);
  const actuator = new KubeNodeActuator({
    nodes,
    pods,
    clock: systemClock,
    logger: pino({ level: 'silent' }),
    metrics,
    options: DEFAULT_ACTUATOR_OPTIONS,
  });
  const ours: number[] = [];
  const kubectl: number[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      const a = `ours-${i}`;
      await seed(core, a);
      let t = performance.now();
      await actuator.cordon(a);
      const result = await actuator.drain({
        nodeName: a,
        kind: 'spot-interruption',
        eventId: a,
        deadlineMs: Date.now() + 120_000,
        urgent: true,
        signal: new AbortController().signal,
      });
      ours.push((performance.now() - t) / 1000);
      if (result.result !== 'succeeded') throw new Error(`our drain ${result.result}`);
      const b = `kubectl-${i}`;
      await seed(core, b);
      t = performance.now();
      await run('kubectl', [
        '--kubeconfig',
        kubeconfig,
        'drain',
        b,
        '--ignore-daemonsets',
        '--delete-emptydir-data',
        '--force',
        '--timeout=120s',
      ]);
      kubectl.push((performance.now() - t) / 1000);
    }
  } finally {
    kubelet.abort();
    kc.destroy();
    await sim.stop();
  }
  const o = median(ours);
  const k = median(kubectl);
  console.log(
    JSON.stringify({
      bench: 'drain-110',
      ours_s: +o.toFixed(3),
      kubectl_s: +k.toFixed(3),
      ratio: +(o / k).toFixed(3),
      runs: RUNS,
      ours_all: ours.map((v) => +v.toFixed(3)),
      kubectl_all: kubectl.map((v) => +v.toFixed(3)),
    }),
  );
}
