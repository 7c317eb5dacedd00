/** Schema: general, kube and node sections (names fixed by docs/plan/contracts.md). */
import { LOG_FORMATS, LOG_LEVELS, TAINT_EFFECTS } from './config-types.js';
import type { SectionSchema } from './option-spec.js';

/** Process-wide options. */
export const GENERAL_SCHEMA: SectionSchema<'general'> = {
  nodeName: {
    type: 'string',
    flag: '--node-name',
    env: 'NODE_NAME',
    default: undefined,
    modes: 'both',
    requiredIn: 'imds',
    description: 'Name of the node this pod runs on (downward API spec.nodeName).',
  },
  podName: {
    type: 'string',
    flag: '--pod-name',
    env: 'POD_NAME',
    default: undefined,
    modes: 'both',
    description: 'Name of this pod (downward API); its own pod is never evicted.',
  },
  podNamespace: {
    type: 'string',
    flag: '--pod-namespace',
    env: 'POD_NAMESPACE',
    aliases: [{ env: 'NAMESPACE', nth: true }],
    default: undefined,
    modes: 'both',
    description: 'Namespace of this pod (downward API).',
  },
  logLevel: {
    type: 'enum',
    flag: '--log-level',
    env: 'LOG_LEVEL',
    values: LOG_LEVELS,
    caseInsensitive: true,
    default: 'info',
    modes: 'both',
    description: 'Minimum level of log lines written.',
  },
  logFormat: {
    type: 'enum',
    flag: '--log-format',
    env: 'LOG_FORMAT',
    aliases: [
      { env: 'JSON_LOGGING', flag: '--json-logging', nth: true, boolMap: { true: 'json', false: 'pretty' } },
    ],
    values: LOG_FORMATS,
    default: 'json',
    modes: 'both',
    description: 'json: one JSON object per line (for log pipelines); pretty: human-readable.',
  },
  httpPort: {
    type: 'int',
    flag: '--http-port',
    env: 'HTTP_PORT',
    aliases: [{ env: 'PROBES_SERVER_PORT', flag: '--probes-server-port', nth: true }],
    default: 8080,
    min: 0,
    max: 65535,
    modes: 'both',
    description: 'Port serving /healthz, /readyz and /metrics (0 picks a free port).',
  },
  metricsServer: {
    type: 'bool',
    flag: '--enable-prometheus-server',
    env: 'ENABLE_PROMETHEUS_SERVER',
    default: false,
    modes: 'both',
    description:
      "Also serve /metrics on --prometheus-server-port, where NTH serves it, so existing scrape configs keep working (NTH's setting).",
  },
  metricsPort: {
    type: 'int',
    flag: '--prometheus-server-port',
    env: 'PROMETHEUS_SERVER_PORT',
    default: 9092,
    min: 0,
    max: 65535,
    modes: 'both',
    description:
      'Port of the extra /metrics listener when --enable-prometheus-server is set (NTH default 9092); the same as --http-port means one listener.',
  },
  dryRun: {
    type: 'bool',
    flag: '--dry-run',
    env: 'DRY_RUN',
    default: false,
    modes: 'both',
    description:
      'Log what would be done without changing nodes, pods or AWS state (webhooks are still sent).',
  },
  cordonOnly: {
    type: 'bool',
    flag: '--cordon-only',
    env: 'CORDON_ONLY',
    default: false,
    modes: 'both',
    description: 'Taint and cordon the node but never evict pods.',
  },
  shutdownGraceSeconds: {
    type: 'int',
    flag: '--shutdown-grace-seconds',
    env: 'SHUTDOWN_GRACE_SECONDS',
    default: 25,
    min: 0,
    max: 3600,
    modes: 'both',
    description:
      'On SIGTERM, how long in-flight work may continue before exit (keep below the pod terminationGracePeriodSeconds).',
  },
  allowControlPlaneNodes: {
    type: 'bool',
    flag: '--allow-control-plane-nodes',
    env: 'ALLOW_CONTROL_PLANE_NODES',
    default: false,
    modes: 'both',
    description: 'Act on nodes labelled node-role.kubernetes.io/control-plane (skipped by default).',
  },
};

/** Kubernetes API access. */
export const KUBE_SCHEMA: SectionSchema<'kube'> = {
  kubeconfig: {
    type: 'string',
    flag: '--kubeconfig',
    env: 'KUBECONFIG',
    default: undefined,
    defaultText: 'in-cluster, else ~/.kube/config',
    modes: 'both',
    description: 'Path to a kubeconfig file; unset inside a pod means the in-cluster service account.',
  },
  qps: {
    type: 'int',
    flag: '--kube-api-qps',
    env: 'KUBE_API_QPS',
    default: 500,
    min: 1,
    max: 10000,
    modes: 'both',
    description:
      'Client-side rate limit for Kubernetes API requests, shared by all drains (requests/second).',
  },
  burst: {
    type: 'int',
    flag: '--kube-api-burst',
    env: 'KUBE_API_BURST',
    default: 1000,
    min: 1,
    max: 20000,
    modes: 'both',
    description: 'Burst allowance above --kube-api-qps.',
  },
};

/** What is put on the node. */
export const NODE_SCHEMA: SectionSchema<'node'> = {
  taintNode: {
    type: 'bool',
    flag: '--taint-node',
    env: 'TAINT_NODE',
    default: true,
    modes: 'both',
    description: 'Taint the node spot-handler/<kind> (NTH default: false).',
  },
  taintEffect: {
    type: 'enum',
    flag: '--taint-effect',
    env: 'TAINT_EFFECT',
    values: TAINT_EFFECTS,
    default: 'NoSchedule',
    modes: 'both',
    description: 'Effect of the spot-handler taint.',
  },
  enableOutOfServiceTaint: {
    type: 'bool',
    flag: '--enable-out-of-service-taint',
    env: 'ENABLE_OUT_OF_SERVICE_TAINT',
    default: false,
    modes: 'both',
    description:
      'After a drain, add node.kubernetes.io/out-of-service=nodeshutdown:NoExecute (not with --cordon-only).',
  },
  excludeFromLoadBalancers: {
    type: 'bool',
    flag: '--exclude-from-load-balancers',
    env: 'EXCLUDE_FROM_LOAD_BALANCERS',
    default: false,
    modes: 'both',
    description: 'Label the node node.kubernetes.io/exclude-from-external-load-balancers before cordoning.',
  },
  emitKubernetesEvents: {
    type: 'bool',
    flag: '--emit-kubernetes-events',
    env: 'EMIT_KUBERNETES_EVENTS',
    default: true,
    modes: 'both',
    description: 'Record Kubernetes Events on the node (NTH default: false).',
  },
  kubernetesEventsExtraAnnotations: {
    type: 'map',
    flag: '--kubernetes-events-extra-annotations',
    env: 'KUBERNETES_EVENTS_EXTRA_ANNOTATIONS',
    default: {},
    modes: 'both',
    description: 'Annotations added to every Kubernetes Event, as k=v,k2=v2.',
  },
};
