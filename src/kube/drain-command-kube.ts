/**
 * The Kubernetes adapters of `spot-handler drain` (src/commands/drain-command.ts): keep-alive,
 * rate-limited client-node from --kubeconfig / KUBECONFIG. Loaded only when the command runs.
 */
import type { NodeApi, PodApi } from '../actions/kube-ports.js';
import type { ApiRequestCounter } from './api-call.js';

/** What the drain command connects with. */
export interface DrainKubeOptions {
  readonly kubeconfigPath?: string;
  /** --pod-selector: only pods matching this label selector are drained. */
  readonly podSelector?: string;
  /** Counts every request (the command reports the total). */
  readonly counter?: ApiRequestCounter;
}

/** Node and pod ports on the real API, and how to release their connections. */
export interface DrainKube {
  readonly nodes: NodeApi;
  readonly pods: PodApi;
  close(): void;
}

/** Builds the node and pod adapters for one drain command. */
export async function connectDrainKube(options: DrainKubeOptions): Promise<DrainKube> {
  const [{ loadKubeConfig }, { RateLimiter }, { systemClock }, { KubeNodeApi }, { KubePodApi }, k8s] =
    await Promise.all([
      import('./kube-config.js'),
      import('./rate-limiter.js'),
      import('../clock.js'),
      import('./node-api.js'),
      import('./pod-api.js'),
      import('./drain-command-apis.js'),
    ]);
  const kubeConfig = loadKubeConfig({
    ...(options.kubeconfigPath !== undefined && { kubeconfigPath: options.kubeconfigPath }),
    rateLimiter: new RateLimiter(systemClock),
  });
  const core = kubeConfig.makeApiClient(k8s.CoreV1Api);
  const apps = kubeConfig.makeApiClient(k8s.AppsV1Api);
  return {
    nodes: new KubeNodeApi(core, options.counter),
    pods: new KubePodApi({
      kubeConfig,
      core,
      apps,
      ...(options.counter !== undefined && { counter: options.counter }),
      ...(options.podSelector !== undefined && { labelSelector: options.podSelector }),
    }),
    close: () => kubeConfig.destroy(),
  };
}
