#!/usr/bin/env bash
# Runs schemathesis (PyPI), a property-based API tester that is not ours,
# against the simulator (paynet-mock): it generates requests from
# spec/paynet.json, valid and invalid, with and without credentials, and
# fails on any answer the operation's page does not document (a status, a
# content type or a body that breaks the documented schema) and on any 5xx.
#
# Installs schemathesis under target/tools at the versions pinned in
# scripts/schemathesis-requirements.txt (once; needs python3 with venv),
# builds and starts the simulator binary on loopback, and stops it
# afterwards. The checks this API's pages contradict are turned off, per
# operation and with the reason, in scripts/schemathesis.toml. Bounded for CI: SCHEMATHESIS_MAX_EXAMPLES cases per operation
# and phase (default 100), from a fixed seed (SCHEMATHESIS_SEED, default 1),
# so a run is the same every time; raise both to explore further.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

PORT=${SCHEMATHESIS_MOCK_PORT:-4011}
MAX_EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-100}
SEED=${SCHEMATHESIS_SEED:-1}
venv=target/tools/schemathesis
requirements=scripts/schemathesis-requirements.txt

pip_venv "$venv" "$requirements"

cargo build --quiet -p paynet-mock --bin paynet-mock
target_dir=$(cargo metadata --format-version 1 --no-deps |
  "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
secret_key=sck_schemathesis_0000
session_key=schemathesis_session_0000
PAYNET_MOCK_SECRET_KEY=$secret_key PAYNET_MOCK_SESSION_KEY=$session_key \
  "$target_dir/debug/paynet-mock" --port "$PORT" --slow-seconds 1 \
  > target/tools/schemathesis-mock.log 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
wait_for_port "$PORT" "the simulator (target/tools/schemathesis-mock.log)"

echo "-- schemathesis $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))'), $MAX_EXAMPLES cases per operation and phase, seed $SEED"
# The credentials are the simulator's own, so that valid requests reach the
# operations; schemathesis also sends requests without them (ignored_auth).
# No telemetry, no report files, no example database in the checkout.
export SCHEMATHESIS_REPORT=false
"$venv/bin/schemathesis" --config-file scripts/schemathesis.toml run spec/paynet.json \
  --url "http://127.0.0.1:$PORT" \
  --max-examples "$MAX_EXAMPLES" \
  --seed "$SEED" \
  --workers 2 \
  --generation-database none \
  --request-timeout 10 \
  -H "Authorization: Basic $secret_key" \
  -H "Session-Key: $session_key" \
  --no-color
