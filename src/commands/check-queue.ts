/**
 * `spot-handler check` in queue mode: GetQueueAttributes on the queue, EC2 DescribeInstances with DryRun,
 * Auto Scaling DescribeLifecycleHooks (a read), what cannot be checked without acting (SQS message calls,
 * the lifecycle action calls: no DryRun), then the Kubernetes checks with the node list.
 */
import {
  createAutoScalingClient,
  createEc2Client,
  createSqsClient,
  type AwsClientOptions,
} from '../aws/aws-clients.js';
import { probeDescribeInstances, probeDescribeLifecycleHooks, probeQueue } from '../aws/setup-probes.js';
import type { Config } from '../config/config-types.js';
import { regionFromQueueUrl } from '../config/region-from-queue-url.js';
import { KubeAccessReview } from '../kube/access-review.js';
import { loadKubeConfig } from '../kube/kube-config.js';
import { kubeNodeListWatch } from '../kube/node-index.js';
import { checkKube } from './check-kube.js';
import { failedItem, type CheckItem } from './check-list.js';

/** The AWS calls the queue checks make. */
export interface QueueCheckPort {
  queueAttributes(): Promise<{ readonly arn?: string; readonly visibilityTimeoutSeconds?: number }>;
  describeInstancesDryRun(): Promise<void>;
  /** DescribeLifecycleHooks (the hook's timeouts give a scale-in its deadline). */
  describeLifecycleHooks(): Promise<void>;
}

/** The AWS checklist items for queue mode. */
export async function checkQueueAws(config: Config, port: QueueCheckPort): Promise<CheckItem[]> {
  const url = config.queue.queueUrl ?? '';
  const items: CheckItem[] = [];
  const urlRegion = regionFromQueueUrl(url);
  if (urlRegion && config.aws.region && urlRegion !== config.aws.region) {
    items.push({
      status: 'fail',
      what: 'queue region',
      detail: `queue.url names ${urlRegion}, the client uses ${config.aws.region}`,
      fix: `set awsRegion (AWS_REGION) to ${urlRegion}, or queue.url (QUEUE_URL) to a queue in ${config.aws.region}`,
    });
  }
  try {
    const attrs = await port.queueAttributes();
    items.push({ status: 'ok', what: 'sqs:GetQueueAttributes on the queue', detail: attrs.arn ?? url });
  } catch (err) {
    items.push(failedItem('sqs:GetQueueAttributes on the queue', err));
  }
  items.push({
    status: 'info',
    what: 'sqs:ReceiveMessage, sqs:DeleteMessage, sqs:ChangeMessageVisibility',
    detail:
      'not checked: SQS has no DryRun and a receive would touch messages; if one is missing, /readyz turns not ready naming it',
  });
  try {
    await port.describeInstancesDryRun();
    items.push({ status: 'ok', what: 'ec2:DescribeInstances', detail: 'allowed (DryRun)' });
  } catch (err) {
    items.push(failedItem('ec2:DescribeInstances (DryRun)', err));
  }
  try {
    await port.describeLifecycleHooks();
    items.push({ status: 'ok', what: 'autoscaling:DescribeLifecycleHooks', detail: 'allowed' });
  } catch (err) {
    items.push(failedItem('autoscaling:DescribeLifecycleHooks', err));
  }
  items.push({
    status: 'info',
    what: 'autoscaling:CompleteLifecycleAction, autoscaling:RecordLifecycleActionHeartbeat',
    detail:
      'not checked: Auto Scaling has no DryRun and needs a lifecycle action in progress; if one is missing, /readyz turns not ready naming it at the first hook',
  });
  return items;
}

/** Runs every queue-mode check against the live environment. */
export async function runQueueChecks(config: Config): Promise<CheckItem[]> {
  const aws: AwsClientOptions = {
    region: config.aws.region ?? '',
    endpoints: {
      sqs: config.aws.sqsEndpointUrl ?? config.aws.endpointUrl,
      ec2: config.aws.ec2EndpointUrl ?? config.aws.endpointUrl,
      autoScaling: config.aws.autoScalingEndpointUrl ?? config.aws.endpointUrl,
    },
  };
  const [sqs, ec2, asg] = await Promise.all([
    createSqsClient(aws),
    createEc2Client(aws),
    createAutoScalingClient(aws),
  ]);
  const kubeConfig = loadKubeConfig({
    ...(config.kube.kubeconfig ? { kubeconfigPath: config.kube.kubeconfig } : {}),
    inCluster: config.kube.inCluster && !config.kube.kubeconfig,
  });
  try {
    const nodes = kubeNodeListWatch(kubeConfig);
    const review = new KubeAccessReview(kubeConfig);
    return [
      ...(await checkQueueAws(config, {
        queueAttributes: () => probeQueue(sqs, config.queue.queueUrl ?? ''),
        describeInstancesDryRun: () => probeDescribeInstances(ec2),
        describeLifecycleHooks: () => probeDescribeLifecycleHooks(asg),
      })),
      ...(await checkKube(config, {
        listNodes: async () => (await nodes.list()).nodes.length,
        review: (access) => review.review(access),
      })),
    ];
  } finally {
    sqs.destroy();
    ec2.destroy();
    asg.destroy();
    kubeConfig.destroy();
  }
}
