/**
 * Set-up of the surge-before-evict scenarios: Deployments made through the API, an actuator that can
 * surge (a real KubeNodeActuator with the Deployment adapter), and watches that record what a user
 * would see: the Deployment's available replicas over time, and when each pod turned Ready or started
 * terminating.
 */
import pino from 'pino';
import { Registry } from 'prom-client';
import {
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1Deployment,
  type V1Pod,
} from '@kubernetes/client-node';
import { systemClock } from '../../src/clock.js';
import { createMetrics, type Metrics } from '../../src/report/metrics.js';
import { SHUTDOWN_MS_ANNOTATION } from '../../src/sandbox/kubelet.js';
import { KubeNodeApi } from '../../src/kube/node-api.js';
import { KubePodApi } from '../../src/kube/pod-api.js';
import { KubeDeploymentApi } from '../../src/kube/deployment-api.js';
import { KubeNodeActuator } from '../../src/actions/kube-node-actuator.js';
import { DEFAULT_ACTUATOR_OPTIONS, type ActuatorOptions } from '../../src/actions/actuator-options.js';
import { isReady, waitUntil, type DrainEnv } from './drain-support.js';

/** A Deployment of one story. */
export interface DeploymentSpec {
  readonly name: string;
  readonly replicas: number;
  readonly maxSurge?: number | string;
  readonly maxUnavailable?: number | string;
  readonly strategy?: 'RollingUpdate' | 'Recreate';
  readonly paused?: boolean;
  readonly graceSeconds?: number;
  /** Annotations on the Deployment object. */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Creates the Deployment (pods `app=<name>`, 50 ms simulated shutdown) and waits until all its pods are Ready. */
export async function createDeployment(env: DrainEnv, spec: DeploymentSpec): Promise<void> {
  const labels = { app: spec.name };
  const strategy =
    spec.strategy === 'Recreate'
      ? { type: 'Recreate' }
      : {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: spec.maxSurge ?? 1, maxUnavailable: spec.maxUnavailable ?? 0 },
        };
  await env.apps.createNamespacedDeployment({
    namespace: env.namespace,
    body: {
      metadata: { name: spec.name, labels, annotations: { ...spec.annotations } },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: labels },
        strategy,
        template: {
          metadata: { labels, annotations: { [SHUTDOWN_MS_ANNOTATION]: '50' } },
          spec: {
            // only this env's fake nodes: a replacement never lands on another test's node
            nodeSelector: { ...env.nodeLabels },
            terminationGracePeriodSeconds: spec.graceSeconds ?? 30,
            containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }],
          },
        },
      },
    },
  });
  await waitUntil(
    `deployment ${spec.name} available`,
    async () => {
      const pods = await appPods(env, spec.name);
      return pods.length === spec.replicas && pods.every(isReady);
    },
    15_000,
  );
  if (spec.paused) {
    await env.apps.patchNamespacedDeployment(
      { name: spec.name, namespace: env.namespace, body: { spec: { paused: true } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

/** The pods of `app=<name>`. */
export async function appPods(env: DrainEnv, app: string): Promise<V1Pod[]> {
  const list = await env.core.listNamespacedPod({ namespace: env.namespace, labelSelector: `app=${app}` });
  return list.items;
}

/** A real actuator that can surge, with silent logs and its own metrics registry; cordons `node`. */
export async function surgeActuator(
  env: DrainEnv,
  node: string,
  options: Partial<ActuatorOptions> = {},
): Promise<{ actuator: KubeNodeActuator; metrics: Metrics }> {
  const metrics = createMetrics(new Registry(), { version: 't', mode: 't' }, { defaultMetrics: false });
  const deps = { kubeConfig: env.kc, core: env.core, apps: env.apps, counter: metrics };
  const actuator = new KubeNodeActuator({
    nodes: new KubeNodeApi(env.core, metrics),
    pods: new KubePodApi(deps),
    surgeApi: new KubeDeploymentApi(deps),
    clock: systemClock,
    logger: pino({ level: process.env['DRAIN_LOG'] ?? 'silent' }),
    metrics,
    options: { ...DEFAULT_ACTUATOR_OPTIONS, retryInitialMs: 100, retryMaxMs: 300, ...options },
  });
  await actuator.cordon(node);
  return { actuator, metrics };
}

/** What the watches saw. */
export interface Observed {
  /** Every status.availableReplicas the Deployment watch saw, in order. */
  readonly available: number[];
  /** Per pod UID: node, when first seen Ready, when first seen terminating or deleted (epoch ms). */
  readonly pods: Map<string, { name: string; node?: string; readyAt?: number; goingAt?: number }>;
  stop(): void;
}

/** Watches the Deployment and its pods (as a user's `kubectl get -w` would). */
export async function observe(env: DrainEnv, app: string): Promise<Observed> {
  const watch = new Watch(env.kc);
  const available: number[] = [];
  const pods: Observed['pods'] = new Map();
  const ns = env.namespace;
  const depWatch = await watch.watch(
    `/apis/apps/v1/namespaces/${ns}/deployments`,
    { fieldSelector: `metadata.name=${app}` },
    (_type, obj: V1Deployment) => available.push(obj.status?.availableReplicas ?? 0),
    () => undefined,
  );
  const podWatch = await watch.watch(
    `/api/v1/namespaces/${ns}/pods`,
    { labelSelector: `app=${app}` },
    (type, pod: V1Pod) => {
      const uid = pod.metadata?.uid ?? '';
      const seen = pods.get(uid) ?? { name: pod.metadata?.name ?? '' };
      const now = Date.now();
      if (pod.spec?.nodeName) seen.node = pod.spec.nodeName;
      if (isReady(pod) && !pod.metadata?.deletionTimestamp) seen.readyAt ??= now;
      if (type === 'DELETED' || pod.metadata?.deletionTimestamp) seen.goingAt ??= now;
      pods.set(uid, seen);
    },
    () => undefined,
  );
  // let both watches deliver their initial state
  await new Promise((r) => setTimeout(r, 300));
  return {
    available,
    pods,
    stop: () => {
      depWatch.abort();
      podWatch.abort();
    },
  };
}

/** The restartedAt annotation of the Deployment's pod template, if any. */
export async function restartedAt(env: DrainEnv, name: string): Promise<string | undefined> {
  const d = await env.apps.readNamespacedDeployment({ name, namespace: env.namespace });
  return d.spec?.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
}
