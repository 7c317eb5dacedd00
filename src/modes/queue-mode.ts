/**
 * Queue mode (Deployment, 2+ replicas): consumes EventBridge events and ASG lifecycle hook messages from
 * SQS for every node of the cluster. Only the leader consumes; a standby keeps its node index warm.
 */
import { AsgHookCompleter } from '../actions/asg-hook-completer.js';
import { createAutoScalingLifecycle } from '../aws/autoscaling-lifecycle.js';
import { createAutoScalingClient, createSqsClient, type AwsClientOptions } from '../aws/aws-clients.js';
import { createSqsQueue } from '../aws/sqs-queue.js';
import type { ModeRunner } from './mode-context.js';
import { watchPermanentErrors } from '../server/permanent-error-tracker.js';
import { SqsConsumer } from '../sources/sqs-consumer.js';
import { buildPipeline, kubeClients } from './node-actions.js';
import { buildNotifier, ec2InstanceFacts } from './build-webhook-notifier.js';
import { queueMessageHandler } from './queue-handler.js';
import { startLeadership, startNodeDirectory } from './queue-cluster.js';

/** Runs queue mode until the signal aborts. */
export const run: ModeRunner = async (ctx) => {
  const { config, logger, clock, metrics, signal } = ctx;
  const queueUrl = config.queue.queueUrl;
  const region = config.aws.region;
  if (!queueUrl || !region) throw new Error('queue mode needs QUEUE_URL and a region');
  const aws: AwsClientOptions = {
    region,
    endpoints: {
      sqs: config.aws.sqsEndpointUrl ?? config.aws.endpointUrl,
      ec2: config.aws.ec2EndpointUrl ?? config.aws.endpointUrl,
      autoScaling: config.aws.autoScalingEndpointUrl ?? config.aws.endpointUrl,
    },
  };
  const kube = kubeClients(config, clock);
  const directory = await startNodeDirectory(ctx, kube, aws);
  const leadership = startLeadership(ctx, kube);
  const lifecycle = new AsgHookCompleter(
    {
      port: watchPermanentErrors(
        await createAutoScalingLifecycle(await createAutoScalingClient(aws)),
        'autoscaling',
        'lifecycle',
        ctx.permanentErrors,
      ),
      clock,
      logger,
      metrics,
    },
    {
      heartbeatIntervalSeconds: config.queue.heartbeatIntervalSeconds,
      heartbeatUntilSeconds: config.queue.heartbeatUntilSeconds,
      sendsHeartbeats: !config.general.dryRun,
    },
  );
  const notifier = await buildNotifier(ctx, {
    factsFor: async (instanceId) => ec2InstanceFacts(await directory.instances.describe(instanceId)),
  });
  const { pipeline } = buildPipeline(ctx, kube, {
    resolver: directory.resolver,
    notifier,
    lifecycle: {
      complete: async (hook) => {
        await lifecycle.complete(hook);
      },
      startHeartbeats: (hook, hbSignal) => {
        void lifecycle.startHeartbeats(hook, hbSignal);
      },
    },
    readiness: directory.readiness,
    canAct: leadership.canAct,
    workers: config.queue.workers,
  });
  leadership.onStoppedLeading(() => pipeline.abortActive('lost leadership'));

  const consumer = new SqsConsumer(
    {
      queue: watchPermanentErrors(
        await createSqsQueue(await createSqsClient(aws), queueUrl),
        'sqs',
        'queue',
        ctx.permanentErrors,
      ),
      handler: queueMessageHandler(
        {
          sink: pipeline,
          clock,
          logger: logger.child({ component: 'queue' }),
          metrics,
          preparer: lifecycle,
        },
        { deleteForeign: config.queue.deleteMessageIfNodeNotFound },
      ),
      clock,
      logger: logger.child({ component: 'sqs-consumer' }),
      metrics,
    },
    {
      visibilitySeconds: config.queue.visibilityTimeoutSeconds,
      maxInFlight: Math.max(10, config.queue.workers * 2),
      // a mass interruption brings hundreds of messages, ten per ReceiveMessage: poll in parallel
      receivers: Math.min(8, Math.ceil(Math.max(10, config.queue.workers * 2) / 10)),
      shouldReceive: leadership.canAct,
      shutdownGraceMs: config.general.shutdownGraceSeconds * 1000,
      // a spot notice gives two minutes: never back off for long after SQS errors
      receiveBackoffMaxMs: 5_000,
    },
  );
  // a new leader polls at once, not after the standby's next idle check (up to 1 s later)
  leadership.onStartedLeading(() => consumer.wake());
  const heartbeat = ctx.liveness.register('sqs-consumer', 120_000);
  const beat = setInterval(() => heartbeat.beat(), 5_000);
  beat.unref();
  // The lease outlives intake: in-flight actions finish (within the grace) before it is released.
  const lease = new AbortController();
  const leading = leadership.run(lease.signal);
  try {
    await consumer.run(signal);
  } finally {
    clearInterval(beat);
    heartbeat.stop();
    await pipeline.shutdown(config.general.shutdownGraceSeconds * 1000);
    lease.abort();
    await leading;
    await directory.stop();
    notifier.close();
    kube.kubeConfig.destroy();
  }
  return 0;
};
