//! The simulator as a test double: its start plus its first mapped answer
//! (a capture reversal through `paynet-ext`, client built in the round),
//! against wiremock's start, mount and first answer of the same call, as a
//! test that starts one server per test pays them. A third variant starts a
//! simulator that reads and compiles the spec again
//! (`MockServer::start_with_spec`), which is what every start cost before
//! the compiled spec was shared within a process.
//!
//! Meant for a debug build, as `cargo test` uses the simulator:
//!
//! `cargo bench -p paynet-tests --bench startup --profile dev`
//!
//! It runs 200 interleaved rounds (each round one of each variant, in turn)
//! and prints the medians and their ratio to wiremock's, then criterion's
//! own measurement of each variant. `cargo test --benches` runs it small.

use std::time::{Duration, Instant};

use criterion::Criterion;
use paynet_mock::{CAPTURE_EXAMPLE_XACT_ID, Config, MockServer};
use paynet_tests::{capture_reversal, fixture, simulator_client};
use wiremock::matchers::{method, path};

const NAMES: [&str; 3] = ["wiremock", "simulator", "simulator_compiling"];

/// One round of `variant`: the time from nothing to the first mapped answer.
async fn round(variant: usize, answer: &[u8], spec: &str) -> Duration {
    match variant {
        0 => {
            let started = Instant::now();
            let server = wiremock::MockServer::start().await;
            wiremock::Mock::given(method("POST"))
                .and(path("/v1/transaction/capture_reversal"))
                .respond_with(
                    wiremock::ResponseTemplate::new(200)
                        .set_body_raw(answer.to_vec(), "application/json"),
                )
                .mount(&server)
                .await;
            let client = paynet_tests::client(&server.uri());
            let reply = capture_reversal(&client, CAPTURE_EXAMPLE_XACT_ID).await;
            let elapsed = started.elapsed();
            assert!(reply.is_ok(), "{reply:?}");
            elapsed
        }
        _ => {
            let started = Instant::now();
            let mock = if variant == 1 {
                MockServer::start(Config::default()).await
            } else {
                let spec = serde_json::from_str(spec).unwrap();
                MockServer::start_with_spec(Config::default(), &spec).await
            }
            .unwrap();
            let client = simulator_client(&mock);
            let reply = capture_reversal(&client, CAPTURE_EXAMPLE_XACT_ID).await;
            let elapsed = started.elapsed();
            assert!(reply.is_ok_and(|r| !r.is_repeat()));
            mock.shutdown().await;
            elapsed
        }
    }
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort();
    values[values.len() / 2]
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // a few rounds only, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let rounds = if full { 200 } else { 3 };
    let answer = fixture("capture_reversal_success.json");
    let spec = paynet_api::SPEC_JSON;
    // As `#[tokio::test]` runs a test.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); NAMES.len()];
    runtime.block_on(async {
        // The first of each pays for what a process does once (the
        // compiled spec, wiremock's server pool, TLS roots): not measured.
        for variant in 0..NAMES.len() {
            round(variant, &answer, spec).await;
        }
        for _ in 0..rounds {
            for (variant, sink) in times.iter_mut().enumerate() {
                sink.push(round(variant, &answer, spec).await);
            }
        }
    });
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "start + first mapped capture reversal, {profile} build, median of {rounds} interleaved rounds"
    );
    println!("{:<22} {:>10} {:>8}", "server", "median ms", "ratio");
    let medians: Vec<Duration> = times.iter_mut().map(|t| median(t)).collect();
    for (name, m) in NAMES.iter().zip(&medians) {
        println!(
            "{name:<22} {:>10.2} {:>8.3}",
            m.as_secs_f64() * 1e3,
            m.as_secs_f64() / medians[0].as_secs_f64()
        );
    }
    if !full {
        return;
    }
    let mut criterion = Criterion::default().sample_size(30).configure_from_args();
    let mut group = criterion.benchmark_group("start_and_first_answer");
    for (variant, name) in NAMES.iter().enumerate() {
        group.bench_function(*name, |b| {
            b.to_async(&runtime).iter_custom(|iterations| {
                let (answer, spec) = (&answer, spec);
                async move {
                    let mut total = Duration::ZERO;
                    for _ in 0..iterations {
                        total += round(variant, answer, spec).await;
                    }
                    total
                }
            })
        });
    }
    group.finish();
    criterion.final_summary();
}
