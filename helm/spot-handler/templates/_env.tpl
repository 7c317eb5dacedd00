{{/* A name/value env entry with the value quoted. Call with (list "NAME" value). */}}
{{- define "spot-handler.envVar" -}}
- name: {{ index . 0 }}
  value: {{ index . 1 | toString | quote }}
{{- end }}

{{/* Env shared by both modes (names from docs/plan/contracts.md). */}}
{{- define "spot-handler.env.common" -}}
- name: NODE_NAME
  valueFrom:
    fieldRef:
      fieldPath: spec.nodeName
- name: POD_NAME
  valueFrom:
    fieldRef:
      fieldPath: metadata.name
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
{{ include "spot-handler.envVar" (list "LOG_LEVEL" .Values.logLevel) }}
{{ include "spot-handler.envVar" (list "LOG_FORMAT" .Values.logFormat) }}
{{ include "spot-handler.envVar" (list "HTTP_PORT" .Values.httpPort) }}
{{- with .Values.metrics.prometheusServerPort }}
{{ include "spot-handler.envVar" (list "ENABLE_PROMETHEUS_SERVER" true) }}
{{ include "spot-handler.envVar" (list "PROMETHEUS_SERVER_PORT" .) }}
{{- end }}
{{ include "spot-handler.envVar" (list "DRY_RUN" .Values.dryRun) }}
{{ include "spot-handler.envVar" (list "CORDON_ONLY" .Values.cordonOnly) }}
{{ include "spot-handler.envVar" (list "ALLOW_CONTROL_PLANE_NODES" .Values.allowControlPlaneNodes) }}
{{ include "spot-handler.envVar" (list "KUBE_API_QPS" .Values.kubeApiQps) }}
{{ include "spot-handler.envVar" (list "KUBE_API_BURST" .Values.kubeApiBurst) }}
{{ include "spot-handler.envVar" (list "SHUTDOWN_GRACE_SECONDS" (include "spot-handler.shutdownGraceSeconds" .)) }}
{{ include "spot-handler.envVar" (list "TAINT_NODE" .Values.node.taint) }}
{{ include "spot-handler.envVar" (list "TAINT_EFFECT" .Values.node.taintEffect) }}
{{ include "spot-handler.envVar" (list "ENABLE_OUT_OF_SERVICE_TAINT" .Values.node.outOfServiceTaint) }}
{{ include "spot-handler.envVar" (list "EXCLUDE_FROM_LOAD_BALANCERS" .Values.node.excludeFromLoadBalancers) }}
{{ include "spot-handler.envVar" (list "EMIT_KUBERNETES_EVENTS" .Values.node.emitKubernetesEvents) }}
{{- with .Values.node.kubernetesEventsExtraAnnotations }}
{{ include "spot-handler.envVar" (list "KUBERNETES_EVENTS_EXTRA_ANNOTATIONS" .) }}
{{- end }}
{{ include "spot-handler.envVar" (list "IGNORE_DAEMON_SETS" .Values.drain.ignoreDaemonSets) }}
{{ include "spot-handler.envVar" (list "DELETE_EMPTYDIR_DATA" .Values.drain.deleteEmptyDirData) }}
{{ include "spot-handler.envVar" (list "EVICT_UNMANAGED_PODS" .Values.drain.evictUnmanagedPods) }}
{{ include "spot-handler.envVar" (list "POD_TERMINATION_GRACE_PERIOD" .Values.drain.podTerminationGracePeriod) }}
{{ include "spot-handler.envVar" (list "NODE_TERMINATION_GRACE_PERIOD" .Values.drain.nodeTerminationGracePeriod) }}
{{ include "spot-handler.envVar" (list "DEADLINE_MARGIN_SECONDS" .Values.drain.deadlineMarginSeconds) }}
{{ include "spot-handler.envVar" (list "FORCE_AT_DEADLINE" .Values.drain.forceAtDeadline) }}
{{ include "spot-handler.envVar" (list "FORCE_LEAD_SECONDS" .Values.drain.forceLeadSeconds) }}
{{ include "spot-handler.envVar" (list "SURGE_BEFORE_EVICT" .Values.drain.surgeBeforeEvict) }}
{{ include "spot-handler.envVar" (list "EVICTION_CONCURRENCY" .Values.drain.evictionConcurrency) }}
{{ include "spot-handler.envVar" (list "CRITICAL_PRIORITY_THRESHOLD" (int64 .Values.drain.criticalPriorityThreshold)) }}
{{- include "spot-handler.env.webhook" . }}
{{- end }}

{{/* Webhook env: URL as a mounted file, headers from the Secret, template as a mounted file. */}}
{{- define "spot-handler.env.webhook" -}}
{{- if include "spot-handler.webhookSecret" . }}
- name: WEBHOOK_URL_FILE
  value: /etc/spot-handler/webhook/url
- name: WEBHOOK_HEADERS
  valueFrom:
    secretKeyRef:
      name: {{ include "spot-handler.webhookSecret" . }}
      key: headers
      optional: true
{{- end }}
{{- if include "spot-handler.webhookTemplateConfigMap" . }}
- name: WEBHOOK_TEMPLATE_FILE
  value: /etc/spot-handler/webhook-template/template
{{- end }}
{{- with .Values.webhook.proxy }}
{{ include "spot-handler.envVar" (list "WEBHOOK_PROXY" .) }}
{{- end }}
{{ include "spot-handler.envVar" (list "WEBHOOK_TIMEOUT_MS" .Values.webhook.timeoutMs) }}
{{ include "spot-handler.envVar" (list "WEBHOOK_RETRIES" .Values.webhook.retries) }}
{{ include "spot-handler.envVar" (list "WEBHOOK_EVENTS" .Values.webhook.events) }}
{{- end }}

{{/* IMDS-mode env. */}}
{{- define "spot-handler.env.imds" -}}
{{- with .Values.imds.metadataUrl }}
{{ include "spot-handler.envVar" (list "AWS_EC2_METADATA_SERVICE_ENDPOINT" .) }}
{{- end }}
{{ include "spot-handler.envVar" (list "IMDS_POLL_INTERVAL_MS" .Values.imds.pollIntervalMs) }}
{{ include "spot-handler.envVar" (list "IMDS_TIMEOUT_MS" .Values.imds.timeoutMs) }}
{{ include "spot-handler.envVar" (list "IMDS_V1_FALLBACK" .Values.imds.v1Fallback) }}
{{ include "spot-handler.envVar" (list "ENABLE_SPOT_INTERRUPTION_DRAINING" .Values.imds.enableSpotInterruptionDraining) }}
{{ include "spot-handler.envVar" (list "ENABLE_REBALANCE_MONITORING" .Values.imds.enableRebalanceMonitoring) }}
{{ include "spot-handler.envVar" (list "ENABLE_REBALANCE_DRAINING" .Values.imds.enableRebalanceDraining) }}
{{ include "spot-handler.envVar" (list "REBALANCE_CORDON_TTL_SECONDS" .Values.imds.rebalanceCordonTtlSeconds) }}
{{ include "spot-handler.envVar" (list "ENABLE_SCHEDULED_EVENT_DRAINING" .Values.imds.enableScheduledEventDraining) }}
{{ include "spot-handler.envVar" (list "SCHEDULED_EVENT_LEAD_SECONDS" .Values.imds.scheduledEventLeadSeconds) }}
{{ include "spot-handler.envVar" (list "ENABLE_ASG_LIFECYCLE_DRAINING" .Values.imds.enableAsgLifecycleDraining) }}
{{- with .Values.imds.uptimeFromFile }}
{{ include "spot-handler.envVar" (list "UPTIME_FROM_FILE" .) }}
{{- end }}
{{- end }}

{{/* Queue-mode env. */}}
{{- define "spot-handler.env.queue" -}}
{{ include "spot-handler.envVar" (list "QUEUE_URL" (required "queue.url is required when mode is queue" .Values.queue.url)) }}
{{- with .Values.queue.region }}
{{ include "spot-handler.envVar" (list "AWS_REGION" .) }}
{{- end }}
{{- with .Values.queue.endpointUrl }}
{{ include "spot-handler.envVar" (list "AWS_ENDPOINT_URL" .) }}
{{- end }}
{{ include "spot-handler.envVar" (list "SQS_MSG_VISIBILITY_TIMEOUT_SEC" .Values.queue.visibilityTimeoutSeconds) }}
{{ include "spot-handler.envVar" (list "WORKERS" .Values.queue.workers) }}
{{ include "spot-handler.envVar" (list "DELETE_SQS_MSG_IF_NODE_NOT_FOUND" .Values.queue.deleteMessageIfNodeNotFound) }}
{{ include "spot-handler.envVar" (list "CHECK_TAG_BEFORE_DRAINING" .Values.queue.checkTagBeforeDraining) }}
{{ include "spot-handler.envVar" (list "MANAGED_TAG" .Values.queue.managedTag) }}
{{ include "spot-handler.envVar" (list "COMPLETE_LIFECYCLE_ACTION_DELAY_SECONDS" .Values.queue.completeLifecycleActionDelaySeconds) }}
{{ include "spot-handler.envVar" (list "HEARTBEAT_INTERVAL" .Values.queue.heartbeatInterval) }}
{{ include "spot-handler.envVar" (list "HEARTBEAT_UNTIL" .Values.queue.heartbeatUntil) }}
{{ include "spot-handler.envVar" (list "LAUNCH_READY_TIMEOUT_SECONDS" .Values.queue.launchReadyTimeoutSeconds) }}
{{ include "spot-handler.envVar" (list "LEADER_ELECT" .Values.leaderElection.enabled) }}
{{- if .Values.leaderElection.enabled }}
{{ include "spot-handler.envVar" (list "LEASE_NAME" (include "spot-handler.leaseName" .)) }}
{{ include "spot-handler.envVar" (list "LEASE_NAMESPACE" .Release.Namespace) }}
{{ include "spot-handler.envVar" (list "LEASE_DURATION_SECONDS" .Values.leaderElection.leaseDurationSeconds) }}
{{ include "spot-handler.envVar" (list "LEASE_RENEW_SECONDS" .Values.leaderElection.renewSeconds) }}
{{ include "spot-handler.envVar" (list "LEASE_RETRY_SECONDS" .Values.leaderElection.retrySeconds) }}
{{- end }}
{{- end }}
