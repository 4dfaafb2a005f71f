//! The simulator under load, and the memory figures of the project (tests
//! assert none: memory depends on the allocator and the machine).
//!
//! 1. The client's memory alone: capture reversals at concurrency 64
//!    through `paynet-ext` and the generated client against a simulator in
//!    a process of its own (this benchmark started again as a child), after
//!    a 1,000-call warm-up and after the run. It runs first, so that no
//!    simulator has run in this process before it.
//! 2. Requests per second and memory growth of the same calls with
//!    simulator and client in this one process.
//!
//! `cargo bench -p paynet-tests --bench simulator` (`cargo test --benches`
//! runs it small, as a smoke test).

use std::process::Command;
use std::time::Instant;

use futures_util::StreamExt;
use paynet_mock::{Config, MockServer, Transaction};
use paynet_tests::memory::{memory, resident};
use paynet_tests::process::SimulatorProcess;
use paynet_tests::{SECRET, capture_reversal, client, simulator_client};

const CONCURRENCY: usize = 64;
const WARM_UP: usize = 1_000;
/// Set in the child of part 1: serve instead of measuring.
const CHILD: &str = "PAYNET_BENCH_SIMULATOR_CHILD";

fn main() {
    if let Some(count) = std::env::var_os(CHILD) {
        let count = count.to_str().and_then(|c| c.parse().ok()).expect(CHILD);
        serve(count);
        return;
    }
    let full = std::env::args().any(|a| a == "--bench");
    let requests = if full { 50_000 } else { 500 };
    let runtime = runtime();
    runtime.block_on(client_alone(requests));
    runtime.block_on(in_one_process(requests));
}

/// Reverses `xk_{prefix}_0..count` at concurrency 64; returns the successes.
async fn reverse_all(client: &paynet_api::Client, prefix: &str, count: usize) -> usize {
    futures_util::stream::iter(0..count)
        .map(|i| async move {
            let id = format!("xk_{prefix}_{i}");
            capture_reversal(client, &id).await.is_ok()
        })
        .buffer_unordered(CONCURRENCY)
        .filter(|ok| std::future::ready(*ok))
        .count()
        .await
}

/// Part 2: simulator and client in this process.
async fn in_one_process(requests: usize) {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let client = simulator_client(&mock);
    for i in 0..requests {
        mock.add_transaction(Transaction::captured(format!("xk_bench_{i}")));
    }
    let before = memory();
    let started = Instant::now();
    let ok = reverse_all(&client, "bench", requests).await;
    let elapsed = started.elapsed();
    let after = memory();
    assert_eq!(ok, requests, "every reversal succeeds");
    assert_eq!(mock.store().counts().1, requests);
    println!("simulator: {requests} capture reversals at concurrency {CONCURRENCY}, one process");
    println!(
        "  {:.0} requests/s ({:.2} s); resident memory {} before, {} after, peak {}",
        requests as f64 / elapsed.as_secs_f64(),
        elapsed.as_secs_f64(),
        resident(before),
        resident(after),
        after.map_or_else(
            || "not measured".to_string(),
            |m| format!("{} KiB", m.peak_kib)
        ),
    );
    mock.shutdown().await;
}

/// Part 1: the client's memory, with the simulator in a child process.
async fn client_alone(requests: usize) {
    let mut command = Command::new(std::env::current_exe().expect("this benchmark's path"));
    command.env(CHILD, requests.to_string());
    let mut simulator = SimulatorProcess::spawn(command);
    simulator.drain_log();
    let client = client(simulator.base());
    let ok = reverse_all(&client, "warm", WARM_UP).await;
    assert_eq!(ok, WARM_UP, "every warm-up reversal succeeds");
    let warm = memory();
    let ok = reverse_all(&client, "load", requests).await;
    let after = memory();
    assert_eq!(ok, requests, "every reversal succeeds");
    println!(
        "client alone: {requests} capture reversals at concurrency {CONCURRENCY} against a simulator process"
    );
    println!(
        "  client resident memory {} after a {WARM_UP}-call warm-up, {} after the run{}",
        resident(warm),
        resident(after),
        match (warm, after) {
            (Some(w), Some(a)) => format!(
                " (ratio {:.2})",
                a.resident_kib as f64 / w.resident_kib as f64
            ),
            _ => String::new(),
        }
    );
}

/// The child of part 1: a simulator holding `xk_warm_*` and `xk_load_*`,
/// which prints its URL and serves until its standard input closes.
fn serve(count: usize) {
    let runtime = runtime();
    runtime.block_on(async {
        let transactions = (0..WARM_UP)
            .map(|i| Transaction::captured(format!("xk_warm_{i}")))
            .chain((0..count).map(|i| Transaction::captured(format!("xk_load_{i}"))))
            .collect();
        let mock = MockServer::start(Config {
            secret_key: SECRET.to_string(),
            transactions,
            ..Config::default()
        })
        .await
        .unwrap();
        println!("simulator child listening on {}", mock.base_url());
        // The parent holds the other end of stdin; it closes when the parent
        // ends, however it ends.
        tokio::task::spawn_blocking(|| std::io::copy(&mut std::io::stdin(), &mut std::io::sink()))
            .await
            .unwrap()
            .ok();
        mock.shutdown().await;
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}
