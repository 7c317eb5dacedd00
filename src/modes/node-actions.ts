/**
 * Composition shared by both modes: the Kubernetes clients, the node actuator, the Kubernetes Event
 * recorder and the pipeline, built from the validated config.
 */
import type { ActuatorOptions } from '../actions/actuator-options.js';
import { CachedNodeApi } from '../actions/cached-node-api.js';
import { fenceNodeApi, fencePodApi, fenceSurgeApi } from '../actions/fenced-apis.js';
import { KubeNodeActuator } from '../actions/kube-node-actuator.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config/config-types.js';
import { KubeEventsAdapter } from '../kube/events-adapter.js';
import { loadKubeConfig, type KeepAliveKubeConfig } from '../kube/kube-config.js';
import { createKubeAdapters } from '../kube/adapters.js';
import { RateLimiter } from '../kube/rate-limiter.js';
import { CordonGate } from '../pipeline/cordon-gate.js';
import { Executor, type ExecutorDeps, type ExecutorOptions } from '../pipeline/executor.js';
import { Pipeline } from '../pipeline/pipeline.js';
import type { NodeResolver, Notifier, StepRecorder } from '../pipeline/executor-ports.js';
import { KubeEventRecorder } from '../report/kube-events.js';
import { watchPermanentErrors } from '../server/permanent-error-tracker.js';
import type { ModeContext } from './mode-context.js';
import { stepRecorder } from './step-recorder.js';

/** Maps the config sections onto the actuator's options. */
export function actuatorOptions(config: Config): ActuatorOptions {
  const { drain, node, general } = config;
  return {
    dryRun: general.dryRun,
    taintNode: node.taintNode,
    taintEffect: node.taintEffect,
    outOfServiceTaint: node.enableOutOfServiceTaint,
    excludeFromLoadBalancers: node.excludeFromLoadBalancers,
    ignoreDaemonSets: drain.ignoreDaemonSets,
    deleteEmptyDirData: drain.deleteEmptyDirData,
    evictUnmanagedPods: drain.evictUnmanagedPods,
    podGracePeriodOverrideSeconds: drain.podTerminationGracePeriodSeconds,
    drainTimeoutMs: drain.nodeTerminationGracePeriodSeconds * 1000,
    deadlineMarginMs: drain.deadlineMarginSeconds * 1000,
    forceAtDeadline: drain.forceAtDeadline,
    forceLeadMs: drain.forceLeadSeconds * 1000,
    evictionConcurrency: drain.evictionConcurrency,
    criticalPriorityThreshold: drain.criticalPriorityThreshold,
    selfPodName: general.podName,
    selfPodNamespace: general.podNamespace,
    retryInitialMs: 200,
    retryMaxMs: 1_000,
    surgeBeforeEvict: drain.surgeBeforeEvict,
  };
}

/** Maps the config onto the executor's options. */
export function executorOptions(config: Config): ExecutorOptions {
  return {
    mode: config.mode,
    cordonOnly: config.general.cordonOnly,
    rebalanceDrain: config.mode === 'queue' ? true : config.imds.enableRebalanceDraining,
    rebalanceCordonTtlMs: config.imds.rebalanceCordonTtlSeconds * 1000,
    dryRun: config.general.dryRun,
    launchReadyTimeoutMs: config.queue.launchReadyTimeoutSeconds * 1000,
    completeLifecycleDelayMs: Math.max(0, config.queue.completeLifecycleActionDelaySeconds) * 1000,
    drainTimeoutMs: config.drain.nodeTerminationGracePeriodSeconds * 1000,
  };
}

/** The Kubernetes side: the one (keep-alive, rate-limited) client config every adapter is built from. */
export interface KubeClients {
  readonly kubeConfig: KeepAliveKubeConfig;
}

/** Builds the Kubernetes clients with keep-alive and the shared rate limit. */
export function kubeClients(config: Config, clock: Clock): KubeClients {
  const rateLimiter = new RateLimiter(clock, { qps: config.kube.qps, burst: config.kube.burst });
  const kubeConfig = loadKubeConfig({
    kubeconfigPath: config.kube.kubeconfig,
    inCluster: config.kube.inCluster && !config.kube.kubeconfig,
    rateLimiter,
  });
  return { kubeConfig };
}

/** The pieces a mode adds to the shared pipeline. */
export interface PipelineParts {
  readonly resolver: NodeResolver;
  readonly notifier: Notifier;
  readonly lifecycle?: ExecutorDeps['lifecycle'];
  readonly readiness?: ExecutorDeps['readiness'];
  readonly canAct: () => boolean;
  readonly workers: number;
}

/** Builds the actuator, the event recorder, the executor and the pipeline. */
export function buildPipeline(ctx: ModeContext, kube: KubeClients, parts: PipelineParts) {
  const { config, logger, metrics, clock } = ctx;
  const adapters = createKubeAdapters(kube.kubeConfig, metrics);
  const sink = ctx.permanentErrors;
  // fenced innermost: the leadership check runs right before each write leaves, retries included
  const fence = parts.canAct;
  const actuator = new KubeNodeActuator({
    nodes: new CachedNodeApi(
      fenceNodeApi(watchPermanentErrors(adapters.nodes, 'kube', 'nodes', sink), fence),
      clock,
    ),
    pods: fencePodApi(watchPermanentErrors(adapters.pods, 'kube', 'pods', sink), fence),
    surgeApi: fenceSurgeApi(adapters.deployments, fence),
    clock,
    logger: logger.child({ component: 'actions' }),
    metrics,
    options: actuatorOptions(config),
  });
  const recorder: StepRecorder = stepRecorder(
    new KubeEventRecorder(
      KubeEventsAdapter.fromKubeConfig(kube.kubeConfig),
      {
        enabled: config.node.emitKubernetesEvents,
        podName: config.general.podName,
        nodeName: config.general.nodeName,
        extraAnnotations: config.node.kubernetesEventsExtraAnnotations,
        dryRun: config.general.dryRun,
        ...(config.node.taintNode ? { taintEffect: config.node.taintEffect } : {}),
      },
      { logger, clock, metrics },
    ),
  );
  const options = executorOptions(config);
  const executor = new Executor(
    {
      actuator,
      resolver: parts.resolver,
      notifier: parts.notifier,
      recorder,
      lifecycle: parts.lifecycle,
      readiness: parts.readiness,
      clock,
      logger: logger.child({ component: 'executor' }),
      metrics,
      canAct: parts.canAct,
      // one action at a time in IMDS mode: nothing to gate
      ...(parts.workers > 1 ? { cordonGate: new CordonGate(clock) } : {}),
    },
    options,
  );
  const pipeline = new Pipeline(
    {
      executor,
      actuator,
      clock,
      logger: logger.child({ component: 'pipeline' }),
      metrics,
      resolver: parts.resolver,
    },
    { ...options, workers: parts.workers },
  );
  return { actuator, pipeline };
}
