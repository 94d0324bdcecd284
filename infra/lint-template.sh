#!/usr/bin/env bash
# Lints template.yaml with cfn-lint and `sam validate --lint`, and docs/openapi.json with
# openapi-spec-validator (against the OpenAPI 3.1 specification's schema), installed (pinned)
# into a local virtual environment, infra/.venv, on first use. Fails on any finding.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=infra/.venv
cfn_lint_version=1.58.0
sam_version=1.170.0
openapi_validator_version=0.9.0
if ! "$venv/bin/cfn-lint" --version 2>/dev/null | grep -q "$cfn_lint_version" \
  || ! "$venv/bin/sam" --version 2>/dev/null | grep -q "$sam_version" \
  || ! "$venv/bin/pip" show openapi-spec-validator 2>/dev/null | grep -q "^Version: $openapi_validator_version$"; then
  echo "lint-template: installing cfn-lint $cfn_lint_version, aws-sam-cli $sam_version and openapi-spec-validator $openapi_validator_version into $venv" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check \
    "cfn-lint==$cfn_lint_version" "aws-sam-cli==$sam_version" \
    "openapi-spec-validator==$openapi_validator_version"
fi

# Neither tool needs AWS credentials to lint; SAM wants a region and no telemetry.
export AWS_DEFAULT_REGION=${AWS_DEFAULT_REGION:-us-east-1}
export SAM_CLI_TELEMETRY=0

echo "== cfn-lint template.yaml"
"$venv/bin/cfn-lint" template.yaml
echo "== sam validate --lint"
"$venv/bin/sam" validate --lint --template-file template.yaml
echo "== openapi-spec-validator docs/openapi.json"
"$venv/bin/openapi-spec-validator" docs/openapi.json
