#!/usr/bin/env bash
# The one command that runs every test of the project (README: "Run every test").
# Whatever a test needs, this script installs and starts; nothing is skipped silently.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== unit, handler and black-box API tests (cargo test --workspace)"
cargo test --workspace --locked
