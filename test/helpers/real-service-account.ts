/**
 * A ServiceAccount on a real control plane (TEST_KUBECONFIG) bound to the chart's own RBAC: the
 * rendered ClusterRole (and, in queue mode, the leader-election Role, moved into the test's namespace),
 * optionally with one verb taken away. `kubeconfigPath` holds a TokenRequest token for it, pointing
 * straight at the real API server (no proxy), so every answer, 401 and 403 included, is the server's own.
 * `grant` puts the taken verb back, as an operator fixing the Role would.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { renderChart, type K8sObject } from '../unit/packaging/helm.js';

/** One RBAC rule as the chart renders it. */
export interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
  readonly resourceNames?: string[];
}

/** The verb taken away from the chart's rules. */
export interface Missing {
  readonly group: string;
  readonly resource: string;
  readonly verb: string;
}

/** `rules` without `missing.verb` on `missing.resource` (a rule naming several resources is split). */
export function withoutVerb(rules: readonly Rule[], missing: Missing): Rule[] {
  return rules.flatMap((r) => {
    const hit =
      r.apiGroups.includes(missing.group) &&
      r.resources.includes(missing.resource) &&
      r.verbs.includes(missing.verb);
    if (!hit) return [r];
    const others = r.resources.filter((x) => x !== missing.resource);
    const verbs = r.verbs.filter((v) => v !== missing.verb);
    return [
      ...(others.length > 0 ? [{ ...r, resources: others }] : []),
      ...(verbs.length > 0 ? [{ ...r, resources: [missing.resource], verbs }] : []),
    ];
  });
}

/** A ServiceAccount with the chart's RBAC on the real server. */
export interface RealServiceAccount {
  /** Namespace of the ServiceAccount (and of the leader-election Role in queue mode). */
  readonly namespace: string;
  /** A kubeconfig with the ServiceAccount's token, straight to the real API server. */
  readonly kubeconfigPath: string;
  /** The Lease name the chart's Role allows (queue mode), for LEASE_NAME. */
  readonly leaseName: string | undefined;
  /** Gives back the verb taken away: the chart's rules in full. */
  grant(): Promise<void>;
  /** A kubeconfig with a token the server does not accept (a 401 on every call). */
  badTokenKubeconfig(): string;
  stop(): Promise<void>;
}

/**
 * Creates a namespace, a ServiceAccount and the chart's RBAC for `values` (rendered with helm) bound to
 * it, less `missing`; returns a token kubeconfig. `realKubeconfig` is an admin kubeconfig.
 */
export async function realServiceAccount(options: {
  readonly realKubeconfig: string;
  readonly values: object;
  readonly missing?: Missing;
}): Promise<RealServiceAccount> {
  const admin = new k8s.KubeConfig();
  admin.loadFromFile(options.realKubeconfig);
  const core = admin.makeApiClient(k8s.CoreV1Api);
  const rbac = admin.makeApiClient(k8s.RbacAuthorizationV1Api);
  const ns = `spot-handler-sa-${Math.random().toString(36).slice(2, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'real-sa-'));
  const sa = 'spot-handler';
  const subjects = [{ kind: 'ServiceAccount', name: sa, namespace: ns }];
  const objects = await renderChart(options.values);
  const clusterRole = objects.find((o) => o.kind === 'ClusterRole') as K8sObject;
  const role = objects.find((o) => o.kind === 'Role');
  const fullRules = clusterRole.rules as Rule[];
  const fullRoleRules = (role?.rules ?? []) as Rule[];
  const less = (rules: Rule[]) => (options.missing ? withoutVerb(rules, options.missing) : rules);

  await core.createNamespace({ body: { metadata: { name: ns } } });
  await core.createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: sa } } });
  await rbac.createClusterRole({ body: { metadata: { name: ns }, rules: less(fullRules) } });
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: ns },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: ns },
      subjects,
    },
  });
  if (role) {
    await rbac.createNamespacedRole({
      namespace: ns,
      body: { metadata: { name: 'leader-election' }, rules: less(fullRoleRules) },
    });
    await rbac.createNamespacedRoleBinding({
      namespace: ns,
      body: {
        metadata: { name: 'leader-election' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'leader-election' },
        subjects,
      },
    });
  }
  // a token from the TokenRequest API, as the kubelet mounts one in the pod
  const token = execFileSync(
    'kubectl',
    ['--kubeconfig', options.realKubeconfig, '-n', ns, 'create', 'token', sa, '--duration', '1h'],
    { encoding: 'utf8' },
  ).trim();
  const writeKubeconfig = (file: string, userToken: string): string => {
    const kc = new k8s.KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...admin.getCurrentCluster()!, name: 'real' }],
      users: [{ name: 'sa', token: userToken }],
      contexts: [{ name: 'sa', cluster: 'real', user: 'sa' }],
      currentContext: 'sa',
    });
    const path = join(dir, file);
    writeFileSync(path, kc.exportConfig(), { mode: 0o600 });
    return path;
  };
  const leaseName = (fullRoleRules.find((r) => r.resourceNames) ?? { resourceNames: [] }).resourceNames?.[0];
  return {
    namespace: ns,
    kubeconfigPath: writeKubeconfig('kubeconfig', token),
    leaseName,
    grant: async () => {
      await rbac.replaceClusterRole({ name: ns, body: { metadata: { name: ns }, rules: fullRules } });
      if (role) {
        await rbac.replaceNamespacedRole({
          name: 'leader-election',
          namespace: ns,
          body: { metadata: { name: 'leader-election' }, rules: fullRoleRules },
        });
      }
    },
    // a token signed by no one the server trusts: authentication fails (401), whatever RBAC says
    badTokenKubeconfig: () => writeKubeconfig('bad-kubeconfig', `${token.slice(0, -8)}AAAAAAAA`),
    stop: async () => {
      const ignore = (): undefined => undefined;
      await rbac.deleteClusterRoleBinding({ name: ns }).catch(ignore);
      await rbac.deleteClusterRole({ name: ns }).catch(ignore);
      await core.deleteNamespace({ name: ns }).catch(ignore);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
