/** Client settings for talking to the simulator: a client-node KubeConfig and a kubeconfig file body. */
import * as k8s from '@kubernetes/client-node';

/** A KubeConfig for a plain-HTTP server URL with a bearer token (any token works on the simulator). */
export function kubeConfigForUrl(url: string, token = 'sandbox-token'): k8s.KubeConfig {
  const kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'sandbox', server: url, skipTLSVerify: true }],
    users: [{ name: 'sandbox', token }],
    contexts: [{ name: 'sandbox', cluster: 'sandbox', user: 'sandbox', namespace: 'default' }],
    currentContext: 'sandbox',
  });
  return kc;
}

/** kubeconfig YAML (JSON is valid YAML) that kubectl and the daemon can read. */
export function kubeconfigFileText(url: string, token = 'sandbox-token'): string {
  return JSON.stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'sandbox', cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'sandbox', user: { token } }],
      contexts: [{ name: 'sandbox', context: { cluster: 'sandbox', user: 'sandbox', namespace: 'default' } }],
      'current-context': 'sandbox',
    },
    null,
    2,
  );
}
