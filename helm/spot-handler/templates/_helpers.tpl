{{/* Chart name, cut to the DNS label limit. */}}
{{- define "spot-handler.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name: release-chart, or the release name when it already contains the chart name. */}}
{{- define "spot-handler.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{/* Chart label value. */}}
{{- define "spot-handler.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the pods (never change them: selectors are immutable). */}}
{{- define "spot-handler.selectorLabels" -}}
app.kubernetes.io/name: {{ include "spot-handler.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels on every resource. */}}
{{- define "spot-handler.labels" -}}
helm.sh/chart: {{ include "spot-handler.chart" . }}
{{ include "spot-handler.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: spot-handler
app.kubernetes.io/component: {{ .Values.mode }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* ServiceAccount name. */}}
{{- define "spot-handler.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "spot-handler.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/* Image reference. */}}
{{- define "spot-handler.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/* Pod terminationGracePeriodSeconds: long enough for a drain in flight to finish. */}}
{{- define "spot-handler.terminationGracePeriodSeconds" -}}
{{- if kindIs "invalid" .Values.terminationGracePeriodSeconds }}
{{- add (int .Values.drain.nodeTerminationGracePeriod) 30 }}
{{- else }}
{{- int .Values.terminationGracePeriodSeconds }}
{{- end }}
{{- end }}

{{/* SHUTDOWN_GRACE_SECONDS: leaves 10 s before the kubelet's SIGKILL. */}}
{{- define "spot-handler.shutdownGraceSeconds" -}}
{{- if kindIs "invalid" .Values.shutdownGraceSeconds }}
{{- max 1 (sub (int (include "spot-handler.terminationGracePeriodSeconds" .)) 10) }}
{{- else }}
{{- int .Values.shutdownGraceSeconds }}
{{- end }}
{{- end }}

{{/* Whether the ClusterRole grants pods delete. */}}
{{- define "spot-handler.podDelete" -}}
{{- if or .Values.drain.forceAtDeadline .Values.rbac.evictionFallbackDelete }}true{{ end }}
{{- end }}

{{/* Name of the Secret with the webhook URL and headers, empty when there is none. */}}
{{- define "spot-handler.webhookSecret" -}}
{{- if .Values.webhook.existingSecret }}
{{- .Values.webhook.existingSecret }}
{{- else if .Values.webhook.url }}
{{- printf "%s-webhook" (include "spot-handler.fullname" .) }}
{{- end }}
{{- end }}

{{/* Name of the ConfigMap with the webhook template, empty when there is none. */}}
{{- define "spot-handler.webhookTemplateConfigMap" -}}
{{- if .Values.webhook.templateConfigMap }}
{{- .Values.webhook.templateConfigMap }}
{{- else if .Values.webhook.template }}
{{- printf "%s-webhook-template" (include "spot-handler.fullname" .) }}
{{- end }}
{{- end }}

{{/* Lease name for leader election. */}}
{{- define "spot-handler.leaseName" -}}
{{- default (printf "%s-leader" (include "spot-handler.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}
