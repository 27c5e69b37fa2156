{{- define "tcpteardown.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "tcpteardown.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 50 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 50 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "tcpteardown.labels" -}}
app.kubernetes.io/name: {{ include "tcpteardown.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{- define "tcpteardown.selectorLabels" -}}
app.kubernetes.io/name: {{ include "tcpteardown.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "tcpteardown.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "tcpteardown.operatorName" -}}
{{- printf "%s-operator" (include "tcpteardown.fullname" .) -}}
{{- end -}}

{{- define "tcpteardown.agentName" -}}
{{- printf "%s-agent" (include "tcpteardown.fullname" .) -}}
{{- end -}}
