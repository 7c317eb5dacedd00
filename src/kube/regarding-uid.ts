/**
 * The uid of the object an Event is about (a Node, or a Deployment for surge Events), read from the API:
 * `kubectl describe` selects Events by uid. In its own file so that the RBAC derivation sees only
 * these reads here (events-adapter.ts only creates Events).
 */
import { AppsV1Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { KubeEventBody } from '../report/kube-event-body.js';

/** The uid of the object an Event is about; undefined when it cannot be read. */
export type RegardingUid = (regarding: KubeEventBody['regarding']) => Promise<string | undefined>;

/** Reads the uid with a GET of the Node or Deployment; any error gives undefined (the Event goes out anyway). */
export function regardingUidReader(kc: KubeConfig): RegardingUid {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  return async (r) => {
    try {
      const obj =
        r.kind === 'Node'
          ? await core.readNode({ name: r.name })
          : await apps.readNamespacedDeployment({ name: r.name, namespace: r.namespace ?? 'default' });
      return obj.metadata?.uid;
    } catch {
      return undefined;
    }
  };
}
