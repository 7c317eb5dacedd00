/** The chart's RBAC grants exactly the Kubernetes API calls listed in docs/plan/contracts.md. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { only, queueValues, renderChart, ROOT } from './helm.js';
import type { K8sObject } from './helm.js';

/** contracts.md "Kubernetes API calls the code makes", as group/resource:verb (pods delete handled apart). */
const CONTRACT_CLUSTER_RULES = [
  '/nodes:get',
  '/nodes:patch',
  '/nodes/status:patch',
  '/pods:list',
  '/pods:watch',
  '/pods/eviction:create',
  'apps/daemonsets:get',
  'apps/replicasets:get',
  'apps/deployments:get',
  'apps/deployments:patch',
  'events.k8s.io/events:create',
  // spot-handler check (helm test) runs a SelfSubjectAccessReview per grant
  'authorization.k8s.io/selfsubjectaccessreviews:create',
];
/** Queue mode also lists and watches nodes (the node index). */
const QUEUE_NODE_RULES = ['/nodes:list', '/nodes:watch'];
const EVENT_RULES = CONTRACT_CLUSTER_RULES.filter((r) => r.includes('events'));
const LEASE_RULES = [
  'coordination.k8s.io/leases:create',
  'coordination.k8s.io/leases:get',
  'coordination.k8s.io/leases:update',
];

function grants(role: K8sObject): string[] {
  const out: string[] = [];
  for (const rule of role.rules as { apiGroups: string[]; resources: string[]; verbs: string[] }[]) {
    for (const group of rule.apiGroups)
      for (const resource of rule.resources)
        for (const verb of rule.verbs) out.push(`${group}/${resource}:${verb}`);
  }
  return out.sort();
}

const sorted = (list: readonly string[]): string[] => [...list].sort();

describe.concurrent('RBAC', () => {
  it('is still derived from the contract text (update this test with contracts.md)', () => {
    const contracts = readFileSync(join(ROOT, 'docs/plan/contracts.md'), 'utf8');
    for (const phrase of [
      'nodes: get, patch, and list, watch (queue mode: the node index); nodes/status: patch; pods: list, watch, delete',
      'pods/eviction: create; events (events.k8s.io): create; apps daemonsets: get',
      'apps replicasets: get and deployments: get, patch (surge-before-evict)',
      'coordination.k8s.io leases: get, create, update (queue mode)',
    ]) {
      expect(contracts.replace(/\s+/g, ' ')).toContain(phrase);
    }
  });

  it('grants the contract list plus pods delete by default (forced deletion at the deadline is on)', async () => {
    const role = only(await renderChart(), 'ClusterRole');
    expect(grants(role)).toEqual(sorted([...CONTRACT_CLUSTER_RULES, '/pods:delete']));
  });

  it('leaves out pods delete when forced deletion and the eviction fallback are both off', async () => {
    const role = only(await renderChart({ drain: { forceAtDeadline: false } }), 'ClusterRole');
    expect(grants(role)).toEqual(sorted(CONTRACT_CLUSTER_RULES));
  });

  it('grants pods delete for the eviction fallback alone', async () => {
    const values = { drain: { forceAtDeadline: false }, rbac: { evictionFallbackDelete: true } };
    expect(grants(only(await renderChart(values), 'ClusterRole'))).toContain('/pods:delete');
  });

  it('leaves out events when Kubernetes Events are off', async () => {
    const values = { drain: { forceAtDeadline: false }, node: { emitKubernetesEvents: false } };
    const role = only(await renderChart(values), 'ClusterRole');
    expect(grants(role)).toEqual(sorted(CONTRACT_CLUSTER_RULES.filter((r) => !EVENT_RULES.includes(r))));
  });

  it('has no lease Role in IMDS mode', async () => {
    const objects = await renderChart();
    expect(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('grants leases in the release namespace only in queue mode, get/update limited to our Lease', async () => {
    const objects = await renderChart(queueValues());
    const role = only(objects, 'Role');
    expect(role.metadata.namespace).toBe('kube-system');
    expect(grants(role)).toEqual(LEASE_RULES);
    const named = (role.rules as { verbs: string[]; resourceNames?: string[] }[]).filter((r) =>
      r.verbs.includes('get'),
    );
    expect(named.map((r) => r.resourceNames)).toEqual([['sh-spot-handler-leader']]);
    expect(grants(only(objects, 'ClusterRole'))).not.toContain('coordination.k8s.io/leases:get');
    const binding = only(objects, 'RoleBinding');
    expect(binding.roleRef.name).toBe(role.metadata.name);
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'sh-spot-handler', namespace: 'kube-system' },
    ]);
  });

  it('queue mode also lists and watches nodes for its node index', async () => {
    const role = only(await renderChart(queueValues()), 'ClusterRole');
    expect(grants(role)).toEqual(sorted([...CONTRACT_CLUSTER_RULES, ...QUEUE_NODE_RULES, '/pods:delete']));
  });

  it('has no lease Role when leader election is off', async () => {
    const objects = await renderChart(queueValues({ leaderElection: { enabled: false } }));
    expect(objects.some((o) => o.kind === 'Role')).toBe(false);
  });

  it('binds the ClusterRole to the ServiceAccount the pods use', async () => {
    const objects = await renderChart(queueValues());
    const binding = only(objects, 'ClusterRoleBinding');
    const sa = only(objects, 'ServiceAccount');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'ClusterRole',
      name: only(objects, 'ClusterRole').metadata.name,
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: sa.metadata.name, namespace: 'kube-system' },
    ]);
    expect(only(objects, 'Deployment').spec.template.spec.serviceAccountName).toBe(sa.metadata.name);
  });
});
