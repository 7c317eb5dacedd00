/**
 * A world for queue-mode scenarios: the Kubernetes API simulator with a small seeded cluster, the kubelet
 * simulator, fauxqs with one queue, the EC2/Auto Scaling Query API simulator knowing every node's
 * instance, and a kubeconfig file. `daemonEnv` gives the daemon everything it needs to run in queue mode.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAwsQueryServer, type AwsQueryServer } from '../../src/sandbox/aws-query-server.js';
import { seedSimulator, type ClusterSpec } from '../../src/sandbox/cluster-builder.js';
import { SANDBOX_CREDENTIALS, startSqs, type SqsSandbox } from '../../src/sandbox/fauxqs.js';
import { kubeconfigFileText } from '../../src/sandbox/kube-api/client-config.js';
import type { PlannedNode } from '../../src/sandbox/kube-api/cluster-plan.js';
import { startKubeApiSimulator, type KubeApiSimulator } from '../../src/sandbox/kube-api/server.js';
import type { KubeObject } from '../../src/sandbox/kube-api/types.js';
import { startKubeletSimulator, type KubeletSimulator } from '../../src/sandbox/kubelet.js';

/** The Auto Scaling group every node belongs to. */
export const ASG_NAME = 'eks-spot-workers';

/** What to build. */
export interface QueueWorldOptions {
  /** Cluster spec (default: 3 nodes, `web`×6 spread over them with 100 ms shutdowns, no DaemonSet). */
  readonly cluster?: ClusterSpec;
  /** Queue VisibilityTimeout attribute in seconds (default 30). */
  readonly visibilitySeconds?: number;
  /** Simulated pod shutdown time when the spec does not say (default 100 ms). */
  readonly shutdownMs?: number;
}

/** A running queue world. */
export interface QueueWorld {
  readonly kube: KubeApiSimulator;
  readonly kubelet: KubeletSimulator;
  readonly sqs: SqsSandbox;
  readonly aws: AwsQueryServer;
  readonly kubeconfigPath: string;
  readonly nodes: readonly PlannedNode[];
  /** Environment for a daemon in queue mode (extra wins). */
  daemonEnv(extra?: Readonly<Record<string, string>>): Record<string, string>;
  /** Sends a message body (object → JSON). */
  send(body: string | object): Promise<string>;
  /** Non-DaemonSet pods still bound to a node (terminating ones included). */
  appPodsOn(nodeName: string): KubeObject[];
  node(name: string): KubeObject | undefined;
  stop(): Promise<void>;
}

/** The default cluster: three nodes and six quick pods spread over them. */
export function defaultCluster(shutdownMs = 100): ClusterSpec {
  return {
    nodes: 3,
    deployments: [{ name: 'web', replicas: 6, shutdownMs, terminationGracePeriodSeconds: 5 }],
  };
}

/** Starts every simulator and seeds the cluster; resolves once the kubelet is idle. */
export async function startQueueWorld(options: QueueWorldOptions = {}): Promise<QueueWorld> {
  const kube = await startKubeApiSimulator({ requestLogSize: 50_000 });
  const built = seedSimulator(kube, options.cluster ?? defaultCluster(options.shutdownMs));
  const kubelet = await startKubeletSimulator({
    url: kube.url,
    defaultShutdownMs: options.shutdownMs ?? 100,
  });
  await kubelet.ready;
  const sqs = await startSqs({
    attributes: { VisibilityTimeout: String(options.visibilitySeconds ?? 30) },
  });
  const aws = await startAwsQueryServer();
  for (const n of built.nodes) {
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
  const dir = mkdtempSync(join(tmpdir(), 'spot-handler-queue-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, kubeconfigFileText(kube.url), { mode: 0o600 });
  return {
    kube,
    kubelet,
    sqs,
    aws,
    kubeconfigPath,
    nodes: built.nodes,
    daemonEnv: (extra = {}) => ({
      QUEUE_URL: sqs.queueUrl,
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL_SQS: sqs.endpoint,
      AWS_ENDPOINT_URL_EC2: aws.url,
      AWS_ENDPOINT_URL_AUTO_SCALING: aws.url,
      AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
      KUBECONFIG: kubeconfigPath,
      POD_NAME: 'spot-handler-0',
      POD_NAMESPACE: 'kube-system',
      LEASE_DURATION_SECONDS: '3',
      LEASE_RENEW_SECONDS: '2',
      LEASE_RETRY_SECONDS: '1',
      SQS_MSG_VISIBILITY_TIMEOUT_SEC: String(options.visibilitySeconds ?? 30),
      LOG_FORMAT: 'json',
      ...extra,
    }),
    send: (body) => sqs.sendMessage(body),
    appPodsOn: (name) =>
      kube.store
        .list('pods', { nodeName: name })
        .filter((p) => !p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet')),
    node: (name) => kube.store.get('nodes', '', name),
    stop: async () => {
      await kubelet.stop();
      await kube.stop();
      await sqs.stop();
      await aws.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The node at `index`, or a throw (keeps tests free of non-null assertions). */
export function nodeAt(world: QueueWorld, index: number): PlannedNode {
  const n = world.nodes[index];
  if (!n) throw new Error(`no node ${index}`);
  return n;
}

/** Polls `check` every 20 ms until true. */
export async function until(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
