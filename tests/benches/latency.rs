//! Sequential latency (median and p99) of one capture reversal, and
//! throughput at concurrency 1, 16 and 64: written by hand with reqwest +
//! serde, through the generated client, and through `paynet-ext`. The three
//! run in interleaved rounds against the same fixed-answer server, so that
//! drift on this (virtual, noisy) machine touches all alike; throughput is
//! the median over rounds.
//!
//! `cargo bench -p paynet-tests --bench latency`

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use paynet_tests::bench::{fixed_server, hand_written_capture_reversal};
use paynet_tests::{SECRET, builder, capture_reversal, fixture};

const XACT_ID: &str = "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf";
const NAMES: [&str; 3] = ["reqwest_serde", "generated", "paynet_ext"];

struct Clients {
    http: reqwest::Client,
    url: String,
    authorization: String,
    client: paynet_api::Client,
}

impl Clients {
    async fn one(&self, variant: usize) {
        match variant {
            0 => {
                let r = hand_written_capture_reversal(
                    &self.http,
                    &self.url,
                    &self.authorization,
                    XACT_ID,
                )
                .await;
                assert_eq!(r.unwrap().code, Some(0));
            }
            1 => {
                let r = self
                    .client
                    .capture_reversal()
                    .body_map(|b| b.xact_id(XACT_ID))
                    .send()
                    .await;
                assert!(r.unwrap().code.is_success());
            }
            _ => {
                let r = capture_reversal(&self.client, XACT_ID).await;
                assert!(r.unwrap().result_code().is_success());
            }
        }
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // run one short round only, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, calls) = if full { (10, 2_000) } else { (1, 50) };
    let base = fixed_server(fixture("capture_reversal_success.json"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = Clients {
        http: reqwest::Client::new(),
        url: format!("{base}/v1/transaction/capture_reversal"),
        authorization: format!("Basic {SECRET}"),
        client: builder(&base).build().unwrap(),
    };

    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); NAMES.len()];
    let mut throughput: Vec<(usize, Vec<Vec<f64>>)> = Vec::new();
    runtime.block_on(async {
        for _ in 0..rounds {
            for (variant, sink) in latencies.iter_mut().enumerate() {
                for _ in 0..calls {
                    let started = Instant::now();
                    clients.one(variant).await;
                    sink.push(started.elapsed());
                }
            }
        }
        for concurrency in [1usize, 16, 64] {
            let mut per_variant: Vec<Vec<f64>> = vec![Vec::new(); NAMES.len()];
            for _ in 0..rounds {
                for (variant, sink) in per_variant.iter_mut().enumerate() {
                    let started = Instant::now();
                    futures_util::stream::iter(0..calls)
                        .map(|_| clients.one(variant))
                        .buffer_unordered(concurrency)
                        .collect::<Vec<()>>()
                        .await;
                    sink.push(calls as f64 / started.elapsed().as_secs_f64());
                }
            }
            throughput.push((concurrency, per_variant));
        }
    });

    println!(
        "sequential capture reversal latency, {rounds} interleaved rounds x {calls} calls each"
    );
    println!(
        "{:<14} {:>10} {:>10} {:>12} {:>12}",
        "client", "median µs", "p99 µs", "median ratio", "p99 ratio"
    );
    let mut baseline = (0.0, 0.0);
    for (i, name) in NAMES.iter().enumerate() {
        let mut sorted = latencies[i].clone();
        sorted.sort();
        let p50 = percentile(&sorted, 0.5).as_secs_f64() * 1e6;
        let p99 = percentile(&sorted, 0.99).as_secs_f64() * 1e6;
        if i == 0 {
            baseline = (p50, p99);
        }
        println!(
            "{name:<14} {p50:>10.1} {p99:>10.1} {:>12.3} {:>12.3}",
            p50 / baseline.0,
            p99 / baseline.1
        );
    }
    println!();
    println!(
        "throughput (median of {rounds} interleaved rounds of {calls} calls); ratio = time per call / baseline's"
    );
    println!(
        "{:<14} {:>6} {:>12} {:>10}",
        "client", "conc.", "calls/s", "ratio"
    );
    for (concurrency, per_variant) in &throughput {
        let medians: Vec<f64> = per_variant.iter().map(|v| median(v)).collect();
        for (i, name) in NAMES.iter().enumerate() {
            println!(
                "{name:<14} {concurrency:>6} {:>12.0} {:>10.3}",
                medians[i],
                medians[0] / medians[i]
            );
        }
    }
}
