#!/usr/bin/env bash
# Validates the deployment files offline: docker-compose.yml against the Compose
# specification's schema (check-jsonschema, which ships it) and deploy/k8s/ against the
# Kubernetes API schemas (kubernetes-validate, which ships them). Both come from PyPI into a
# virtual environment under .build/. KEDA's ScaledObject and the Kustomization have no schema
# there: they are reported as unknown kinds, not failures; so are the Prometheus operator's
# kinds in deploy/k8s/monitoring (deploy/observability/check.sh checks their rules with promtool).
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.build/validate-venv
if [ ! -x "$venv/bin/check-jsonschema" ] || [ ! -x "$venv/bin/kubernetes-validate" ] || [ ! -x "$venv/bin/openapi-spec-validator" ]; then
  /usr/bin/python3 -m venv "$venv"
  "$venv/bin/pip" install -q check-jsonschema==0.39.0 kubernetes-validate==1.37.0 openapi-spec-validator==0.9.0 pyyaml==6.0.4
fi

echo "==> docker-compose.yml against the Compose specification"
"$venv/bin/check-jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml

echo "==> deploy/k8s against Kubernetes 1.30 (strict: unknown fields are errors)"
"$venv/bin/kubernetes-validate" --strict --quiet -k 1.30 deploy/k8s/*.yaml deploy/k8s/monitoring/*.yaml
echo "deploy/k8s: valid"

echo "==> Shared/FrontlineAPI/openapi.yaml against OpenAPI 3.1 (openapi-spec-validator, from PyPI into the same environment)"
"$venv/bin/openapi-spec-validator" Shared/FrontlineAPI/openapi.yaml
