{{/* The container, shared by the DaemonSet and the Deployment. Call with (dict "ctx" $ "resources" ...). */}}
{{- define "spot-handler.container" -}}
{{- $ := .ctx -}}
- name: spot-handler
  image: {{ include "spot-handler.image" $ | quote }}
  imagePullPolicy: {{ $.Values.image.pullPolicy }}
  args: [{{ $.Values.mode | quote }}]
  env:
    {{- include "spot-handler.env.common" $ | trim | nindent 4 }}
    {{- if eq $.Values.mode "imds" }}
    {{- include "spot-handler.env.imds" $ | trim | nindent 4 }}
    {{- else }}
    {{- include "spot-handler.env.queue" $ | trim | nindent 4 }}
    {{- end }}
    {{- with $.Values.extraEnv }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    - name: http
      containerPort: {{ $.Values.httpPort }}
      protocol: TCP
    {{- with $.Values.metrics.prometheusServerPort }}
    - name: metrics
      containerPort: {{ . }}
      protocol: TCP
    {{- end }}
  livenessProbe:
    httpGet:
      path: /healthz
      port: http
    {{- toYaml $.Values.probes.liveness | nindent 4 }}
  readinessProbe:
    httpGet:
      path: /readyz
      port: http
    {{- toYaml $.Values.probes.readiness | nindent 4 }}
  resources:
    {{- toYaml .resources | nindent 4 }}
  securityContext:
    {{- toYaml $.Values.securityContext | nindent 4 }}
  volumeMounts:
    - name: tmp
      mountPath: /tmp
    {{- if include "spot-handler.webhookSecret" $ }}
    - name: webhook
      mountPath: /etc/spot-handler/webhook
      readOnly: true
    {{- end }}
    {{- if include "spot-handler.webhookTemplateConfigMap" $ }}
    - name: webhook-template
      mountPath: /etc/spot-handler/webhook-template
      readOnly: true
    {{- end }}
{{- end }}

{{/* Volumes matching the container's mounts. */}}
{{- define "spot-handler.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 16Mi
{{- with include "spot-handler.webhookSecret" . }}
- name: webhook
  secret:
    secretName: {{ . }}
    items:
      - key: url
        path: url
{{- end }}
{{- with include "spot-handler.webhookTemplateConfigMap" . }}
- name: webhook-template
  configMap:
    name: {{ . }}
    items:
      - key: template
        path: template
{{- end }}
{{- end }}

{{/* Pod metadata: labels and annotations (a checksum rolls the pods when the chart-made webhook config changes). */}}
{{- define "spot-handler.podMetadata" -}}
labels:
  {{- include "spot-handler.selectorLabels" . | nindent 2 }}
  app.kubernetes.io/component: {{ .Values.mode }}
  {{- with .Values.podLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- if or .Values.podAnnotations .Values.webhook.url .Values.webhook.template }}
annotations:
  {{- if or .Values.webhook.url .Values.webhook.template }}
  checksum/webhook: {{ include (print .Template.BasePath "/webhook.yaml") . | sha256sum }}
  {{- end }}
  {{- with .Values.podAnnotations }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}
{{- end }}

{{/* Pod spec fields shared by both workloads. */}}
{{- define "spot-handler.podCommon" -}}
serviceAccountName: {{ include "spot-handler.serviceAccountName" . }}
automountServiceAccountToken: true
terminationGracePeriodSeconds: {{ include "spot-handler.terminationGracePeriodSeconds" . }}
securityContext:
  {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- with .Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  {{- include "spot-handler.volumes" . | nindent 2 }}
{{- end }}

{{/* IMDS mode: where the DaemonSet's pods run and how they resolve names (the helm test pod runs alike). */}}
{{- define "spot-handler.imdsPlacement" -}}
dnsPolicy: {{ default (ternary "ClusterFirstWithHostNet" "ClusterFirst" .Values.daemonset.hostNetwork) .Values.daemonset.dnsPolicy }}
{{- with .Values.daemonset.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
affinity:
  {{- if .Values.daemonset.affinity }}
  {{- toYaml .Values.daemonset.affinity | nindent 2 }}
  {{- else }}
  nodeAffinity:
    requiredDuringSchedulingIgnoredDuringExecution:
      nodeSelectorTerms:
        {{- if .Values.daemonset.spotOnly }}
        - matchExpressions:
            - key: eks.amazonaws.com/compute-type
              operator: NotIn
              values: [fargate]
            - key: eks.amazonaws.com/capacityType
              operator: In
              values: [SPOT]
        - matchExpressions:
            - key: eks.amazonaws.com/compute-type
              operator: NotIn
              values: [fargate]
            - key: karpenter.sh/capacity-type
              operator: In
              values: [spot]
        {{- else }}
        - matchExpressions:
            - key: eks.amazonaws.com/compute-type
              operator: NotIn
              values: [fargate]
        {{- end }}
  {{- end }}
{{- end }}
