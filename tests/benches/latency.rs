//! Sequential latency (median and p99) of one capture reversal, and
//! throughput at concurrency 1, 16 and 64: written by hand with reqwest +
//! serde, through the generated client, and through `paynet-ext`. The three
//! run in interleaved rounds against the same fixed-answer server, so that
//! drift on this (virtual, noisy) machine touches all alike.
//!
//! `cargo bench -p paynet-tests --bench latency`
//!
//! Two readings of the same rounds are printed:
//! - pooled: the median and p99 of every call, and the median throughput
//!   over rounds, each client on its own (the harness's first form);
//! - paired: in each round, a client's median latency (or time per call)
//!   divided by the baseline's in the same round, then the median and the
//!   quartiles of those ratios over rounds. Rounds are short and the order
//!   of the clients rotates from round to round, so that the host's slow
//!   spells (seconds long on this VM) land on all three alike.
//!
//! Instructions per call, which do not move with the host:
//! `cargo bench -p paynet-tests --bench instructions`.

use std::time::{Duration, Instant};

use futures_util::StreamExt;
use paynet_tests::bench::{CLIENT_NAMES as NAMES, Clients, fixed_server};
use paynet_tests::fixture;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

/// The `q` quantile (0.5: the median) of `values`.
fn quantile(values: &[f64], q: f64) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
    v[((v.len() as f64 - 1.0) * q).round() as usize]
}

/// The clients' order in round `round`: rotated, so that each goes first
/// as often as the others.
fn order(round: usize) -> impl Iterator<Item = usize> {
    (0..NAMES.len()).map(move |i| (i + round) % NAMES.len())
}

/// One reading per client in one round, in the order of [`NAMES`].
type Row = [f64; NAMES.len()];

/// Per-round ratios of `variant`'s reading to the baseline's.
fn paired(rows: &[Row], variant: usize) -> Vec<f64> {
    rows.iter().map(|row| row[variant] / row[0]).collect()
}

/// `variant`'s readings over the rounds.
fn column(rows: &[Row], variant: usize) -> Vec<f64> {
    rows.iter().map(|row| row[variant]).collect()
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not: then
    // run one short round only, as a smoke test.
    let full = std::env::args().any(|a| a == "--bench");
    let (rounds, calls) = if full { (40, 500) } else { (1, 50) };
    let base = fixed_server(fixture("capture_reversal_success.json"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let clients = Clients::new(&base);

    // Every call's latency, per client; and per client and round, the
    // round's median latency (µs).
    let mut latencies: Vec<Vec<Duration>> = vec![Vec::new(); NAMES.len()];
    let mut round_medians: Vec<Row> = Vec::with_capacity(rounds);
    // Per concurrency: per client and round, the time per call (µs).
    let mut throughput: Vec<(usize, Vec<Row>)> = Vec::new();
    runtime.block_on(async {
        for round in 0..rounds {
            let mut row: Row = [0.0; NAMES.len()];
            for variant in order(round) {
                let mut this_round = Vec::with_capacity(calls);
                for _ in 0..calls {
                    let started = Instant::now();
                    clients.one(variant).await;
                    this_round.push(started.elapsed());
                }
                let micros: Vec<f64> = this_round.iter().map(|d| d.as_secs_f64() * 1e6).collect();
                row[variant] = quantile(&micros, 0.5);
                latencies[variant].extend(this_round);
            }
            round_medians.push(row);
        }
        for concurrency in [1usize, 16, 64] {
            let mut per_call: Vec<Row> = Vec::with_capacity(rounds);
            for round in 0..rounds {
                let mut row: Row = [0.0; NAMES.len()];
                for variant in order(round) {
                    let started = Instant::now();
                    futures_util::stream::iter(0..calls)
                        .map(|_| clients.one(variant))
                        .buffer_unordered(concurrency)
                        .collect::<Vec<()>>()
                        .await;
                    row[variant] = started.elapsed().as_secs_f64() * 1e6 / calls as f64;
                }
                per_call.push(row);
            }
            throughput.push((concurrency, per_call));
        }
    });

    println!(
        "sequential capture reversal latency, {rounds} interleaved rounds x {calls} calls each"
    );
    println!(
        "{:<14} {:>10} {:>10} {:>12} {:>12} {:>22}",
        "client", "median µs", "p99 µs", "median ratio", "p99 ratio", "paired ratio [q1, q3]"
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
        let ratios = paired(&round_medians, i);
        println!(
            "{name:<14} {p50:>10.1} {p99:>10.1} {:>12.3} {:>12.3} {:>8.3} [{:.3}, {:.3}]",
            p50 / baseline.0,
            p99 / baseline.1,
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75),
        );
    }
    println!();
    println!(
        "throughput, {rounds} interleaved rounds of {calls} calls; ratio = time per call / baseline's"
    );
    println!(
        "{:<14} {:>6} {:>12} {:>12} {:>22}",
        "client", "conc.", "calls/s", "pooled ratio", "paired ratio [q1, q3]"
    );
    for (concurrency, per_call) in &throughput {
        let medians: Vec<f64> = (0..NAMES.len())
            .map(|i| quantile(&column(per_call, i), 0.5))
            .collect();
        for (i, name) in NAMES.iter().enumerate() {
            let ratios = paired(per_call, i);
            println!(
                "{name:<14} {concurrency:>6} {:>12.0} {:>12.3} {:>8.3} [{:.3}, {:.3}]",
                1e6 / medians[i],
                medians[i] / medians[0],
                quantile(&ratios, 0.5),
                quantile(&ratios, 0.25),
                quantile(&ratios, 0.75),
            );
        }
    }
}
