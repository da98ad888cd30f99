{{/* The service's name, required: every name in the release derives from it. */}}
{{- define "svc.name" -}}
{{- required "values.service is required (identity, billing, recovery, ratings, teams or gateway)" .Values.service -}}
{{- end -}}

{{/* The settings prefix: BILLING_, GATEWAY_, ... */}}
{{- define "svc.prefix" -}}
{{- printf "%s_" (include "svc.name" . | upper) -}}
{{- end -}}

{{- define "svc.labels" -}}
app.kubernetes.io/name: {{ include "svc.name" . }}
app.kubernetes.io/part-of: creditdesk
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{- define "svc.selector" -}}
app.kubernetes.io/name: {{ include "svc.name" . }}
app.kubernetes.io/part-of: creditdesk
{{- end -}}

{{- define "svc.image" -}}
{{- $repo := required "values.image.repository is required: the image built from the service's Dockerfile" .Values.image.repository -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion) -}}
{{- end -}}

{{/* A Kubernetes-safe name for a topic: dots become dashes. */}}
{{- define "svc.topicResource" -}}
{{- . | replace "." "-" | replace "_" "-" | lower | trunc 63 | trimSuffix "-" -}}
{{- end -}}
