{{/* The app.kubernetes.io/name of every object: nameOverride, else the chart's name (MetalLB's rule). */}}
{{- define "ferrolb.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Prefix of the workload, account and monitor names. Empty by default, so the objects keep the
names of MetalLB's manifests and deploy/ (controller, speaker). fullnameOverride or nameOverride
switch to MetalLB's chart naming: <fullname>-controller, where fullname is fullnameOverride, else
the release name (when it contains the name) or <release>-<name>.
*/}}
{{- define "ferrolb.prefix" -}}
{{- if .Values.fullnameOverride }}
{{- printf "%s-" (.Values.fullnameOverride | trunc 50 | trimSuffix "-") }}
{{- else if .Values.nameOverride }}
{{- $name := .Values.nameOverride }}
{{- $full := ternary .Release.Name (printf "%s-%s" .Release.Name $name) (contains $name .Release.Name) }}
{{- printf "%s-" ($full | trunc 50 | trimSuffix "-") }}
{{- end }}
{{- end }}

{{/* The name of a component's objects: (dict "root" $ "component" "speaker"). */}}
{{- define "ferrolb.componentName" -}}
{{ include "ferrolb.prefix" .root }}{{ .component }}
{{- end }}

{{/* Labels of every object: MetalLB's app label (the speakers' gossip join selects on it, ML6) plus Helm's. */}}
{{- define "ferrolb.labels" -}}
app: metallb
app.kubernetes.io/name: {{ include "ferrolb.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of a component's objects; the selector uses only app + component, as deploy/ does. */}}
{{- define "ferrolb.componentLabels" -}}
{{ include "ferrolb.labels" .root }}
component: {{ .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}

{{/* Labels of a component's pods: the component's labels plus <component>.labels (MetalLB's value). */}}
{{- define "ferrolb.podLabels" -}}
{{ include "ferrolb.componentLabels" . }}
{{- range $key, $value := (get .root.Values .component).labels }}
{{ $key }}: {{ $value | quote }}
{{- end }}
{{- end }}

{{/* The ServiceAccount a component runs as (MetalLB's rule: name, else generated, else "default"). */}}
{{- define "ferrolb.serviceAccountName" -}}
{{- $account := (get .root.Values .component).serviceAccount }}
{{- if $account.create }}
{{- default (include "ferrolb.componentName" .) $account.name }}
{{- else }}
{{- default "default" $account.name }}
{{- end }}
{{- end }}

{{/* The gossip Secret: MetalLB's speaker.secretName when set, else speaker.memberlist.secretName. */}}
{{- define "ferrolb.secretName" -}}
{{- default .Values.speaker.memberlist.secretName .Values.speaker.secretName }}
{{- end }}

{{- define "ferrolb.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}
{{- end }}

{{/* Flags both daemons take; --lb-class only when set, so the default matches deploy/. */}}
{{- define "ferrolb.commonArgs" -}}
- --port={{ .Values.prometheus.metricsPort }}
{{- if .Values.loadBalancerClass }}
- --lb-class={{ .Values.loadBalancerClass }}
{{- end }}
{{- end }}

{{- define "ferrolb.podAnnotations" -}}
{{- if .root.Values.prometheus.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .root.Values.prometheus.metricsPort | quote }}
{{- end }}
{{- with .extra }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
A probe on the metrics port: (dict "probe" <values> "path" "/healthz" "host" "127.0.0.1").
MetalLB's probe values are honoured except `port` (ferrolb serves its probes on the metrics port).
*/}}
{{- define "ferrolb.probe" -}}
httpGet:
  path: {{ .path }}
  port: monitoring
  {{- with .host }}
  host: {{ . }}
  {{- end }}
{{- range $field := list "initialDelaySeconds" "periodSeconds" "timeoutSeconds" "successThreshold" "failureThreshold" }}
{{- if hasKey $.probe $field }}
{{ $field }}: {{ get $.probe $field }}
{{- end }}
{{- end }}
{{- end }}

{{/* A component's probes, each only when its `enabled` is true. */}}
{{- define "ferrolb.probes" -}}
{{- $values := get .root.Values .component }}
{{- if $values.livenessProbe.enabled }}
livenessProbe:
  {{- include "ferrolb.probe" (dict "probe" $values.livenessProbe "path" "/healthz" "host" .host) | nindent 2 }}
{{- end }}
{{- if $values.readinessProbe.enabled }}
readinessProbe:
  {{- include "ferrolb.probe" (dict "probe" $values.readinessProbe "path" "/readyz" "host" .host) | nindent 2 }}
{{- end }}
{{- if and $values.startupProbe $values.startupProbe.enabled }}
startupProbe:
  {{- include "ferrolb.probe" (dict "probe" $values.startupProbe "path" "/healthz" "host" .host) | nindent 2 }}
{{- end }}
{{- end }}

{{/* Scheduling fields shared by both workloads: (dict "root" $ "values" <component values>). */}}
{{- define "ferrolb.scheduling" -}}
{{- with .values.runtimeClassName }}
runtimeClassName: {{ . }}
{{- end }}
{{- with .values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with .values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .values.securityContext }}
securityContext:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .root.Values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* One IPAddressPool: .pool is the values entry, .shared whether to write the share-address-pool annotation. */}}
{{- define "ferrolb.pool" -}}
{{- $pool := .pool -}}
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata:
  name: {{ required "every pool needs a name" $pool.name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "ferrolb.labels" .root | nindent 4 }}
    {{- with $pool.labels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- if or .shared $pool.annotations }}
  annotations:
    {{- if .shared }}
    metallb.universe.tf/share-address-pool: "true"
    {{- end }}
    {{- with $pool.annotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- end }}
spec:
  addresses:
    {{- required (printf "pool %s needs addresses" $pool.name) $pool.addresses | toYaml | nindent 4 }}
  autoAssign: {{ if hasKey $pool "autoAssign" }}{{ $pool.autoAssign }}{{ else }}true{{ end }}
  avoidBuggyIPs: {{ $pool.avoidBuggyIPs | default false }}
  {{- with $pool.serviceAllocation }}
  serviceAllocation:
    {{- toYaml . | nindent 4 }}
  {{- end }}
{{- end }}

{{/* A monitor endpoint's relabelings: job first (prometheus.jobName), then the user's lists. */}}
{{- define "ferrolb.monitorRelabelings" -}}
{{- $relabelings := .monitor.relabelings | default list }}
{{- with .root.Values.prometheus.jobName }}
{{- $relabelings = prepend $relabelings (dict "targetLabel" "job" "replacement" .) }}
{{- end }}
{{- with $relabelings }}
relabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .monitor.metricRelabelings }}
metricRelabelings:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
