#!/usr/bin/env bash
# Times the README's two commands as a newcomer meets them: each in a fresh
# clone of this checkout's HEAD, with an empty target directory (and no
# CARGO_TARGET_DIR), so that every crate of the workspace and its
# dependencies is compiled. The crates' sources must already be in cargo's
# cache or reachable. Prints one line per command: the command, its wall
# time, and the load average before and after (a shared machine slows
# builds down; read the figures with the load beside them), then the
# machine.
#
#   bash scripts/readme-times.sh            # both commands
#   bash scripts/readme-times.sh tour       # the first only
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
which="${1:-both}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
unset CARGO_TARGET_DIR

run() {
  local name="$1"
  shift
  local dir="$work/$name"
  git clone -q "$root" "$dir"
  local before after start end
  before=$(cut -d' ' -f1-3 /proc/loadavg)
  start=$(date +%s.%N)
  local status=0
  (cd "$dir" && "$@" >"$work/$name.log" 2>&1) || status=$?
  end=$(date +%s.%N)
  if [ "$status" -ne 0 ]; then
    # Still a measurement of the build; say which tests failed.
    grep -E '^(failures:|    [a-z_:]+$|error: test failed)' "$work/$name.log" >&2 || tail -n 20 "$work/$name.log" >&2
    echo "$name: the command exited with $status (its time is still printed)" >&2
  fi
  after=$(cut -d' ' -f1-3 /proc/loadavg)
  local seconds
  seconds=$(echo "$end - $start" | bc)
  printf '%-28s %6.0f s  (%d min %02d s)  load before %s, after %s\n' \
    "$*" "$seconds" "$(echo "$seconds / 60" | bc)" "$(echo "$seconds % 60 / 1" | bc)" \
    "$before" "$after"
}

case "$which" in
  tour) run tour cargo run -p paynet-tour ;;
  test) run test cargo test --workspace ;;
  both)
    run tour cargo run -p paynet-tour
    run test cargo test --workspace
    ;;
  *) echo "usage: $0 [tour|test|both]" >&2; exit 2 ;;
esac
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(free -g | awk '/Mem:/ {print $2}') GiB; $(rustc --version); $(date -u +%Y-%m-%d)"
