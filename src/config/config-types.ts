/** The validated, frozen configuration every component receives a section of (STYLE rule 5). */

/** How the daemon runs: one pod per node (imds) or a replicated queue consumer (queue). */
export const MODES = ['imds', 'queue'] as const;
export type Mode = (typeof MODES)[number];

/** pino log levels we accept. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Log output formats. */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Kubernetes taint effects. */
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'] as const;
export type TaintEffect = (typeof TAINT_EFFECTS)[number];

/** When a webhook fires. */
export const WEBHOOK_TRIGGERS = ['start', 'success', 'failure'] as const;
export type WebhookTrigger = (typeof WEBHOOK_TRIGGERS)[number];

/** Process-wide settings. */
export interface GeneralConfig {
  /** The node this pod runs on (downward API); required in imds mode. */
  readonly nodeName: string | undefined;
  readonly podName: string | undefined;
  readonly podNamespace: string | undefined;
  readonly logLevel: LogLevel;
  readonly logFormat: LogFormat;
  /** Port for /healthz, /readyz, /metrics (0 picks a free port). */
  readonly httpPort: number;
  /** Serve /metrics on `metricsPort` too (NTH ENABLE_PROMETHEUS_SERVER). */
  readonly metricsServer: boolean;
  /** Port of the extra /metrics listener (NTH PROMETHEUS_SERVER_PORT). */
  readonly metricsPort: number;
  readonly dryRun: boolean;
  readonly cordonOnly: boolean;
  readonly shutdownGraceSeconds: number;
  readonly allowControlPlaneNodes: boolean;
}

/** How to reach the Kubernetes API. */
export interface KubeConfig {
  /** Path to a kubeconfig file; unset means in-cluster, else the client's default (~/.kube/config). */
  readonly kubeconfig: string | undefined;
  readonly qps: number;
  readonly burst: number;
  /** KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT are both set (derived, not an option). */
  readonly inCluster: boolean;
}

/** What is put on the node. */
export interface NodeConfig {
  readonly taintNode: boolean;
  readonly taintEffect: TaintEffect;
  readonly enableOutOfServiceTaint: boolean;
  readonly excludeFromLoadBalancers: boolean;
  readonly emitKubernetesEvents: boolean;
  readonly kubernetesEventsExtraAnnotations: Readonly<Record<string, string>>;
}

/** How pods are drained. */
export interface DrainConfig {
  readonly ignoreDaemonSets: boolean;
  readonly deleteEmptyDirData: boolean;
  readonly evictUnmanagedPods: boolean;
  /** Grace period given to each pod; -1 = the pod's own terminationGracePeriodSeconds. */
  readonly podTerminationGracePeriodSeconds: number;
  /** Overall drain timeout. */
  readonly nodeTerminationGracePeriodSeconds: number;
  readonly deadlineMarginSeconds: number;
  readonly forceAtDeadline: boolean;
  readonly forceLeadSeconds: number;
  readonly surgeBeforeEvict: boolean;
  readonly evictionConcurrency: number;
  readonly criticalPriorityThreshold: number;
}

/** IMDS mode: what to poll and which notices to act on. */
export interface ImdsConfig {
  readonly metadataUrl: string;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
  readonly v1Fallback: boolean;
  readonly enableSpotInterruptionDraining: boolean;
  readonly enableRebalanceMonitoring: boolean;
  readonly enableRebalanceDraining: boolean;
  /** How long a rebalance cordon stays; 0 = keep. */
  readonly rebalanceCordonTtlSeconds: number;
  readonly enableScheduledEventDraining: boolean;
  readonly scheduledEventLeadSeconds: number;
  readonly enableAsgLifecycleDraining: boolean;
  readonly uptimeFromFile: string;
}

/** Queue mode: SQS consumption, lifecycle hooks, leader election. */
export interface QueueConfig {
  /** Required in queue mode. */
  readonly queueUrl: string | undefined;
  readonly visibilityTimeoutSeconds: number;
  /** Node actions at once. */
  readonly workers: number;
  readonly deleteMessageIfNodeNotFound: boolean;
  readonly checkTagBeforeDraining: boolean;
  readonly managedTag: string;
  /** -1 = complete at once. */
  readonly completeLifecycleActionDelaySeconds: number;
  /** -1 = auto (half the hook's heartbeat timeout). */
  readonly heartbeatIntervalSeconds: number;
  /** -1 = until the action ends. */
  readonly heartbeatUntilSeconds: number;
  readonly launchReadyTimeoutSeconds: number;
  readonly leaderElect: boolean;
  readonly leaseName: string;
  /** POD_NAMESPACE when unset, else kube-system. */
  readonly leaseNamespace: string;
  readonly leaseDurationSeconds: number;
  readonly leaseRenewSeconds: number;
  readonly leaseRetrySeconds: number;
}

/** AWS region and endpoint overrides (queue mode). */
export interface AwsConfig {
  /** --aws-region, AWS_REGION, AWS_DEFAULT_REGION, else parsed from the queue URL host. */
  readonly region: string | undefined;
  readonly endpointUrl: string | undefined;
  readonly sqsEndpointUrl: string | undefined;
  readonly ec2EndpointUrl: string | undefined;
  readonly autoScalingEndpointUrl: string | undefined;
}

/** Webhook notifications. `url` and `headers` are secrets. */
export interface WebhookConfig {
  /** From --webhook-url, or the contents of --webhook-url-file. */
  readonly url: string | undefined;
  readonly urlFile: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** From --webhook-template, or the contents of --webhook-template-file (the file wins). */
  readonly template: string | undefined;
  readonly templateFile: string | undefined;
  /** WEBHOOK_PROXY, else HTTPS_PROXY / https_proxy. */
  readonly proxyUrl: string | undefined;
  /** NO_PROXY / no_proxy entries (derived, not an option). */
  readonly noProxy: readonly string[];
  readonly timeoutMs: number;
  readonly retries: number;
  readonly events: readonly WebhookTrigger[];
}

/** The whole configuration. */
export interface Config {
  readonly mode: Mode;
  readonly general: GeneralConfig;
  readonly kube: KubeConfig;
  readonly node: NodeConfig;
  readonly drain: DrainConfig;
  readonly imds: ImdsConfig;
  readonly queue: QueueConfig;
  readonly aws: AwsConfig;
  readonly webhook: WebhookConfig;
}

/** Config sections (every key of Config except `mode`). */
export type SectionName = Exclude<keyof Config, 'mode'>;

/** Fields computed by the loader rather than read from an option. */
export interface DerivedFields {
  readonly kube: 'inCluster';
  readonly webhook: 'noProxy';
}
