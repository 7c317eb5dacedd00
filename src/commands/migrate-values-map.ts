/**
 * The NTH chart value → spot-handler chart value table used by `spot-handler migrate-values`
 * (docs/migration-from-nth.md, "Chart values", says the same in prose). One row per NTH key path.
 */

/** Where an NTH value goes. */
export type MigrationRule =
  /** Copied as is to `to`; when `to` depends on the mode, the key of the other mode has no effect. */
  | { readonly kind: 'copy'; readonly to: string | { readonly queue?: string; readonly imds?: string } }
  /** Converted by the converter's own code (mode, selectors merged, secrets, JSON strings…). */
  | { readonly kind: 'special' }
  /** No equivalent: reported with the reason. */
  | { readonly kind: 'none'; readonly reason: string };

const copy = (to: string): MigrationRule => ({ kind: 'copy', to });
const byMode = (queue: string, imds: string): MigrationRule => ({ kind: 'copy', to: { queue, imds } });
const queueOnly = (queue: string): MigrationRule => ({ kind: 'copy', to: { queue } });
const imdsOnly = (imds: string): MigrationRule => ({ kind: 'copy', to: { imds } });
const special: MigrationRule = { kind: 'special' };
const none = (reason: string): MigrationRule => ({ kind: 'none', reason });

const WINDOWS = 'spot-handler runs on Linux nodes only';

/** Every NTH chart key (test/fixtures/nth-names/chart-keys.txt) and what becomes of it. */
export const NTH_VALUE_RULES: Readonly<Record<string, MigrationRule>> = {
  'image.repository': none('spot-handler has its own image (chart `image.repository`)'),
  'image.tag': none('spot-handler has its own image; empty `image.tag` means the chart appVersion'),
  'image.pullPolicy': copy('image.pullPolicy'),
  'image.pullSecrets': special,
  nameOverride: copy('nameOverride'),
  fullnameOverride: copy('fullnameOverride'),
  'serviceAccount.create': copy('serviceAccount.create'),
  'serviceAccount.name': copy('serviceAccount.name'),
  'serviceAccount.annotations': special,
  'rbac.create': copy('rbac.create'),
  'rbac.pspEnabled': none('PodSecurityPolicy is gone (Kubernetes >= 1.25)'),
  customLabels: copy('commonLabels'),
  podLabels: copy('podLabels'),
  podAnnotations: copy('podAnnotations'),
  podSecurityContext: none("kept spot-handler's (uid 65532, non-root); the schema refuses root"),
  securityContext: none("kept spot-handler's (uid 65532, read-only root, no capabilities)"),
  terminationGracePeriodSeconds: copy('terminationGracePeriodSeconds'),
  resources: byMode('deployment.resources', 'daemonset.resources'),
  nodeSelector: special,
  affinity: special,
  tolerations: special,
  topologySpreadConstraints: queueOnly('deployment.topologySpreadConstraints'),
  extraEnv: copy('extraEnv'),
  probes: none(
    'probes are always on at `httpPort` (/healthz, /readyz); tune `probes.liveness`/`probes.readiness`',
  ),
  logLevel: copy('logLevel'),
  logFormatVersion: none('one log format'),
  jsonLogging: special,
  enablePrometheusServer: special,
  prometheusServerPort: special,
  dryRun: copy('dryRun'),
  cordonOnly: copy('cordonOnly'),
  taintNode: copy('node.taint'),
  enableOutOfServiceTaint: copy('node.outOfServiceTaint'),
  excludeFromLoadBalancers: copy('node.excludeFromLoadBalancers'),
  deleteLocalData: copy('drain.deleteEmptyDirData'),
  ignoreDaemonSets: copy('drain.ignoreDaemonSets'),
  podTerminationGracePeriod: copy('drain.podTerminationGracePeriod'),
  nodeTerminationGracePeriod: copy('drain.nodeTerminationGracePeriod'),
  emitKubernetesEvents: copy('node.emitKubernetesEvents'),
  completeLifecycleActionDelaySeconds: queueOnly('queue.completeLifecycleActionDelaySeconds'),
  kubernetesEventsExtraAnnotations: copy('node.kubernetesEventsExtraAnnotations'),
  webhookURL: copy('webhook.url'),
  webhookURLSecretName: special,
  webhookHeaders: special,
  webhookProxy: copy('webhook.proxy'),
  webhookTemplate: copy('webhook.template'),
  webhookTemplateConfigMapName: copy('webhook.templateConfigMap'),
  webhookTemplateConfigMapKey: special,
  enableSqsTerminationDraining: special,
  replicas: queueOnly('deployment.replicas'),
  strategy: queueOnly('deployment.strategy'),
  podDisruptionBudget: special,
  'serviceMonitor.create': copy('metrics.serviceMonitor.enabled'),
  'serviceMonitor.namespace': none('monitors are created in the release namespace'),
  'serviceMonitor.labels': copy('metrics.serviceMonitor.labels'),
  'serviceMonitor.interval': copy('metrics.serviceMonitor.interval'),
  'serviceMonitor.sampleLimit': none('no sample limit; set limits in Prometheus'),
  priorityClassName: queueOnly('deployment.priorityClassName'),
  awsRegion: queueOnly('queue.region'),
  queueURL: queueOnly('queue.url'),
  workers: queueOnly('queue.workers'),
  checkTagBeforeDraining: queueOnly('queue.checkTagBeforeDraining'),
  checkASGTagBeforeDraining: queueOnly('queue.checkTagBeforeDraining'),
  managedTag: queueOnly('queue.managedTag'),
  managedAsgTag: queueOnly('queue.managedTag'),
  useProviderId: none('not needed: spec.providerID is always tried first'),
  deleteSqsMsgIfNodeNotFound: queueOnly('queue.deleteMessageIfNodeNotFound'),
  heartbeatInterval: queueOnly('queue.heartbeatInterval'),
  heartbeatUntil: queueOnly('queue.heartbeatUntil'),
  sqsMsgVisibilityTimeoutSec: queueOnly('queue.visibilityTimeoutSeconds'),
  targetNodeOs: special,
  linuxPodLabels: special,
  windowsPodLabels: none(WINDOWS),
  linuxPodAnnotations: special,
  windowsPodAnnotations: none(WINDOWS),
  updateStrategy: imdsOnly('daemonset.updateStrategy'),
  daemonsetPriorityClassName: imdsOnly('daemonset.priorityClassName'),
  'podMonitor.create': copy('metrics.podMonitor.enabled'),
  'podMonitor.namespace': none('monitors are created in the release namespace'),
  'podMonitor.labels': copy('metrics.podMonitor.labels'),
  'podMonitor.interval': copy('metrics.podMonitor.interval'),
  'podMonitor.sampleLimit': none('no sample limit; set limits in Prometheus'),
  useHostNetwork: imdsOnly('daemonset.hostNetwork'),
  dnsPolicy: imdsOnly('daemonset.dnsPolicy'),
  dnsConfig: none('not supported: no DNS lookups besides the API server and AWS endpoints'),
  linuxDnsPolicy: special,
  windowsDnsPolicy: none(WINDOWS),
  daemonsetNodeSelector: special,
  linuxNodeSelector: special,
  windowsNodeSelector: none(WINDOWS),
  daemonsetAffinity: special,
  linuxAffinity: special,
  windowsAffinity: none(WINDOWS),
  daemonsetTolerations: special,
  linuxTolerations: special,
  windowsTolerations: none(WINDOWS),
  enableProbesServer: none('probes are always on at `httpPort`'),
  metadataTries: none('not needed: IMDS is retried with backoff'),
  enableSpotInterruptionDraining: imdsOnly('imds.enableSpotInterruptionDraining'),
  enableASGLifecycleDraining: imdsOnly('imds.enableAsgLifecycleDraining'),
  enableScheduledEventDraining: imdsOnly('imds.enableScheduledEventDraining'),
  enableRebalanceMonitoring: imdsOnly('imds.enableRebalanceMonitoring'),
  enableRebalanceDraining: imdsOnly('imds.enableRebalanceDraining'),
  awsEndpoint: queueOnly('queue.endpointUrl'),
  awsAccessKeyID: none(
    'static AWS keys are not supported: use IRSA (`serviceAccount.roleArn`) or Pod Identity',
  ),
  awsSecretAccessKey: none(
    'static AWS keys are not supported: use IRSA (`serviceAccount.roleArn`) or Pod Identity',
  ),
  instanceMetadataURL: imdsOnly('imds.metadataUrl'),
  procUptimeFile: imdsOnly('imds.uptimeFromFile'),
};
