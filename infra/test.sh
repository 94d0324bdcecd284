#!/usr/bin/env bash
# The one command that runs every test of the project (README: "Run every test").
# Whatever a test needs, this script installs and starts; nothing is skipped silently: if
# DynamoDB Local cannot start, the run fails and says why.
set -euo pipefail
cd "$(dirname "$0")/.."

log_dir=$(mktemp -d)
cleanup() {
  if [ -n "${dynamodb_pid:-}" ]; then kill "$dynamodb_pid" 2>/dev/null || true; fi
  rm -rf "$log_dir"
}
trap cleanup EXIT

echo "== template.yaml: cfn-lint and sam validate --lint; docs/openapi.json: openapi-spec-validator (installs infra/.venv, which the SAM transform test uses)"
infra/lint-template.sh

if [ -z "${DYNAMODB_ENDPOINT:-}" ]; then
  echo "== starting DynamoDB Local"
  infra/dynamodb-local.sh install
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  infra/dynamodb-local.sh start "$port" >"$log_dir/dynamodb.log" 2>&1 &
  dynamodb_pid=$!
  for _ in $(seq 1 600); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    if ! kill -0 "$dynamodb_pid" 2>/dev/null; then
      echo "DynamoDB Local exited before it answered:" >&2
      cat "$log_dir/dynamodb.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "DynamoDB Local did not answer on port $port within 60 s:" >&2
    cat "$log_dir/dynamodb.log" >&2
    exit 1
  fi
  export DYNAMODB_ENDPOINT="http://127.0.0.1:$port"
fi
echo "== DynamoDB at $DYNAMODB_ENDPOINT"

# Every cargo command below selects the whole workspace with its tests (`--workspace`, then
# `--test` or `--tests` to narrow what runs): cargo resolves features from the packages
# selected, so `-p api-tests` or `cargo build -p local-dev` would build a second and third copy
# of the dependency tree with other features, costing minutes and gigabytes.
echo "== unit, conformance (memory and DynamoDB), handler and black-box tests on the memory store, recording what the routes answer"
ANSWER_LOG="$log_dir/answers.jsonl" cargo test --workspace --locked

echo "== API reference: docs/openapi.json documents every status and body the routes answered, and every event pushed"
ANSWER_LOG="$log_dir/answers.jsonl" cargo test --workspace --locked --test openapi_answers

echo "== black-box API and WebSocket tests again, local-dev on the DynamoDB store, recording each function's AWS calls"
export AWS_CALL_LOG="$log_dir/aws-calls.jsonl"
TEST_STORE=dynamodb cargo test --workspace --locked --test api --test realtime --test soak --test restart
unset AWS_CALL_LOG

echo "== IAM: each function's role (the SAM transform's output) grants exactly what its recorded calls need"
AWS_CALL_LOG="$log_dir/aws-calls.jsonl" cargo test --workspace --locked --test iam

echo "== soak: several minutes of connections and messages against local-dev (memory store)"
SOAK_SECONDS=${SOAK_SECONDS:-180} cargo test --workspace --locked --test soak -- --nocapture

echo "== browser tests: the console and the customer chat in headless Chromium"
infra/install-browser.sh
cargo build --workspace --locked --tests --bin local-dev
(cd tests/browser && node --test --test-concurrency=1)
