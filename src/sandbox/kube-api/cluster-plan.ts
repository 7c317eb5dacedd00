/** Pure plan of a sandbox cluster: the objects `buildCluster` and `seedSimulator` create, in order. */
import { createHash } from 'node:crypto';
import type { KubeObject } from './types.js';

/** A workload's pods: shape shared by deployments, daemonsets and loose pods. */
export interface PodTemplateSpec {
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds?: number;
  readonly priorityClassName?: string;
  readonly priority?: number;
  readonly emptyDir?: boolean;
  /** Simulated shutdown time (kubelet annotation). */
  readonly shutdownMs?: number;
  readonly cpu?: string;
  readonly memory?: string;
  readonly tolerations?: readonly Record<string, unknown>[];
}

/** A Deployment → ReplicaSet → pods, placed on `nodes` (cycled) or spread over all nodes. */
export interface DeploymentSpec extends PodTemplateSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly replicas: number;
  readonly nodes?: readonly string[];
}

/** A DaemonSet with one pod per node. */
export interface DaemonSetSpec extends PodTemplateSpec {
  readonly name: string;
  readonly namespace?: string;
}

/** A single pod: unmanaged, or a static pod's mirror (`mirror: true`). */
export interface LoosePodSpec extends PodTemplateSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly node: string;
  readonly mirror?: boolean;
}

/** A PodDisruptionBudget over pods with `selector` labels. */
export interface PdbSpec {
  readonly name: string;
  readonly namespace?: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly minAvailable?: number | string;
  readonly maxUnavailable?: number | string;
}

/** What to build. */
export interface ClusterSpec {
  /** Node count (generated names) or explicit names. */
  readonly nodes: number | readonly string[];
  readonly region?: string;
  readonly zones?: readonly string[];
  readonly instanceType?: string;
  readonly nodeLabels?: Readonly<Record<string, string>>;
  readonly namespaces?: readonly string[];
  readonly deployments?: readonly DeploymentSpec[];
  readonly daemonSets?: readonly DaemonSetSpec[];
  readonly pods?: readonly LoosePodSpec[];
  readonly pdbs?: readonly PdbSpec[];
}

/** A planned node with its EC2 identity. */
export interface PlannedNode {
  readonly name: string;
  readonly instanceId: string;
  readonly providerId: string;
  readonly zone: string;
  readonly privateIp: string;
}

/** A planned pod; `owner` names the ReplicaSet/DaemonSet/Node to reference once its uid is known. */
export interface PlannedPod {
  readonly obj: KubeObject;
  readonly owner?: {
    readonly kind: 'ReplicaSet' | 'DaemonSet' | 'Node';
    readonly name: string;
    readonly apiVersion: string;
  };
}

/** Everything to create. */
export interface ClusterPlan {
  readonly nodes: readonly PlannedNode[];
  readonly nodeObjects: readonly KubeObject[];
  readonly namespaces: readonly string[];
  readonly deployments: readonly KubeObject[];
  readonly replicaSets: readonly KubeObject[];
  readonly daemonSets: readonly KubeObject[];
  readonly pods: readonly PlannedPod[];
  readonly pdbs: readonly KubeObject[];
}

/** Instance id derived from the node name (stable across runs). */
export function instanceIdFor(name: string): string {
  return `i-${createHash('sha1').update(name).digest('hex').slice(0, 17)}`;
}

function planNode(spec: ClusterSpec, name: string, index: number): { planned: PlannedNode; obj: KubeObject } {
  const zones = spec.zones ?? ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const zone = zones[index % zones.length] ?? 'us-east-1a';
  const instanceId = instanceIdFor(name);
  const providerId = `aws:///${zone}/${instanceId}`;
  const privateIp = `10.0.${Math.floor(index / 250)}.${(index % 250) + 1}`;
  const obj: KubeObject = {
    metadata: {
      name,
      labels: {
        'kubernetes.io/hostname': name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'topology.kubernetes.io/zone': zone,
        'topology.kubernetes.io/region': spec.region ?? 'us-east-1',
        'node.kubernetes.io/instance-type': spec.instanceType ?? 'm5.large',
        'node.kubernetes.io/lifecycle': 'spot',
        'eks.amazonaws.com/capacityType': 'SPOT',
        ...spec.nodeLabels,
      },
    },
    spec: { providerID: providerId },
  };
  return { planned: { name, instanceId, providerId, zone, privateIp }, obj };
}

/** Node names: given, or `ip-10-0-<i>-<j>.ec2.internal`. */
export function nodeNames(nodes: number | readonly string[]): string[] {
  if (typeof nodes !== 'number') return [...nodes];
  return Array.from(
    { length: nodes },
    (_, k) => `ip-10-0-${Math.floor(k / 250)}-${(k % 250) + 1}.ec2.internal`,
  );
}

function podTemplate(
  t: PodTemplateSpec,
  labels: Record<string, string>,
): { metadata: KubeObject['metadata']; spec: Record<string, unknown> } {
  const annotations = {
    ...t.annotations,
    ...(t.shutdownMs !== undefined ? { 'sandbox.spot-handler/shutdown-ms': String(t.shutdownMs) } : {}),
  };
  const spec: Record<string, unknown> = {
    containers: [
      {
        name: 'app',
        image: 'public.ecr.aws/docker/library/busybox:1.36',
        resources: { requests: { cpu: t.cpu ?? '10m', memory: t.memory ?? '16Mi' } },
        ...(t.emptyDir ? { volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] } : {}),
      },
    ],
    terminationGracePeriodSeconds: t.terminationGracePeriodSeconds ?? 30,
    ...(t.emptyDir ? { volumes: [{ name: 'scratch', emptyDir: {} }] } : {}),
    ...(t.priorityClassName ? { priorityClassName: t.priorityClassName } : {}),
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    ...(t.tolerations ? { tolerations: t.tolerations } : {}),
  };
  return {
    metadata: {
      labels: { ...labels, ...t.labels },
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
    },
    spec,
  };
}

function hash10(text: string): string {
  return createHash('sha1').update(text).digest('hex').slice(0, 10);
}

/** Plans the whole cluster (no I/O). */
export function planCluster(spec: ClusterSpec): ClusterPlan {
  const names = nodeNames(spec.nodes);
  const planned = names.map((n, i) => planNode(spec, n, i));
  const deployments: KubeObject[] = [];
  const replicaSets: KubeObject[] = [];
  const daemonSets: KubeObject[] = [];
  const pods: PlannedPod[] = [];
  let cursor = 0;
  for (const d of spec.deployments ?? []) {
    const ns = d.namespace ?? 'default';
    const hash = hash10(d.name);
    const tpl = podTemplate(d, { app: d.name, 'pod-template-hash': hash });
    const selector = { matchLabels: { app: d.name } };
    deployments.push({
      metadata: { name: d.name, namespace: ns, labels: { app: d.name } },
      spec: { replicas: d.replicas, selector, template: tpl },
    });
    const rsName = `${d.name}-${hash}`;
    const rsSelector = { matchLabels: { app: d.name, 'pod-template-hash': hash } };
    replicaSets.push({
      metadata: { name: rsName, namespace: ns, labels: tpl.metadata.labels },
      spec: { replicas: d.replicas, selector: rsSelector, template: tpl },
    });
    for (let i = 0; i < d.replicas; i++) {
      const node = d.nodes ? d.nodes[i % d.nodes.length] : names[cursor++ % Math.max(1, names.length)];
      pods.push({
        obj: {
          metadata: {
            ...tpl.metadata,
            name: `${rsName}-${i.toString(36).padStart(5, '0')}`,
            namespace: ns,
          },
          spec: { ...tpl.spec, nodeName: node },
        },
        owner: { kind: 'ReplicaSet', name: rsName, apiVersion: 'apps/v1' },
      });
    }
  }
  for (const ds of spec.daemonSets ?? []) {
    const ns = ds.namespace ?? 'kube-system';
    const tpl = podTemplate(ds, { app: ds.name });
    daemonSets.push({
      metadata: { name: ds.name, namespace: ns },
      spec: { selector: { matchLabels: { app: ds.name } }, template: tpl },
    });
    names.forEach((node, i) => {
      pods.push({
        obj: {
          metadata: {
            ...tpl.metadata,
            name: `${ds.name}-${i.toString(36).padStart(5, '0')}`,
            namespace: ns,
          },
          spec: { ...tpl.spec, nodeName: node },
        },
        owner: { kind: 'DaemonSet', name: ds.name, apiVersion: 'apps/v1' },
      });
    });
  }
  for (const p of spec.pods ?? []) {
    const tpl = podTemplate(p, {});
    if (p.mirror)
      tpl.metadata.annotations = {
        ...tpl.metadata.annotations,
        'kubernetes.io/config.mirror': hash10(p.name),
        'kubernetes.io/config.source': 'file',
      };
    const obj: KubeObject = {
      metadata: { ...tpl.metadata, name: p.name, namespace: p.namespace ?? 'default' },
      spec: { ...tpl.spec, nodeName: p.node },
    };
    pods.push(p.mirror ? { obj, owner: { kind: 'Node', name: p.node, apiVersion: 'v1' } } : { obj });
  }
  const pdbs = (spec.pdbs ?? []).map((p) => ({
    metadata: { name: p.name, namespace: p.namespace ?? 'default' },
    spec: {
      selector: { matchLabels: { ...p.selector } },
      ...(p.minAvailable !== undefined ? { minAvailable: p.minAvailable } : {}),
      ...(p.maxUnavailable !== undefined ? { maxUnavailable: p.maxUnavailable } : {}),
    },
  }));
  const namespaces = [
    ...new Set([
      ...(spec.namespaces ?? []),
      ...[...deployments, ...daemonSets, ...pods.map((p) => p.obj), ...pdbs].map(
        (o) => o.metadata.namespace ?? 'default',
      ),
    ]),
  ];
  return {
    nodes: planned.map((p) => p.planned),
    nodeObjects: planned.map((p) => p.obj),
    namespaces,
    deployments,
    replicaSets,
    daemonSets,
    pods,
    pdbs,
  };
}
