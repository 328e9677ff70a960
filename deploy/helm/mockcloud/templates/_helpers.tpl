{{/* The chart's name, or nameOverride. */}}
{{- define "mockcloud.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The release's full name, kept to 54 characters so that the Services of
Triton's APIs ("<fullname>-cloudapi") stay within DNS's 63.
*/}}
{{- define "mockcloud.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 54 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 54 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "mockcloud.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mockcloud.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "mockcloud.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "mockcloud.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* -services as one comma-separated string: a list or a string in values. */}}
{{- define "mockcloud.services" -}}
{{- if kindIs "slice" .Values.services }}
{{- join "," .Values.services }}
{{- else }}
{{- .Values.services | toString | nospace }}
{{- end }}
{{- end }}

{{/* "true" when Triton is mounted, so its four listeners are opened. */}}
{{- define "mockcloud.triton" -}}
{{- $s := include "mockcloud.services" . }}
{{- if or (eq $s "all") (eq $s "") (has "triton" (splitList "," $s)) }}true{{ end }}
{{- end }}

{{/*
Triton's listeners: the key in .Values.ports, the server's flag, and the
suffix of its Service's name.
*/}}
{{- define "mockcloud.tritonListeners" -}}
- {port: cloudapi, flag: triton-addr}
- {port: vmapi, flag: vmapi-addr}
- {port: cnapi, flag: cnapi-addr}
- {port: napi, flag: napi-addr}
{{- end }}

{{/* true when the ConfigMap has anything: a configuration, Mesos's, or routes. */}}
{{- define "mockcloud.hasConfigMap" -}}
{{- if or .Values.config .Values.mesosConfig .Values.routes }}true{{ end }}
{{- end }}

{{/* A document for a file: a string as it is, anything else as JSON. */}}
{{- define "mockcloud.file" -}}
{{- if kindIs "string" . }}{{ . }}{{ else }}{{ toPrettyJson . }}{{ end }}
{{- end }}
