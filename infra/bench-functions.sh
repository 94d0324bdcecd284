#!/usr/bin/env bash
# Prints the stripped release size of every function binary and the init time of one function
# beside a hello-world lambda_runtime binary built the same way (release profile: LTO, one
# codegen unit, stripped, abort on panic). Figures, not a test: it asserts nothing.
#
#   infra/bench-functions.sh [FUNCTION] [RUNS]     default: public-send-message, 100 runs
#
# Two yardsticks: the hello world `cargo lambda new` writes (a multi-thread Tokio runtime), and
# the same on a one-thread runtime, as the functions run.
set -euo pipefail
cd "$(dirname "$0")/.."

function=${1:-public-send-message}
runs=${2:-100}
functions=$(ls functions/src/bin | sed 's/\.rs$//')

echo "== building every function and hello-lambda (release)" >&2
# Two builds: one would unify features, and hello-lambda's tracing helper would pull its
# regex-based log filter into every function.
cargo build --release --locked -p functions --bins >&2
cargo build --release --locked -p hello-lambda -p bench >&2

echo "== sizes" >&2
# shellcheck disable=SC2086
target/release/chat-bench size target/release $functions hello-lambda
echo "== init: process start to first poll of the Runtime API" >&2
for binary in hello-lambda hello-lambda-one-thread public-get-room "$function"; do
  target/release/chat-bench init "target/release/$binary" "$runs"
done
echo "== init as deployed: the signing secret read from Secrets Manager (a loopback stand-in)" >&2
for binary in public-get-room "$function"; do
  target/release/chat-bench init "target/release/$binary" "$runs" --secrets-manager
done
