/**
 * The Kubernetes access spot-handler needs, in one table: each client-node call the code makes mapped to
 * its RBAC grant, and the list of grants each mode needs under a given configuration. `spot-handler check`
 * asks the API server (SelfSubjectAccessReview) for every entry of `kubeAccessNeeded`;
 * test/unit/security/rbac.test.ts derives the calls from the code through `KUBE_CALL_GRANTS` and checks
 * that the code, this list and the chart's (Cluster)Role agree.
 */
import type { Config } from '../config/config-types.js';

/** client-node `Class.method` → `group/resource:verb`. A call missing here fails the RBAC test: add it. */
export const KUBE_CALL_GRANTS: Readonly<Record<string, string>> = {
  'CoreV1Api.readNode': '/nodes:get',
  'CoreV1Api.listNode': '/nodes:list',
  'CoreV1Api.patchNode': '/nodes:patch',
  'CoreV1Api.replaceNode': '/nodes:update',
  'CoreV1Api.patchNodeStatus': '/nodes/status:patch',
  'CoreV1Api.readNamespacedPod': '/pods:get',
  'CoreV1Api.listNamespacedPod': '/pods:list',
  'CoreV1Api.listPodForAllNamespaces': '/pods:list',
  'CoreV1Api.deleteNamespacedPod': '/pods:delete',
  'CoreV1Api.createNamespacedPodEviction': '/pods/eviction:create',
  'CoreV1Api.createNamespacedEvent': '/events:create',
  'CoreV1Api.patchNamespacedEvent': '/events:patch',
  'EventsV1Api.createNamespacedEvent': 'events.k8s.io/events:create',
  'EventsV1Api.patchNamespacedEvent': 'events.k8s.io/events:patch',
  'AppsV1Api.readNamespacedDaemonSet': 'apps/daemonsets:get',
  'AppsV1Api.readNamespacedReplicaSet': 'apps/replicasets:get',
  'AppsV1Api.readNamespacedDeployment': 'apps/deployments:get',
  'AppsV1Api.patchNamespacedDeployment': 'apps/deployments:patch',
  'CoordinationV1Api.readNamespacedLease': 'coordination.k8s.io/leases:get',
  'CoordinationV1Api.createNamespacedLease': 'coordination.k8s.io/leases:create',
  'CoordinationV1Api.replaceNamespacedLease': 'coordination.k8s.io/leases:update',
  'AuthorizationV1Api.createSelfSubjectAccessReview': 'authorization.k8s.io/selfsubjectaccessreviews:create',
};

/** One verb on one resource (optionally in a namespace, on a named object), and why it is needed. */
export interface KubeAccess {
  readonly group: string;
  /** `pods`, or a subresource as `pods/eviction`. */
  readonly resource: string;
  readonly verb: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly why: string;
}

/** `group/resource:verb`, the form the RBAC test compares. */
export function grantKey(access: Pick<KubeAccess, 'group' | 'resource' | 'verb'>): string {
  return `${access.group}/${access.resource}:${access.verb}`;
}

/** What a mode needs under this configuration (the check's SelfSubjectAccessReview itself excluded). */
export function kubeAccessNeeded(config: Config): KubeAccess[] {
  const core = (resource: string, verb: string, why: string): KubeAccess => ({
    group: '',
    resource,
    verb,
    why,
  });
  const out: KubeAccess[] = [
    core('nodes', 'get', 'read the node to act on'),
    core('nodes', 'patch', 'taint, label and cordon the node'),
    core('nodes/status', 'patch', 'set the node condition'),
    core('pods', 'list', 'find the pods to drain'),
    core('pods', 'watch', 'wait for evicted pods to go'),
    core('pods/eviction', 'create', 'evict pods'),
    { group: 'apps', resource: 'daemonsets', verb: 'get', why: 'tell DaemonSet pods apart' },
    // surge-before-evict (docs/surge-before-evict.md): the pod's owner, then a rollout restart
    { group: 'apps', resource: 'replicasets', verb: 'get', why: "find a pod's Deployment (surge)" },
    { group: 'apps', resource: 'deployments', verb: 'get', why: 'read the Deployment (surge)' },
    { group: 'apps', resource: 'deployments', verb: 'patch', why: 'surge the Deployment before evicting' },
  ];
  if (config.drain.forceAtDeadline) out.push(core('pods', 'delete', 'delete pods at the deadline'));
  if (config.node.emitKubernetesEvents) {
    out.push({ group: 'events.k8s.io', resource: 'events', verb: 'create', why: 'record Kubernetes Events' });
  }
  if (config.mode === 'queue') {
    out.push(core('nodes', 'list', 'index nodes by instance id'));
    out.push(core('nodes', 'watch', 'keep the node index current'));
    if (config.queue.leaderElect) {
      const lease = {
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: config.queue.leaseNamespace,
      };
      out.push({ ...lease, verb: 'create', why: 'create the leader Lease' });
      out.push({ ...lease, verb: 'get', name: config.queue.leaseName, why: 'read the leader Lease' });
      out.push({ ...lease, verb: 'update', name: config.queue.leaseName, why: 'renew the leader Lease' });
    }
  }
  return out;
}
