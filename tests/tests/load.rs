//! Load: many reversals at concurrency 64 against `paynet-mock`, a third of
//! them sent twice at once. Zero unexpected errors, every transaction
//! reversed exactly once, and resident memory after the run within 1.5x of
//! its value after a warm-up. CI runs a small version; the full one is
//! `cargo test -p paynet-tests --release --test load -- --ignored`.
//! (Its own test binary, so that no other test shares the process whose
//! memory it reads.)

use futures_util::StreamExt;
use paynet_ext::{ClientBuilder, Environment, Error, ResultCode, SecretKey};
use paynet_mock::{Config, MockServer, Transaction};
use paynet_tests::bench::memory_kib;
use paynet_tests::capture_reversal;

const CONCURRENCY: usize = 64;

/// Reverses `count` fresh transactions, every third one twice at once;
/// returns (successes, expected duplicates, unexpected errors).
async fn reverse_all(
    mock: &MockServer,
    client: &paynet_api::Client,
    prefix: &str,
    count: usize,
) -> (usize, usize, Vec<String>) {
    for i in 0..count {
        mock.add_transaction(Transaction::captured(format!("{prefix}_{i}")));
    }
    let outcomes: Vec<Vec<Result<(), Error>>> = futures_util::stream::iter(0..count)
        .map(|i| async move {
            let id = format!("{prefix}_{i}");
            let one = || async { capture_reversal(client, id.as_str()).await.map(|_| ()) };
            if i % 3 == 0 {
                let (a, b) = futures_util::join!(one(), one());
                vec![a, b]
            } else {
                vec![one().await]
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut successes = 0;
    let mut duplicates = 0;
    let mut unexpected = Vec::new();
    for per_transaction in outcomes {
        let ok = per_transaction.iter().filter(|r| r.is_ok()).count();
        if ok != 1 {
            unexpected.push(format!("{ok} successes for one transaction"));
        }
        successes += ok;
        for err in per_transaction.iter().filter_map(|r| r.as_ref().err()) {
            if err.result_code() == Some(ResultCode::DuplicateData) {
                duplicates += 1;
            } else {
                unexpected.push(err.to_string());
            }
        }
    }
    for i in 0..count {
        if !mock.transaction(&format!("{prefix}_{i}")).unwrap().reversed {
            unexpected.push(format!("{prefix}_{i} was not reversed"));
        }
    }
    (successes, duplicates, unexpected)
}

async fn load(count: usize) {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let client = ClientBuilder::new(Environment::custom(&mock.base_url()).unwrap())
        .secret_key(SecretKey::new(mock.secret_key()).unwrap())
        .build()
        .unwrap();
    let (ok, _, unexpected) = reverse_all(&mock, &client, "xk_warm", 1_000).await;
    assert_eq!((ok, unexpected.len()), (1_000, 0), "{unexpected:?}");
    let (rss_warm, _) = memory_kib();

    let (ok, duplicates, unexpected) = reverse_all(&mock, &client, "xk_load", count).await;
    assert!(
        unexpected.is_empty(),
        "{} unexpected: {:?}",
        unexpected.len(),
        &unexpected[..unexpected.len().min(5)]
    );
    assert_eq!(ok, count);
    assert_eq!(duplicates, count.div_ceil(3));
    assert_eq!(mock.store().counts(), (count + 1_002, count + 1_000));

    let (rss_after, peak) = memory_kib();
    println!(
        "load {count}: RSS {rss_warm} KiB after warm-up, {rss_after} KiB after, peak {peak} KiB"
    );
    assert!(rss_warm > 0, "no memory reading on this system");
    assert!(
        rss_after as f64 <= rss_warm as f64 * 1.5,
        "resident memory grew from {rss_warm} KiB to {rss_after} KiB"
    );
    mock.shutdown().await;
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
