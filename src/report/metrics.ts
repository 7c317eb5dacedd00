/**
 * Every metric spot-handler exposes, created on an injected registry (STYLE: no global registry).
 * Label sets are bounded: never node names, pod names or event ids. docs/metrics.md lists each one
 * and test/unit/report/metrics-doc.test.ts fails when the two disagree.
 */
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from './prom-client-lean.js';

const PREFIX = 'spot_handler_';

/** Latency buckets (seconds) for notice-to-cordon: sub-second matters. */
const FAST_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];
/** Buckets (seconds) for drains and notice-to-drained: the spot window is 120 s. */
const DRAIN_BUCKETS = [0.5, 1, 2, 5, 10, 20, 30, 45, 60, 90, 120, 180, 300, 600, 1800];

/** Build identity for `spot_handler_build_info`. */
export interface BuildInfo {
  readonly version: string;
  readonly mode: string;
}

/** Creates and registers every metric; known series are zeroed so alerts see 0, not absent. */
export function createMetrics(
  registry: Registry,
  build: BuildInfo,
  options: { defaultMetrics?: boolean } = {},
) {
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: PREFIX });
  const registers = [registry];

  const buildInfo = new Gauge({
    name: `${PREFIX}build_info`,
    help: 'Build information; always 1.',
    labelNames: ['version', 'node_version', 'mode'] as const,
    registers,
  });
  buildInfo.set({ version: build.version, node_version: process.version, mode: build.mode }, 1);

  const metrics = {
    buildInfo,
    eventsReceived: new Counter({
      name: `${PREFIX}events_received_total`,
      help: 'Interruption events received, by kind and source.',
      labelNames: ['kind', 'source'] as const,
      registers,
    }),
    inputsIgnored: new Counter({
      name: `${PREFIX}inputs_ignored_total`,
      help: 'Inputs (SQS messages, IMDS bodies) that needed no action, by source and reason.',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    inputsInvalid: new Counter({
      name: `${PREFIX}inputs_invalid_total`,
      help: 'Inputs that can never become valid (malformed, unknown), by source and reason.',
      labelNames: ['source', 'reason'] as const,
      registers,
    }),
    foreignInstances: new Counter({
      name: `${PREFIX}foreign_instances_total`,
      help: 'Events for instances that are not nodes of this cluster (or not managed), by outcome.',
      labelNames: ['outcome'] as const,
      registers,
    }),
    actions: new Counter({
      name: `${PREFIX}actions_total`,
      help: 'Node actions taken, by action and result.',
      labelNames: ['action', 'result'] as const,
      registers,
    }),
    drains: new Counter({
      name: `${PREFIX}drains_total`,
      help: 'Drains finished, by result (succeeded, forced, blocked, timed_out, failed).',
      labelNames: ['result'] as const,
      registers,
    }),
    drainsInFlight: new Gauge({
      name: `${PREFIX}drains_in_flight`,
      help: 'Drains running now.',
      registers,
    }),
    podsEvicted: new Counter({
      name: `${PREFIX}pods_evicted_total`,
      help: 'Pods evicted through the Eviction API (or deleted where eviction is unavailable).',
      registers,
    }),
    podsForceDeleted: new Counter({
      name: `${PREFIX}pods_deleted_at_deadline_total`,
      help: 'Pods deleted despite a PodDisruptionBudget because the deadline of an urgent kind was near.',
      registers,
    }),
    podsBlockedByPdb: new Counter({
      name: `${PREFIX}pods_blocked_by_pdb_total`,
      help: 'Eviction attempts refused by a PodDisruptionBudget.',
      registers,
    }),
    podsRefused: new Counter({
      name: `${PREFIX}pods_refusing_drain_total`,
      help: 'Pods that made a drain fail as kubectl does: DaemonSet pods without ignore-daemon-sets, emptyDir pods without delete-emptydir-data.',
      labelNames: ['reason'] as const,
      registers,
    }),
    surges: new Counter({
      name: `${PREFIX}surge_total`,
      help: 'Surge-before-evict outcomes per Deployment and drain: surged, fell_back, not_eligible.',
      labelNames: ['result'] as const,
      registers,
    }),
    noticeToCordonSeconds: new Histogram({
      name: `${PREFIX}notice_to_cordon_seconds`,
      help: 'Time from the notice being seen to the node being cordoned, by kind.',
      labelNames: ['kind'] as const,
      buckets: FAST_BUCKETS,
      registers,
    }),
    noticeToDrainedSeconds: new Histogram({
      name: `${PREFIX}notice_to_drained_seconds`,
      help: 'Time from the notice being seen to the node being drained, by kind.',
      labelNames: ['kind'] as const,
      buckets: DRAIN_BUCKETS,
      registers,
    }),
    drainDurationSeconds: new Histogram({
      name: `${PREFIX}drain_duration_seconds`,
      help: 'Duration of drains, by result.',
      labelNames: ['result'] as const,
      buckets: DRAIN_BUCKETS,
      registers,
    }),
    deadlineSlackSeconds: new Histogram({
      name: `${PREFIX}deadline_slack_seconds`,
      help: 'Time left before the deadline when a drain finished (negative: after it), by kind.',
      labelNames: ['kind'] as const,
      buckets: [-30, -10, 0, 5, 10, 20, 30, 60, 90, 120, 300, 3600],
      registers,
    }),
    sqsMessageAgeSeconds: new Histogram({
      name: `${PREFIX}sqs_message_age_seconds`,
      help: 'Age of SQS messages when received (now minus SentTimestamp).',
      buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 900],
      registers,
    }),
    sqsErrors: new Counter({
      name: `${PREFIX}sqs_errors_total`,
      help: 'SQS call failures, by operation (receive, delete, change_visibility).',
      labelNames: ['operation'] as const,
      registers,
    }),
    sqsMessagesDeleted: new Counter({
      name: `${PREFIX}sqs_messages_deleted_total`,
      help: 'SQS messages deleted, by why (done, invalid, ignored, foreign).',
      labelNames: ['reason'] as const,
      registers,
    }),
    lifecycleActions: new Counter({
      name: `${PREFIX}lifecycle_actions_total`,
      help: 'ASG lifecycle calls, by call (complete, heartbeat) and result.',
      labelNames: ['call', 'result'] as const,
      registers,
    }),
    imdsPollErrors: new Counter({
      name: `${PREFIX}imds_poll_errors_total`,
      help: 'IMDS requests that failed, by reason (http_5xx, timeout, malformed, unauthorized, network).',
      labelNames: ['reason'] as const,
      registers,
    }),
    imdsTokenTimeout: new Gauge({
      name: `${PREFIX}imds_token_timeout`,
      help: '1 while IMDSv2 token requests time out: IMDS hop limit 1 and the pod is not on the host network.',
      registers,
    }),
    imdsHealthy: new Gauge({
      name: `${PREFIX}imds_healthy`,
      help: '1 while the last IMDS poll succeeded, 0 while IMDS is failing.',
      registers,
    }),
    ready: new Gauge({
      name: `${PREFIX}ready`,
      help: '1 while this replica is ready (/readyz answers 200), else 0.',
      registers,
    }),
    leader: new Gauge({
      name: `${PREFIX}leader`,
      help: '1 while this replica holds the leader lease (queue mode), else 0.',
      registers,
    }),
    permanentError: new Gauge({
      name: `${PREFIX}permanent_error`,
      help: 'Calls failing now with an error only a setup change can fix (IAM, RBAC, credentials, queue URL, region), by component and reason.',
      labelNames: ['component', 'reason'] as const,
      registers,
    }),
    kubeEventsFailed: new Counter({
      name: `${PREFIX}kube_events_failed_total`,
      help: 'Kubernetes Events that could not be created.',
      registers,
    }),
    webhooks: new Counter({
      name: `${PREFIX}webhooks_total`,
      help: 'Webhook deliveries, by trigger (start, success, failure) and result (sent, failed).',
      labelNames: ['trigger', 'result'] as const,
      registers,
    }),
    apiRequests: new Counter({
      name: `${PREFIX}kube_api_requests_total`,
      help: 'Kubernetes API requests made, by verb and result class (2xx, 4xx, 5xx, error).',
      labelNames: ['verb', 'code'] as const,
      registers,
    }),
  };
  metrics.imdsHealthy.set(0);
  metrics.leader.set(0);
  metrics.ready.set(0);
  metrics.drainsInFlight.set(0);
  for (const [component, reason] of permanentErrorSeries(build.mode)) {
    metrics.permanentError.set({ component, reason }, 0);
  }
  for (const reason of ['daemonset', 'local-storage']) metrics.podsRefused.inc({ reason }, 0);
  metrics.imdsTokenTimeout.set(0);
  for (const result of ['surged', 'fell_back', 'not_eligible'] as const) metrics.surges.inc({ result }, 0);
  return metrics;
}

/** The `spot_handler_permanent_error` series a mode can have (zeroed up front). */
function permanentErrorSeries(mode: string): [string, string][] {
  const kube: [string, string][] = [
    ['kube', 'kube_unauthorized'],
    ['kube', 'kube_forbidden'],
  ];
  if (mode !== 'queue') return kube;
  const aws = ['sqs', 'autoscaling', 'ec2'].flatMap((c): [string, string][] => [
    [c, 'access_denied'],
    [c, 'invalid_credentials'],
  ]);
  return [...kube, ...aws, ['sqs', 'queue_not_found'], ['sqs', 'wrong_region']];
}

/** The metric set every component receives. */
export type Metrics = ReturnType<typeof createMetrics>;
