/**
 * A world for queue-mode scenarios on kube-env (the API simulator, or a real cluster with
 * TEST_KUBECONFIG): a small cluster built through the API (test/helpers/world-builder.ts), the kubelet
 * simulator, fauxqs with one queue, the EC2/Auto Scaling Query API simulator knowing every node's
 * instance, and a kubeconfig file. `daemonEnv` gives the daemon everything it needs to run in queue mode;
 * its Lease lives in the env's namespace, so parallel worlds on one cluster never share a leader.
 */
import * as k8s from '@kubernetes/client-node';
import { startAwsQueryServer, type AwsQueryServer } from '../../src/sandbox/aws-query-server.js';
import { SANDBOX_CREDENTIALS, startSqs, type SqsSandbox } from '../../src/sandbox/fauxqs.js';
import { seedSimulator } from '../../src/sandbox/cluster-builder.js';
import {
  instanceIdFor,
  type ClusterSpec,
  type PlannedNode,
} from '../../src/sandbox/kube-api/cluster-plan.js';
import type { KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import type { KubeObject } from '../../src/sandbox/kube-api/types.js';
import type { KubeletSimulator } from '../../src/sandbox/kubelet.js';
import { startClusterView } from './cluster-view.js';
import { fakeNodeName, startKubeEnv, type KubeEnv, type KubeWire } from './kube-env.js';
import {
  createApp,
  createNodes,
  createPdb,
  waitSettled,
  type PdbSpec,
  type WorldTarget,
} from './world-builder.js';

/** The Auto Scaling group every node belongs to. */

/** A short lease for failover stories: a standby leads about 7 s after the leader dies. */
export const FAILOVER_LEASE = {
  LEASE_DURATION_SECONDS: '6',
  LEASE_RENEW_SECONDS: '4',
  LEASE_RETRY_SECONDS: '1',
} as const;

export const ASG_NAME = 'eks-spot-workers';

/** One ReplicaSet of the queue world. */
export interface QueueApp {
  readonly name: string;
  readonly replicas: number;
  /** Indexes of the nodes its pods are bound to, round-robin (default: all nodes). */
  readonly onNodes?: readonly number[];
  readonly shutdownMs?: number;
  readonly graceSeconds?: number;
}

/** The cluster of a queue world. */
export interface QueueCluster {
  readonly nodes: number;
  readonly apps: readonly QueueApp[];
  /** PDBs, created before the world settles (so their status counts the pods). */
  readonly pdbs?: readonly PdbSpec[];
}

/** What to build. */
export interface QueueWorldOptions {
  /** Cluster (default: 3 nodes, `web`×6 spread over them with 100 ms shutdowns, 5 s grace). */
  readonly cluster?: QueueCluster;
  /** Queue VisibilityTimeout attribute in seconds (default 30). */
  readonly visibilitySeconds?: number;
  /** Simulated pod shutdown time when the app does not say (default 100 ms). */
  readonly shutdownMs?: number;
  /**
   * Mass benchmarks only (simulator): load this cluster straight into the simulator's store instead of
   * building `cluster` through the API; views read the store.
   */
  readonly seeded?: ClusterSpec;
  /** How long building `cluster` may take to settle (default: world-builder's; benchmarks build big ones). */
  readonly settleTimeoutMs?: number;
}

/** A running queue world. */
export interface QueueWorld {
  readonly env: KubeEnv;
  /** The simulator (benchmarks); throws on a real cluster. */
  readonly kube: KubeApiSimulator;
  /** Request log and fault injection on the wire (both servers). */
  readonly wire: KubeWire;
  readonly kubelet: KubeletSimulator;
  readonly sqs: SqsSandbox;
  readonly aws: AwsQueryServer;
  readonly kubeconfigPath: string;
  /** Namespace of the apps, and of the daemon's Lease. */
  readonly namespace: string;
  readonly nodes: readonly PlannedNode[];
  /** Environment for a daemon in queue mode (extra wins). */
  daemonEnv(extra?: Readonly<Record<string, string>>): Record<string, string>;
  /** Sends a message body (object → JSON). */
  send(body: string | object): Promise<string>;
  /** Non-DaemonSet pods still bound to a node (terminating ones included). */
  appPodsOn(nodeName: string): KubeObject[];
  node(name: string): KubeObject | undefined;
  /** Creates a fake node of this world (labelled, so `node` sees it) with an EC2 provider id. */
  addNode(name: string, instanceId: string): Promise<void>;
  stop(): Promise<void>;
}

/** The default cluster: three nodes and six quick pods spread over them. */
export function defaultCluster(shutdownMs = 100): QueueCluster {
  return { nodes: 3, apps: [{ name: 'web', replicas: 6, shutdownMs, graceSeconds: 5 }] };
}

/** The EC2 identity of the world's node `index` (its name is unique to this test file). */
export function plannedNode(index: number): PlannedNode {
  const name = fakeNodeName(`ip-10-0-0-${index + 1}.ec2.internal`);
  const zones = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
  const zone = zones[index % zones.length] ?? 'us-east-1a';
  const instanceId = instanceIdFor(name);
  return {
    name,
    instanceId,
    zone,
    providerId: `aws:///${zone}/${instanceId}`,
    privateIp: `10.0.0.${index + 1}`,
  };
}

/** The daemon's AWS environment for this SQS sandbox and Query API simulator: queue, region, endpoints, keys. */
export function queueAwsEnv(sqs: SqsSandbox, aws: AwsQueryServer): Record<string, string> {
  return {
    QUEUE_URL: sqs.queueUrl,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_EC2: aws.url,
    AWS_ENDPOINT_URL_AUTO_SCALING: aws.url,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
  };
}

/** Starts every simulator and builds the cluster; resolves once every pod is Running and Ready. */
export async function startQueueWorld(options: QueueWorldOptions = {}): Promise<QueueWorld> {
  const env = await startKubeEnv({
    simulator: { requestLogSize: 50_000 },
    kubelet: {
      defaultShutdownMs: options.shutdownMs ?? 100,
      // a seeded world (simulator only) has no node lifecycle controller to heartbeat for: 1,000 status
      // patches every 5 s, each fanned out to three node watches, were load no real cluster has (a
      // kubelet renews a Lease and patches status only on change or every 5 min)
      ...(options.seeded ? { ownsNode: () => true, heartbeatMs: 0 } : {}),
    },
  });
  const built = options.seeded ? await seed(env, options.seeded) : await build(env, options);
  await env.kubelet.idle();
  const view = options.seeded
    ? storeView(simulatorOf(env))
    : await startClusterView(env.kubeConfig, env.namespace, env.nodeLabels);
  const { nodes, target } = built;
  const sqs = await startSqs({
    attributes: { VisibilityTimeout: String(options.visibilitySeconds ?? 30) },
  });
  const aws = await startAwsQueryServer();
  for (const n of nodes) {
    aws.addInstance({
      instanceId: n.instanceId,
      privateDnsName: n.name,
      privateIpAddress: n.privateIp,
      availabilityZone: n.zone,
      instanceLifecycle: 'spot',
      autoScalingGroupName: ASG_NAME,
      asgLifecycleState: 'InService',
    });
  }
  return {
    env,
    get kube(): KubeApiSimulator {
      return simulatorOf(env);
    },
    wire: env.wire,
    kubelet: env.kubelet,
    sqs,
    aws,
    kubeconfigPath: env.kubeconfigPath,
    namespace: env.namespace,
    nodes,
    daemonEnv: (extra = {}) => ({
      ...queueAwsEnv(sqs, aws),
      KUBECONFIG: env.kubeconfigPath,
      POD_NAME: 'spot-handler-0',
      POD_NAMESPACE: env.namespace,
      // a single replica leads at once whatever the lease; a 10 s renew deadline keeps it leading through
      // the event-loop stalls of a machine running two suites at once (its writes are fenced past it).
      // Failover tests ask for FAILOVER_LEASE so a standby takes over within seconds.
      LEASE_DURATION_SECONDS: '15',
      LEASE_RENEW_SECONDS: '10',
      LEASE_RETRY_SECONDS: '2',
      SQS_MSG_VISIBILITY_TIMEOUT_SEC: String(options.visibilitySeconds ?? 30),
      LOG_FORMAT: 'json',
      ...extra,
    }),
    send: (body) => sqs.sendMessage(body),
    appPodsOn: (name) =>
      view.podsOn(name).filter((p) => !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')),
    node: (name) => view.node(name),
    addNode: (name, instanceId) =>
      createNodes(target, [name], { providerIds: [`aws:///us-east-1a/${instanceId}`] }),
    stop: async () => {
      await view.stop();
      await env.stop();
      await sqs.stop();
      await aws.stop();
    },
  };
}

function simulatorOf(env: KubeEnv): KubeApiSimulator {
  if (!env.api) throw new Error('simulator-only (a mass benchmark) on a real cluster');
  return env.api;
}

interface Built {
  readonly nodes: readonly PlannedNode[];
  readonly target: WorldTarget;
}

function targetOf(env: KubeEnv): WorldTarget {
  return {
    core: env.kubeConfig.makeApiClient(k8s.CoreV1Api),
    apps: env.kubeConfig.makeApiClient(k8s.AppsV1Api),
    policy: env.kubeConfig.makeApiClient(k8s.PolicyV1Api),
    namespace: env.namespace,
    nodeLabels: env.nodeLabels,
    real: env.api === undefined,
  };
}

/** Builds `options.cluster` through the API and waits until it is settled. */
async function build(env: KubeEnv, options: QueueWorldOptions): Promise<Built> {
  const target = targetOf(env);
  const cluster = options.cluster ?? defaultCluster(options.shutdownMs);
  const nodes = Array.from({ length: cluster.nodes }, (_, i) => plannedNode(i));
  await createNodes(
    target,
    nodes.map((n) => n.name),
    { providerIds: nodes.map((n) => n.providerId) },
  );
  for (const app of cluster.apps) {
    const on = (app.onNodes ?? nodes.map((_, i) => i)).map((i) => nodes[i]?.name ?? '');
    await createApp(target, {
      name: app.name,
      replicas: app.replicas,
      nodes: on,
      shutdownMs: app.shutdownMs ?? options.shutdownMs ?? 100,
      graceSeconds: app.graceSeconds ?? 5,
    });
  }
  for (const pdb of cluster.pdbs ?? []) await createPdb(target, pdb);
  await waitSettled(target, options.settleTimeoutMs);
  return { nodes, target };
}

/** Loads a mass cluster into the simulator's store (benchmarks). */
async function seed(env: KubeEnv, spec: ClusterSpec): Promise<Built> {
  const built = seedSimulator(simulatorOf(env), spec);
  await env.kubelet.ready;
  return { nodes: built.nodes, target: targetOf(env) };
}

/** Views read straight from the simulator's store (every namespace). */
function storeView(sim: KubeApiSimulator): {
  podsOn(n: string): KubeObject[];
  node(n: string): KubeObject | undefined;
  stop(): Promise<void>;
} {
  return {
    podsOn: (nodeName) => sim.store.list('pods', { nodeName }),
    node: (name) => sim.store.get('nodes', '', name),
    stop: async () => undefined,
  };
}

/** The node at `index`, or a throw (keeps tests free of non-null assertions). */
export function nodeAt(world: QueueWorld, index: number): PlannedNode {
  const n = world.nodes[index];
  if (!n) throw new Error(`no node ${index}`);
  return n;
}

export { until } from './until.js';
