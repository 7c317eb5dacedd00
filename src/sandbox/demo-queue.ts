/**
 * `spot-handler sandbox --mode queue`: the sandbox cluster plus fauxqs (SQS) and the EC2/Auto Scaling
 * Query API simulator; the real daemon runs in queue mode as a child process, an EventBridge "EC2 Spot
 * Instance Interruption Warning" for one node goes into the queue, and the timeline (message sent, notice,
 * taint, cordon, evictions, drained, message deleted) and a summary are printed.
 */
import { randomUUID } from 'node:crypto';
import { startAwsQueryServer, type AwsQueryServer } from './aws-query-server.js';
import { spawnDemoDaemon, type DemoDaemon } from './demo-daemon.js';
import { printMetricsSummary } from './demo-metrics.js';
import { describeCluster, mergeTimeline, printTimeline, secs, watchTimeline } from './demo-timeline.js';
import type { TimelineEntry } from './demo-timeline.js';
import { DEMO_DEPLOYMENTS, startSandboxWorld, type SandboxWorld } from './demo-world.js';
import type { DemoIo, DemoResult } from './demo.js';
import { SANDBOX_CREDENTIALS, startSqs, type SqsSandbox } from './fauxqs.js';
import type { KubeObject } from './kube-api/types.js';

const REGION = 'us-east-1';
const DELETED_METRIC = 'spot_handler_sqs_messages_deleted_total';

/** The instance id in a node's providerID (aws:///zone/i-...). */
function instanceIdOf(node: KubeObject | undefined): string {
  const providerId = node?.spec?.['providerID'];
  return typeof providerId === 'string' ? (providerId.split('/').pop() ?? '') : '';
}

/** Every node of the world as a running spot instance of one Auto Scaling group. */
function addInstances(aws: AwsQueryServer, world: SandboxWorld): void {
  for (const [i, name] of world.nodeNames.entries()) {
    aws.addInstance({
      instanceId: instanceIdOf(world.node(name)),
      privateDnsName: name,
      privateIpAddress: `10.0.1.${i + 1}`,
      availabilityZone: 'us-east-1a',
      instanceLifecycle: 'spot',
      autoScalingGroupName: 'eks-sandbox-spot',
      asgLifecycleState: 'InService',
    });
  }
}

/** The environment of a queue-mode daemon against these simulators. */
function queueDaemonEnv(world: SandboxWorld, sqs: SqsSandbox, aws: AwsQueryServer): Record<string, string> {
  return {
    QUEUE_URL: sqs.queueUrl,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_SQS: sqs.endpoint,
    AWS_ENDPOINT_URL_EC2: aws.url,
    AWS_ENDPOINT_URL_AUTO_SCALING: aws.url,
    AWS_ACCESS_KEY_ID: SANDBOX_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SANDBOX_CREDENTIALS.secretAccessKey,
    KUBECONFIG: world.kubeconfigPath,
    POD_NAME: 'spot-handler-0',
    POD_NAMESPACE: 'kube-system',
    LEADER_ELECT: 'true',
    // the chart's lease: one replica leads at once, and a busy laptop's stalls do not cost it the lease
    LEASE_DURATION_SECONDS: '15',
    LEASE_RENEW_SECONDS: '10',
    LEASE_RETRY_SECONDS: '2',
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
}

/** An EventBridge EC2 Spot Instance Interruption Warning (the deadline is `time` + 120 s). */
function spotWarning(instanceId: string, time: string): object {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': 'EC2 Spot Instance Interruption Warning',
    source: 'aws.ec2',
    account: '123456789012',
    time,
    region: REGION,
    resources: [`arn:aws:ec2:${REGION}a:instance/${instanceId}`],
    detail: { 'instance-id': instanceId, 'instance-action': 'terminate' },
  };
}

/** Messages the daemon deleted, by reason, from its /metrics. */
async function deletedByReason(port: number): Promise<Map<string, number>> {
  const text = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(1000) }).then(
    (r) => r.text(),
    () => '',
  );
  const out = new Map<string, number>();
  for (const m of text.matchAll(
    new RegExp(`^${DELETED_METRIC}\\{[^}]*reason="([^"]+)"[^}]*\\} (\\d+)`, 'gm'),
  ))
    out.set(m[1] ?? '', Number(m[2]));
  return out;
}

/** Polls /metrics every 100 ms until a message was deleted; resolves with the time and reason. */
async function waitDeleted(
  daemon: DemoDaemon,
  timeoutMs: number,
): Promise<{ atMs: number; reason: string } | undefined> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const counts = await deletedByReason(daemon.port);
    const reason = [...counts].find(([, n]) => n > 0)?.[0];
    if (reason) return { atMs: Date.now(), reason };
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

/**
 * Stops the daemon, then fauxqs: the daemon lets a long poll under way finish (up to 20 s) rather than
 * cut it off, so the queue goes away once the daemon has stopped intake, ending that poll at once.
 */
async function stopAll(daemon: DemoDaemon | undefined, sqs: SqsSandbox): Promise<void> {
  const exited = daemon?.stop();
  await daemon
    ?.waitFor(['shutting down: intake stopped, finishing in-flight work'], 3000)
    .catch(() => undefined);
  await sqs.stop();
  await exited;
}

/** The queue-mode demo end to end. */
export async function runQueueDemo(io: DemoIo): Promise<DemoResult> {
  const started = Date.now();
  io.out(
    'spot-handler sandbox --mode queue: simulated Kubernetes API, kubelet, SQS (fauxqs) and EC2/Auto Scaling APIs, no AWS account\n',
  );
  const world = await startSandboxWorld({ deployments: DEMO_DEPLOYMENTS });
  const sqs = await startSqs({ region: REGION, attributes: { VisibilityTimeout: '30' } });
  const aws = await startAwsQueryServer();
  let daemon: DemoDaemon | undefined;
  const watcher = await watchTimeline(world.kube.url, world.nodeName);
  try {
    addInstances(aws, world);
    describeCluster(world, io.out);
    const env = { ...io.baseEnv, ...queueDaemonEnv(world, sqs, aws) };
    daemon = await spawnDemoDaemon(io.entry, env, 'queue');
    await daemon.waitReady(30_000);
    await daemon.waitFor(['became leader'], 15_000);
    io.out(
      `daemon ready and leading after ${secs(Date.now() - started)} s (queue mode, ${sqs.queueName}); waiting quietly\n`,
    );
    await new Promise((r) => setTimeout(r, io.noticeAfterMs ?? 3000));
    return await interrupt(io, { world, sqs, daemon, watcher, started });
  } finally {
    watcher.stop();
    await stopAll(daemon, sqs);
    await aws.stop();
    await world.stop();
  }
}

interface Running {
  readonly world: SandboxWorld;
  readonly sqs: SqsSandbox;
  readonly daemon: DemoDaemon;
  readonly watcher: Awaited<ReturnType<typeof watchTimeline>>;
  readonly started: number;
}

/** Sends the warning, waits for the drain and the delete, prints the timeline and summary. */
async function interrupt(io: DemoIo, r: Running): Promise<DemoResult> {
  const { world, sqs, daemon, watcher } = r;
  const instanceId = instanceIdOf(world.node(world.nodeName));
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  const deadlineMs = Date.parse(time) + 120_000;
  const noticeAt = Date.now();
  const messageId = await sqs.sendMessage(spotWarning(instanceId, time));
  const sent: TimelineEntry = {
    atMs: noticeAt,
    source: 'sandbox',
    text: `SQS: EventBridge "EC2 Spot Instance Interruption Warning" for ${instanceId} sent (message ${messageId.slice(0, 8)})`,
  };
  watcher.entries.push(sent);
  const deleting = waitDeleted(daemon, 50_000);
  const end = await daemon.waitFor(['node drained', 'drain did not finish'], 45_000);
  const deleted = await deleting;
  if (deleted) {
    const text = `SQS: message deleted (reason ${deleted.reason})`;
    watcher.entries.push({ atMs: deleted.atMs, source: 'sandbox', text });
  }
  await new Promise((res) => setTimeout(res, 300)); // let the last watch events arrive
  const timeline = mergeTimeline(watcher.entries, daemon.logs, noticeAt);
  printTimeline(timeline, noticeAt, io.out);
  const pods = world.podsOn(world.nodeName);
  const isDs = (p: KubeObject): boolean => !!p.metadata.ownerReferences?.some((o) => o.kind === 'DaemonSet');
  const appPodsLeft = pods.filter((p) => !isDs(p)).length;
  const counts = await sqs.counts();
  const drainedAfterMs = end.atMs - noticeAt;
  io.out('\nsummary\n');
  io.out(`  pods evicted: ${watcher.evicted.size}, application pods left on the node: ${appPodsLeft}\n`);
  io.out(`  DaemonSet pods left in place: ${pods.filter(isDs).length}\n`);
  io.out(
    `  notice to drained: ${secs(drainedAfterMs)} s, ${secs(deadlineMs - end.atMs)} s before the deadline\n`,
  );
  io.out(
    `  message ${deleted ? `deleted after ${secs(deleted.atMs - noticeAt)} s` : 'NOT deleted'}; queue now: ${counts.visible} visible, ${counts.inFlight} in flight\n`,
  );
  io.out(`  result: ${end.msg}; whole demo ${secs(Date.now() - r.started)} s\n`);
  await printMetricsSummary(daemon.port, io.out);
  const ok = end.msg === 'node drained' && appPodsLeft === 0 && deleted?.reason === 'done';
  return { code: ok ? 0 : 1, timeline, podsEvicted: watcher.evicted.size, drainedAfterMs };
}
