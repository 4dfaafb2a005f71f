#!/usr/bin/env bash
# Lint spec/paynet.json with two OpenAPI validators that are not ours:
# openapi-spec-validator (Python) and redocly (Node, recommended ruleset).
# `cargo xtask generate` already validates against the OpenAPI 3.0 schema;
# these also catch what a schema cannot (an operation that says nothing
# about its authentication, an unused component, ...). Errors fail the
# run; warnings are printed and allowed.
#
# Installs both, at pinned versions, under target/tools from the package
# registries the first time (npm runs no install scripts), and reuses them
# afterwards (safe to run again). Needs python3 (with venv) and
# node >= 20.19 with npm.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

REDOCLY_CLI_VERSION=2.77.0
venv=target/tools/openapi-spec-validator
requirements=scripts/lint-spec-requirements.txt
npm_prefix=target/tools/redocly
redocly=$npm_prefix/node_modules/.bin/redocly

# redocly: no usage reports, no update notice (the run has no network
# beyond the package registries).
export REDOCLY_TELEMETRY=off
export REDOCLY_SUPPRESS_UPDATE_NOTICE=true

pip_venv "$venv" "$requirements"

npm_tool "$npm_prefix" @redocly/cli "$REDOCLY_CLI_VERSION"

echo "-- openapi-spec-validator $("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("openapi-spec-validator"))')"
"$venv/bin/openapi-spec-validator" --validation-errors all spec/paynet.json

echo "-- redocly $("$redocly" --version) lint (recommended)"
"$redocly" lint --extends=recommended --format=stylish spec/paynet.json
