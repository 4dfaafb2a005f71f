//! Sequential latency (median and p99) of one capture reversal: written by
//! hand with reqwest + serde, through the generated client, and through
//! `paynet-ext`. The three run in interleaved rounds against the same
//! fixed-answer server, so that drift on the machine touches all alike.
//!
//! `cargo bench -p paynet-tests --bench latency`

use std::time::{Duration, Instant};

use paynet_tests::bench::{fixed_server, hand_written_capture_reversal};
use paynet_tests::{SECRET, builder, capture_reversal, fixture};

const XACT_ID: &str = "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf";
const ROUNDS: usize = 10;
const CALLS_PER_ROUND: usize = 2_000;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // run one short round only, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, calls) = if full {
        (ROUNDS, CALLS_PER_ROUND)
    } else {
        (1, 50)
    };
    let base = fixed_server(fixture("capture_reversal_success.json"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = builder(&base).build().unwrap();
    let http = reqwest::Client::new();
    let url = format!("{base}/v1/transaction/capture_reversal");
    let authorization = format!("Basic {SECRET}");
    let names = ["reqwest_serde", "generated", "paynet_ext"];
    let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); names.len()];
    runtime.block_on(async {
        for _ in 0..rounds {
            for (variant, sink) in samples.iter_mut().enumerate() {
                for _ in 0..calls {
                    let started = Instant::now();
                    match variant {
                        0 => {
                            let r =
                                hand_written_capture_reversal(&http, &url, &authorization, XACT_ID)
                                    .await;
                            assert_eq!(r.unwrap().code, Some(0));
                        }
                        1 => {
                            let r = client
                                .capture_reversal()
                                .body_map(|b| b.xact_id(XACT_ID))
                                .send()
                                .await;
                            assert!(r.unwrap().code.is_some());
                        }
                        _ => {
                            let r = capture_reversal(&client, XACT_ID).await;
                            assert!(r.unwrap().result_code().is_success());
                        }
                    }
                    sink.push(started.elapsed());
                }
            }
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
    for (i, name) in names.iter().enumerate() {
        let mut sorted = samples[i].clone();
        sorted.sort();
        let median = percentile(&sorted, 0.5).as_secs_f64() * 1e6;
        let p99 = percentile(&sorted, 0.99).as_secs_f64() * 1e6;
        if i == 0 {
            baseline = (median, p99);
        }
        println!(
            "{name:<14} {median:>10.1} {p99:>10.1} {:>12.3} {:>12.3}",
            median / baseline.0,
            p99 / baseline.1
        );
    }
}
