/** Builds the Kubernetes adapters src/actions/ needs from one (keep-alive, rate-limited) KubeConfig. */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { ApiRequestCounter } from './api-call.js';
import { KubeNodeApi } from './node-api.js';
import { KubePodApi } from './pod-api.js';
import { KubeDeploymentApi } from './deployment-api.js';

/** The node and pod adapters, sharing one config (and so one connection pool and rate limiter). */
export interface KubeAdapters {
  readonly nodes: KubeNodeApi;
  readonly pods: KubePodApi;
  /** Deployments, ReplicaSets and selected pods for surge-before-evict. */
  readonly deployments: KubeDeploymentApi;
}

/** Creates the adapters; `counter` is usually the Metrics object. */
export function createKubeAdapters(kubeConfig: KubeConfig, counter?: ApiRequestCounter): KubeAdapters {
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  return {
    nodes: new KubeNodeApi(core, counter),
    pods: new KubePodApi({ kubeConfig, core, apps, ...(counter ? { counter } : {}) }),
    deployments: new KubeDeploymentApi({ kubeConfig, core, apps, ...(counter ? { counter } : {}) }),
  };
}
