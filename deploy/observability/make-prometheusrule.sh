#!/usr/bin/env bash
# Writes deploy/k8s/monitoring/prometheus-rule.yaml, the Prometheus operator's PrometheusRule,
# from alerts.rules.yml: the groups are written once, there. `--check` writes nothing and fails
# when the checked-in PrometheusRule differs from what this script makes.
set -euo pipefail
cd "$(dirname "$0")/../.."
rules=deploy/observability/alerts.rules.yml
target=deploy/k8s/monitoring/prometheus-rule.yaml

render() {
  cat <<'HEADER'
# Made from deploy/observability/alerts.rules.yml by deploy/observability/make-prometheusrule.sh:
# edit that file and run the script. Add the label your Prometheus's ruleSelector asks for
# (kube-prometheus-stack: release: <its release name>).
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: frontline
  labels: {app.kubernetes.io/part-of: frontline}
spec:
HEADER
  # Everything from `groups:` on, two spaces deeper (the file's opening comment stays behind).
  awk '/^groups:/ { body = 1 } body { print ($0 == "" ? "" : "  " $0) }' "$rules"
}

if [ "${1:-}" = "--check" ]; then
  if ! diff -u "$target" <(render); then
    echo "$target differs from $rules: run deploy/observability/make-prometheusrule.sh" >&2
    exit 1
  fi
  echo "$target matches $rules"
else
  render >"$target"
  echo "wrote $target"
fi
