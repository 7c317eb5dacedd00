/** What the DaemonSet (IMDS mode) and the Deployment (queue mode) look like. */
import { describe, expect, it } from 'vitest';
import { containerEnv, only, queueValues, QUEUE_URL, renderChart } from './helm.js';
import type { K8sObject, Loose } from './helm.js';

const HARDENED_CONTAINER = {
  runAsNonRoot: true,
  runAsUser: 65532,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};

function podSpec(workload: K8sObject): Loose {
  return workload.spec.template.spec;
}

describe.concurrent.each([
  ['imds', {}, 'DaemonSet'],
  ['queue', queueValues(), 'Deployment'],
])('%s mode workload', (mode, values, kind) => {
  it('runs hardened: non-root 65532, read-only root, no privilege escalation, all capabilities dropped', async () => {
    const spec = podSpec(only(await renderChart(values), kind));
    expect(spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: 'RuntimeDefault' },
    });
    const containers = [...spec.containers, ...(spec.initContainers ?? [])];
    expect(containers.length).toBeGreaterThan(0);
    for (const c of containers) expect(c.securityContext).toMatchObject(HARDENED_CONTAINER);
  });

  it('passes the mode as the argument and probes /healthz and /readyz on 9690', async () => {
    const container = podSpec(only(await renderChart(values), kind)).containers[0];
    expect(container.args).toEqual([mode]);
    expect(container.ports).toEqual([{ name: 'http', containerPort: 9690, protocol: 'TCP' }]);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(container.image).toBe('ghcr.io/spot-handler/spot-handler:0.1.0');
  });

  it('takes NODE_NAME, POD_NAME and POD_NAMESPACE from the downward API', async () => {
    const env = containerEnv(only(await renderChart(values), kind));
    expect(env.get('NODE_NAME')).toEqual({ fieldRef: { fieldPath: 'spec.nodeName' } });
    expect(env.get('POD_NAME')).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.get('POD_NAMESPACE')).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  it('sizes the termination grace period to the drain timeout and shuts down before SIGKILL', async () => {
    const workload = only(await renderChart({ ...values, drain: { nodeTerminationGracePeriod: 300 } }), kind);
    expect(podSpec(workload).terminationGracePeriodSeconds).toBe(330);
    expect(containerEnv(workload).get('SHUTDOWN_GRACE_SECONDS')).toBe('320');
  });

  it('appends extraEnv and uses the image tag override', async () => {
    const extra = { extraEnv: [{ name: 'KUBE_API_QPS_EXTRA', value: '7' }], image: { tag: 'v9' } };
    const workload = only(await renderChart({ ...values, ...extra }), kind);
    expect(containerEnv(workload).get('KUBE_API_QPS_EXTRA')).toBe('7');
    expect(podSpec(workload).containers[0].image).toMatch(/:v9$/);
  });
});

describe.concurrent('IMDS mode DaemonSet', () => {
  it('runs on every Linux node except Fargate, tolerating every taint, as system-node-critical', async () => {
    const objects = await renderChart();
    const spec = podSpec(only(objects, 'DaemonSet'));
    expect(objects.some((o) => o.kind === 'Deployment' || o.kind === 'PodDisruptionBudget')).toBe(false);
    expect(spec.nodeSelector).toEqual({ 'kubernetes.io/os': 'linux' });
    expect(spec.tolerations).toEqual([{ operator: 'Exists' }]);
    expect(spec.priorityClassName).toBe('system-node-critical');
    // as NTH: on the host network IMDSv2 answers even where the hop limit is 1 (Karpenter's default)
    expect(spec.hostNetwork).toBe(true);
    expect(spec.dnsPolicy).toBe('ClusterFirstWithHostNet');
    const terms = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([
      {
        matchExpressions: [{ key: 'eks.amazonaws.com/compute-type', operator: 'NotIn', values: ['fargate'] }],
      },
    ]);
    expect(only(objects, 'DaemonSet').spec.updateStrategy.rollingUpdate.maxUnavailable).toBe('25%');
    expect(spec.containers[0].resources).toEqual({
      requests: { cpu: '50m', memory: '80Mi' },
      limits: { memory: '128Mi' },
    });
  });

  it('restricts to spot capacity (EKS or Karpenter label) when spotOnly is set', async () => {
    const spec = podSpec(only(await renderChart({ daemonset: { spotOnly: true } }), 'DaemonSet'));
    const terms = spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    const spotKeys = terms.map((t: Loose) => t.matchExpressions.find((e: Loose) => e.operator === 'In'));
    expect(spotKeys).toEqual([
      { key: 'eks.amazonaws.com/capacityType', operator: 'In', values: ['SPOT'] },
      { key: 'karpenter.sh/capacity-type', operator: 'In', values: ['spot'] },
    ]);
  });

  it('uses ClusterFirst on the pod network', async () => {
    const spec = podSpec(only(await renderChart({ daemonset: { hostNetwork: false } }), 'DaemonSet'));
    expect([spec.hostNetwork, spec.dnsPolicy]).toEqual([false, 'ClusterFirst']);
  });

  it("does not open a port something on an EKS node already listens on, nor NTH's", async () => {
    const spec = podSpec(only(await renderChart(), 'DaemonSet'));
    const taken = [8080, 9092, 9100, 9808, 9809, 10248, 10249, 10250, 10256, 50051, 61678, 61679];
    const ports = (spec.containers[0].ports as { containerPort: number }[]).map((p) => p.containerPort);
    expect(ports.filter((p) => taken.includes(p))).toEqual([]);
  });

  it('sets the IMDS switches and no queue options', async () => {
    const env = containerEnv(
      only(await renderChart({ imds: { enableRebalanceDraining: true } }), 'DaemonSet'),
    );
    expect(env.get('ENABLE_REBALANCE_DRAINING')).toBe('true');
    expect(env.get('ENABLE_SPOT_INTERRUPTION_DRAINING')).toBe('true');
    expect(env.has('QUEUE_URL')).toBe(false);
    expect(env.has('LEADER_ELECT')).toBe(false);
    expect(env.has('AWS_EC2_METADATA_SERVICE_ENDPOINT')).toBe(false);
  });
});

describe.concurrent('queue mode Deployment', () => {
  it('runs 2 replicas spread over zones and nodes, preferring on-demand, with a PDB', async () => {
    const objects = await renderChart(queueValues());
    const deployment = only(objects, 'Deployment');
    const spec = podSpec(deployment);
    expect(objects.some((o) => o.kind === 'DaemonSet')).toBe(false);
    expect(deployment.spec.replicas).toBe(2);
    expect(spec.priorityClassName).toBe('system-cluster-critical');
    expect(spec.topologySpreadConstraints.map((t: Loose) => t.topologyKey)).toEqual([
      'topology.kubernetes.io/zone',
      'kubernetes.io/hostname',
    ]);
    expect(
      spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm
        .topologyKey,
    ).toBe('kubernetes.io/hostname');
    const preferred =
      spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference
        .matchExpressions;
    expect(preferred.map((e: Loose) => [e.key, e.operator])).toEqual([
      ['eks.amazonaws.com/capacityType', 'NotIn'],
      ['karpenter.sh/capacity-type', 'NotIn'],
    ]);
    expect(spec.containers[0].resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
      limits: { memory: '256Mi' },
    });
    const pdb = only(objects, 'PodDisruptionBudget');
    expect(pdb.spec).toEqual({
      maxUnavailable: 1,
      selector: { matchLabels: deployment.spec.selector.matchLabels },
    });
  });

  it('passes the queue URL, region and leader election settings', async () => {
    const env = containerEnv(
      only(await renderChart(queueValues({ queue: { region: 'eu-west-1' } })), 'Deployment'),
    );
    expect(env.get('QUEUE_URL')).toBe(QUEUE_URL);
    expect(env.get('AWS_REGION')).toBe('eu-west-1');
    expect(env.get('LEADER_ELECT')).toBe('true');
    expect(env.get('LEASE_NAME')).toBe('sh-spot-handler-leader');
    expect(env.get('LEASE_NAMESPACE')).toBe('kube-system');
    expect(env.has('ENABLE_SPOT_INTERRUPTION_DRAINING')).toBe(false);
  });

  it('sets the IRSA annotation on the ServiceAccount', async () => {
    const arn = 'arn:aws:iam::111122223333:role/spot-handler';
    const sa = only(await renderChart(queueValues({ serviceAccount: { roleArn: arn } })), 'ServiceAccount');
    expect(sa.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': arn });
  });
});

describe.concurrent('webhook wiring', () => {
  it('creates a Secret from values, mounts the URL as a file and reads headers from the Secret', async () => {
    const values = {
      webhook: {
        url: 'https://hooks.example.com/x',
        headers: { Authorization: 'Bearer t' },
        template: '{"text":"{{ .Kind }}"}',
      },
    };
    const objects = await renderChart(values);
    const secret = only(objects, 'Secret');
    expect(secret.stringData).toEqual({
      url: 'https://hooks.example.com/x',
      headers: '{"Authorization":"Bearer t"}',
    });
    expect(only(objects, 'ConfigMap').data).toEqual({ template: '{"text":"{{ .Kind }}"}' });
    const ds = only(objects, 'DaemonSet');
    const env = containerEnv(ds);
    expect(env.get('WEBHOOK_URL_FILE')).toBe('/etc/spot-handler/webhook/url');
    expect(env.get('WEBHOOK_HEADERS')).toEqual({
      secretKeyRef: { name: secret.metadata.name, key: 'headers', optional: true },
    });
    expect(env.get('WEBHOOK_TEMPLATE_FILE')).toBe('/etc/spot-handler/webhook-template/template');
    expect(env.has('WEBHOOK_URL')).toBe(false);
    const volumes = podSpec(ds)
      .volumes.map((v: Loose) => v.secret?.secretName ?? v.configMap?.name)
      .filter(Boolean);
    expect(volumes).toEqual([secret.metadata.name, only(objects, 'ConfigMap').metadata.name]);
  });

  it('uses an existing Secret without creating one, and nothing at all without a webhook', async () => {
    const objects = await renderChart({
      webhook: { existingSecret: 'my-hook', url: 'https://ignored.example' },
    });
    expect(objects.some((o) => o.kind === 'Secret')).toBe(false);
    const spec = podSpec(only(objects, 'DaemonSet'));
    expect(spec.volumes.find((v: Loose) => v.name === 'webhook').secret.secretName).toBe('my-hook');
    const plain = containerEnv(only(await renderChart(), 'DaemonSet'));
    expect([plain.has('WEBHOOK_URL_FILE'), plain.has('WEBHOOK_HEADERS')]).toEqual([false, false]);
  });
});
