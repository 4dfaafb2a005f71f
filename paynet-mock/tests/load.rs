//! Load: reversals at concurrency 64 through `paynet-ext` against the
//! `paynet-mock` binary in a process of its own. Every transaction is
//! created first (a preload file); a third of them are sent twice at once.
//! Zero unexpected errors, every transaction reversed exactly once.
//!
//! Memory is not asserted here (it depends on the allocator and the
//! machine, and is not readable everywhere): the simulator benchmark
//! records it (`cargo bench -p paynet-tests --bench simulator`).
//!
//! CI runs 2,000; the full run is
//! `cargo test -p paynet-mock --release --test load -- --ignored`.

use futures_util::StreamExt;
use paynet_ext::ResultCode;
use paynet_tests::process::SimulatorProcess;
use paynet_tests::{SECRET, capture_reversal, client};

const CONCURRENCY: usize = 64;
const WARM_UP: usize = 1_000;

/// Starts the simulator binary with `count` captured transactions per
/// prefix, preloaded.
fn simulator(prefixes: &[(&str, usize)]) -> SimulatorProcess {
    let mut transactions = Vec::new();
    for (prefix, count) in prefixes {
        for i in 0..*count {
            transactions
                .push(serde_json::json!({"xact_id": format!("{prefix}_{i}"), "kind": "captured"}));
        }
    }
    let mut simulator = SimulatorProcess::start_preloaded(
        env!("CARGO_BIN_EXE_paynet-mock"),
        SECRET,
        &serde_json::to_vec(&transactions).unwrap(),
    );
    simulator.drain_log();
    simulator
}

/// Reverses `{prefix}_0..count`, every third one twice at once. Returns
/// (first-time successes, repeats answered 100, unexpected outcomes),
/// counted as they come.
async fn reverse_all(
    client: &paynet_api::Client,
    prefix: &str,
    count: usize,
) -> (usize, usize, Vec<String>) {
    let per_transaction = futures_util::stream::iter(0..count)
        .map(|i| async move {
            let id = format!("{prefix}_{i}");
            let one = || capture_reversal(client, &id);
            let results = if i % 3 == 0 {
                let (a, b) = tokio::join!(one(), one());
                vec![a, b]
            } else {
                vec![one().await]
            };
            let mut ok = 0;
            let mut duplicates = 0;
            let mut unexpected = Vec::new();
            for result in &results {
                match result {
                    Ok(reply) if reply.is_repeat() => duplicates += 1,
                    Ok(_) => ok += 1,
                    Err(err) => unexpected.push(format!("{id}: {err}")),
                }
            }
            if ok != 1 {
                unexpected.push(format!("{id}: {ok} first-time successes"));
            }
            (ok, duplicates, unexpected)
        })
        .buffer_unordered(CONCURRENCY);
    per_transaction
        .fold((0, 0, Vec::new()), |(ok, dup, mut bad), (o, d, b)| {
            bad.extend(b);
            std::future::ready((ok + o, dup + d, bad))
        })
        .await
}

async fn load(count: usize) {
    let simulator = simulator(&[("xk_warm", WARM_UP), ("xk_load", count)]);
    let client = client(simulator.base());
    let (ok, _, unexpected) = reverse_all(&client, "xk_warm", WARM_UP).await;
    assert_eq!((ok, unexpected.len()), (WARM_UP, 0), "{unexpected:?}");

    let (ok, duplicates, unexpected) = reverse_all(&client, "xk_load", count).await;
    assert!(
        unexpected.is_empty(),
        "{} unexpected: {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(5)]
    );
    assert_eq!(ok, count, "one success per transaction");
    assert_eq!(
        duplicates,
        count.div_ceil(3),
        "the second of each pair is answered as a repeat (100)"
    );

    // Every transaction is now reversed: one more attempt on each is a repeat.
    let again = futures_util::stream::iter(0..count)
        .map(|i| {
            let client = &client;
            async move {
                let id = format!("xk_load_{i}");
                capture_reversal(client, &id)
                    .await
                    .ok()
                    .map(|reply| reply.result_code())
            }
        })
        .buffer_unordered(CONCURRENCY)
        .filter(|code| std::future::ready(*code == Some(ResultCode::OldSuccessful)))
        .count()
        .await;
    assert_eq!(again, count, "every transaction is reversed");

    drop(simulator);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reversals_under_load_ci_sized() {
    load(2_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "10,000 reversals: run with --release -- --ignored"]
async fn reversals_under_load_full() {
    load(10_000).await;
}
