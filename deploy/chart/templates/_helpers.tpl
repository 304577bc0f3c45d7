{{/* Labels of every object: MetalLB's app label (the speakers' gossip join selects on it, ML6) plus Helm's. */}}
{{- define "ferrolb.labels" -}}
app: metallb
app.kubernetes.io/name: ferrolb
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels of a component's objects and pods; the selector uses only app + component, as deploy/ does. */}}
{{- define "ferrolb.componentLabels" -}}
{{ include "ferrolb.labels" .root }}
component: {{ .component }}
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
