//! The simulator under load: requests per second and peak memory at
//! concurrency 64, capture reversals through `paynet-ext` and the generated
//! client, simulator and client in this one process.
//!
//! `cargo bench -p paynet-tests --bench simulator`

use std::time::Instant;

use futures_util::StreamExt;
use paynet_ext::{ClientBuilder, Environment, SecretKey};
use paynet_mock::{Config, MockServer, Transaction};
use paynet_tests::bench::memory_kib;
use paynet_tests::capture_reversal;

const CONCURRENCY: usize = 64;

fn main() {
    let full = std::env::args().any(|a| a == "--bench");
    let requests = if full { 50_000 } else { 500 };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mock = MockServer::start(Config::default()).await.unwrap();
        let client = ClientBuilder::new(Environment::custom(&mock.base_url()).unwrap())
            .secret_key(SecretKey::new(mock.secret_key()).unwrap())
            .build()
            .unwrap();
        for i in 0..requests {
            mock.add_transaction(Transaction::captured(format!("xk_bench_{i}")));
        }
        let (rss_before, _) = memory_kib();
        let started = Instant::now();
        let ok = futures_util::stream::iter(0..requests)
            .map(|i| {
                let client = &client;
                async move {
                    let id = format!("xk_bench_{i}");
                    capture_reversal(client, id.as_str())
                        .await
                        .is_ok()
                }
            })
            .buffer_unordered(CONCURRENCY)
            .filter(|ok| std::future::ready(*ok))
            .count()
            .await;
        let elapsed = started.elapsed();
        let (rss_after, peak) = memory_kib();
        assert_eq!(ok, requests, "every reversal succeeds");
        assert_eq!(mock.store().counts().1, requests);
        println!("simulator: {requests} capture reversals at concurrency {CONCURRENCY}");
        println!(
            "  {:.0} requests/s ({:.2} s); resident memory {} KiB before, {} KiB after, peak {} KiB",
            requests as f64 / elapsed.as_secs_f64(),
            elapsed.as_secs_f64(),
            rss_before,
            rss_after,
            peak
        );
        mock.shutdown().await;
    });
}
