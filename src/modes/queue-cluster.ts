/**
 * Queue mode's view of the cluster: the node directory (instance id → node, from a node informer, with
 * EC2 DescribeInstances as a cached fallback and the optional managed-tag check) and leadership.
 */
import type { Logger } from 'pino';
import { createEc2Client, type AwsClientOptions } from '../aws/aws-clients.js';
import { createEc2Instances, type Ec2Instances } from '../aws/ec2-instances.js';
import type { InterruptionEvent } from '../events/interruption-event.js';
import { LeaseElector } from '../kube/lease-elector.js';
import { KubeLeaseStore } from '../kube/lease-store.js';
import { NodeIndex, kubeNodeListWatch, type IndexedNode } from '../kube/node-index.js';
import { InstanceResolver } from '../kube/resolve-instance.js';
import type { NodeResolver, ReadinessWaiter } from '../pipeline/executor-ports.js';
import { watchPermanentErrors } from '../server/permanent-error-tracker.js';
import type { ModeContext } from './mode-context.js';
import type { KubeClients } from './node-actions.js';

const CONTROL_PLANE_LABELS = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** Adapter: the executor's NodeResolver port on the InstanceResolver; refuses control-plane nodes unless allowed. */
export function nodeResolver(
  resolver: Pick<InstanceResolver, 'resolve'>,
  options: { readonly allowControlPlaneNodes: boolean },
  logger: Logger,
): NodeResolver {
  return {
    resolve: async (event: Pick<InterruptionEvent, 'instanceId'>) => {
      const found = await resolver.resolve(event.instanceId);
      if (found.type === 'unmanaged') {
        logger.info(
          { instanceId: event.instanceId, tag: found.tag },
          'instance lacks the managed tag: ignoring',
        );
        return undefined;
      }
      if (found.type === 'not-found') return undefined;
      if (!options.allowControlPlaneNodes && isControlPlane(found.node)) {
        logger.warn(
          { instanceId: event.instanceId, node: found.node.nodeName },
          'control-plane node: not acting',
        );
        return undefined;
      }
      return found.node.nodeName;
    },
  };
}

function isControlPlane(node: IndexedNode): boolean {
  return CONTROL_PLANE_LABELS.some((l) => l in node.labels);
}

/** Starts the node index and returns the resolver and readiness waiter built on it. */
export async function startNodeDirectory(ctx: ModeContext, kube: KubeClients, aws: AwsClientOptions) {
  const { config, clock, logger, signal } = ctx;
  const index = new NodeIndex({
    source: watchPermanentErrors(kubeNodeListWatch(kube.kubeConfig), 'kube', 'nodes', ctx.permanentErrors),
    clock,
    logger: logger.child({ component: 'node-index' }),
  });
  const stop = new AbortController();
  const running = index.run(AbortSignal.any([signal, stop.signal]));
  // The EC2 client is created on first use only (it costs memory; most lookups hit the index).
  let ec2: Promise<Ec2Instances> | undefined;
  const lazyEc2 = {
    describe: async (id: string) =>
      (
        await (ec2 ??= createEc2Client(aws)
          .then((client) => createEc2Instances(client, clock))
          .then((e) => watchPermanentErrors(e, 'ec2', 'instances', ctx.permanentErrors)))
      ).describe(id),
  };
  const resolver = nodeResolver(
    new InstanceResolver(index, lazyEc2, {
      checkManagedTag: config.queue.checkTagBeforeDraining,
      managedTag: config.queue.managedTag,
    }),
    { allowControlPlaneNodes: config.general.allowControlPlaneNodes },
    logger.child({ component: 'resolver' }),
  );
  const readiness: ReadinessWaiter = {
    waitForReady: async (instanceId, timeoutMs, waitSignal) =>
      (await index.waitForReady(instanceId, timeoutMs, waitSignal)) !== undefined,
  };
  ctx.setReady('node-index', false, 'listing nodes');
  void index.synced.then(() => ctx.setReady('node-index', true, `${index.size} nodes`));
  await Promise.race([index.synced, new Promise((r) => setTimeout(r, 100))]);
  return {
    index,
    resolver,
    readiness,
    /** EC2 DescribeInstances (cached; the client is made on first use). */
    instances: lazyEc2,
    stop: async () => {
      stop.abort();
      await running;
    },
  };
}

/** Leadership: a Lease elector when enabled, else always leader. */
export function startLeadership(ctx: ModeContext, kube: KubeClients) {
  const { config, clock, logger, metrics } = ctx;
  const stopped = new Set<() => void>();
  const started = new Set<() => void>();
  if (!config.queue.leaderElect) {
    metrics.leader.set(1);
    ctx.setReady('leader-election', true, 'disabled: always leader');
    return {
      canAct: () => true,
      onStartedLeading: (fn: () => void) => void started.add(fn),
      onStoppedLeading: (fn: () => void) => void stopped.add(fn),
      run: async (_signal: AbortSignal) => undefined,
    };
  }
  const identity = config.general.podName ?? `spot-handler-${process.pid}`;
  const elector = new LeaseElector(
    {
      store: watchPermanentErrors(
        new KubeLeaseStore(kube.kubeConfig, config.queue.leaseNamespace, config.queue.leaseName),
        'kube',
        'leases',
        ctx.permanentErrors,
      ),
      clock,
      logger: logger.child({ component: 'leader-election' }),
      metrics,
    },
    {
      identity,
      leaseDurationMs: config.queue.leaseDurationSeconds * 1000,
      renewDeadlineMs: config.queue.leaseRenewSeconds * 1000,
      retryPeriodMs: config.queue.leaseRetrySeconds * 1000,
      onStartedLeading: () => {
        ctx.setReady('leader-election', true, 'leader');
        for (const fn of started) fn();
      },
      onStoppedLeading: () => {
        ctx.setReady('leader-election', true, 'standby');
        for (const fn of stopped) fn();
      },
    },
  );
  ctx.setReady('leader-election', true, 'standby');
  return {
    canAct: () => elector.stillLeader(),
    onStartedLeading: (fn: () => void) => void started.add(fn),
    onStoppedLeading: (fn: () => void) => void stopped.add(fn),
    run: (signal: AbortSignal) => elector.run(signal),
  };
}
