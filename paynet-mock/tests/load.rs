//! Load: reversals at concurrency 64 through `paynet-ext` against the
//! `paynet-mock` binary in a process of its own, so that the memory read
//! here is the client's alone. Every transaction is created first (a preload
//! file); a third of them are sent twice at once. Zero unexpected errors,
//! every transaction reversed exactly once, and the client's resident memory
//! after the run within 1.5x of its value after a 1,000-call warm-up.
//!
//! CI runs 2,000; the full run is
//! `cargo test -p paynet-mock --release --test load -- --ignored --nocapture`.
//! (A test binary of its own, so that no other test shares the process.)

mod common;

use futures_util::StreamExt;
use paynet_ext::CallExt;
use paynet_ext::{ClientBuilder, Environment, ResultCode, SecretKey};

const CONCURRENCY: usize = 64;
const WARM_UP: usize = 1_000;
const SECRET: &str = "sck_load_test";

/// This process's resident memory in KiB (Linux).
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Starts the simulator binary with `count` captured transactions per
/// prefix, preloaded.
fn simulator(prefixes: &[(&str, usize)]) -> (common::Simulator, tempfile_dir::Dir) {
    let dir = tempfile_dir::Dir::new();
    let mut transactions = Vec::new();
    for (prefix, count) in prefixes {
        for i in 0..*count {
            transactions
                .push(serde_json::json!({"xact_id": format!("{prefix}_{i}"), "kind": "captured"}));
        }
    }
    let preload = dir.path.join("transactions.json");
    std::fs::write(&preload, serde_json::to_vec(&transactions).unwrap()).unwrap();
    let (mut simulator, _) = common::start(&[
        "--secret-key".as_ref(),
        SECRET.as_ref(),
        "--preload".as_ref(),
        preload.as_os_str(),
    ]);
    simulator.drain_log();
    (simulator, dir)
}

/// Reverses `{prefix}_0..count`, every third one twice at once. Returns
/// (successes, duplicates, unexpected errors), counted as they come.
async fn reverse_all(
    client: &paynet_api::Client,
    prefix: &str,
    count: usize,
) -> (usize, usize, Vec<String>) {
    let per_transaction = futures_util::stream::iter(0..count)
        .map(|i| async move {
            let id = format!("{prefix}_{i}");
            let one = || {
                client
                    .capture_reversal()
                    .body_map(|b| b.xact_id(id.as_str()))
                    .call()
            };
            let results = if i % 3 == 0 {
                let (a, b) = tokio::join!(one(), one());
                vec![a, b]
            } else {
                vec![one().await]
            };
            let ok = results.iter().filter(|r| r.is_ok()).count();
            let mut duplicates = 0;
            let mut unexpected = Vec::new();
            if ok != 1 {
                unexpected.push(format!("{id}: {ok} successes"));
            }
            for err in results.iter().filter_map(|r| r.as_ref().err()) {
                if err.result_code() == Some(ResultCode::DuplicateData) {
                    duplicates += 1;
                } else {
                    unexpected.push(format!("{id}: {err}"));
                }
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
    let (simulator, _dir) = simulator(&[("xk_warm", WARM_UP), ("xk_load", count)]);
    let client = ClientBuilder::new(Environment::custom(&simulator.base).unwrap())
        .secret_key(SecretKey::new(SECRET).unwrap())
        .build()
        .unwrap();
    let (ok, _, unexpected) = reverse_all(&client, "xk_warm", WARM_UP).await;
    assert_eq!((ok, unexpected.len()), (WARM_UP, 0), "{unexpected:?}");
    let rss_warm = rss_kib();

    let (ok, duplicates, unexpected) = reverse_all(&client, "xk_load", count).await;
    let rss_after = rss_kib();
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
        "the second of each pair is refused as a duplicate"
    );

    // Every transaction is now reversed: one more attempt on each is refused.
    let again = futures_util::stream::iter(0..count)
        .map(|i| {
            let client = &client;
            async move {
                let id = format!("xk_load_{i}");
                client
                    .capture_reversal()
                    .body_map(|b| b.xact_id(id.as_str()))
                    .call()
                    .await
                    .err()
                    .and_then(|e| e.result_code())
            }
        })
        .buffer_unordered(CONCURRENCY)
        .filter(|code| std::future::ready(*code == Some(ResultCode::DuplicateData)))
        .count()
        .await;
    assert_eq!(again, count, "every transaction is reversed");

    println!(
        "load {count}: client RSS {rss_warm} KiB after a {WARM_UP}-call warm-up, {rss_after} KiB after the run"
    );
    drop(simulator);
    assert!(rss_warm > 0, "no memory reading on this system");
    assert!(
        rss_after as f64 <= rss_warm as f64 * 1.5,
        "resident memory grew from {rss_warm} KiB to {rss_after} KiB"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reversals_under_load_ci_sized() {
    load(2_000).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "10,000 reversals: run with --release -- --ignored --nocapture"]
async fn reversals_under_load_full() {
    load(10_000).await;
}

/// A scratch folder removed on drop (std only, to keep dev-dependencies few).
mod tempfile_dir {
    pub struct Dir {
        pub path: std::path::PathBuf,
    }
    impl Dir {
        pub fn new() -> Self {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static N: AtomicUsize = AtomicUsize::new(0);
            let path = std::env::temp_dir().join(format!(
                "paynet-mock-load-{}-{}",
                std::process::id(),
                N.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&path).unwrap();
            Dir { path }
        }
    }
    impl Drop for Dir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}
