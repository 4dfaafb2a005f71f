#!/usr/bin/env bash
# Checks the client against an independent mock generated from
# spec/paynet.json: Prism (npm package @stoplight/prism-cli) answers random
# spec-valid bodies, and tests/tests/independent_mock.rs maps every one.
# Needs node and npm; installs Prism under target/tools (no install scripts
# run, no telemetry), listens on loopback only, and stops it afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

PRISM_VERSION=5.16.0
PORT=${PRISM_PORT:-4010}
tools=target/tools/prism
npm_tool "$tools" @stoplight/prism-cli "$PRISM_VERSION"
export SCARF_ANALYTICS=false
"$tools/node_modules/.bin/prism" mock -d -h 127.0.0.1 -p "$PORT" spec/paynet.json > target/tools/prism.log 2>&1 &
prism=$!
trap 'kill $prism 2>/dev/null || true' EXIT
wait_for_port "$PORT" "Prism (target/tools/prism.log)"
PAYNET_INDEPENDENT_MOCK="http://127.0.0.1:$PORT" \
  cargo test -p paynet-tests --test independent_mock -- --ignored --nocapture
