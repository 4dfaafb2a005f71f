#!/usr/bin/env bash
# Clean debug build time of a downstream crate that depends on paynet-ext
# only ("ours"), against a bare crate with the same TLS stack, reqwest,
# serde, serde_json and tokio ("bare"), for each TLS feature. Each build
# starts from an empty target dir; the crates' sources must already be in
# cargo's cache (the builds run --offline). The two kinds alternate, and
# each round flips their order, so that drift on a shared machine touches
# both. Prints one line per build: round feature kind seconds load.
#
#   bash scripts/build-time.sh [ROUNDS]     (BENCHMARKS.md, section 7)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
rounds="${1:-2}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

for f in rustls-aws-lc rustls-ring native-tls; do
  case $f in
    rustls-aws-lc) rq='"rustls"'; extra='' ;;
    rustls-ring) rq='"rustls-no-provider"'; extra='rustls = { version = "0.23", default-features = false, features = ["ring", "std", "tls12"] }' ;;
    native-tls) rq='"native-tls"'; extra='' ;;
  esac
  mkdir -p "$work/ours-$f/src" "$work/bare-$f/src"
  cat > "$work/ours-$f/Cargo.toml" <<TOML
[package]
name = "ours-$f"
version = "0.1.0"
edition = "2024"
[dependencies]
paynet-ext = { path = "$root/paynet-ext", default-features = false, features = ["$f"] }
TOML
  cat > "$work/ours-$f/src/main.rs" <<'RS'
use paynet_ext::{ClientBuilder, Environment, SecretKey};
fn main() {
    let client = ClientBuilder::new(Environment::Sandbox)
        .secret_key(SecretKey::new("sck_bench").unwrap())
        .build()
        .unwrap();
    drop(client);
}
RS
  cat > "$work/bare-$f/Cargo.toml" <<TOML
[package]
name = "bare-$f"
version = "0.1.0"
edition = "2024"
[dependencies]
reqwest = { version = "0.13", default-features = false, features = ["json", "http2", "charset", $rq] }
serde = { version = "1", features = ["derive"] }
serde_json = "1"
tokio = { version = "1", features = ["rt"] }
$extra
TOML
  cat > "$work/bare-$f/src/main.rs" <<'RS'
#[derive(serde::Serialize, serde::Deserialize)]
struct Body { xact_id: String }
fn main() {
    let client = reqwest::Client::builder().build().unwrap();
    let text = serde_json::to_string(&Body { xact_id: "x".into() }).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    drop((client, text, rt));
}
RS
done

for round in $(seq 1 "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="bare ours"; else order="ours bare"; fi
  for f in rustls-aws-lc rustls-ring native-tls; do
    for kind in $order; do
      d="$work/$kind-$f"
      rm -rf "$d/target"
      start=$(date +%s.%N)
      (cd "$d" && cargo build -q --offline)
      end=$(date +%s.%N)
      echo "$round $f $kind $(echo "$end - $start" | bc) load=$(cut -d' ' -f1 /proc/loadavg)"
    done
  done
done
