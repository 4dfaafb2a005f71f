//! Per-call cost of a capture reversal: through `paynet-ext` (built, sent,
//! decoded, mapped), through the generated client alone, and written by
//! hand with reqwest + serde; at concurrency 1, 16 and 64, against one
//! fixed-answer server on loopback with connection reuse.
//!
//! `cargo bench -p paynet-tests --bench client`

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use futures_util::future::join_all;
use paynet_tests::bench::{fixed_server, hand_written_capture_reversal};
use paynet_tests::{SECRET, builder, capture_reversal, fixture};

const XACT_ID: &str = "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf";

fn per_call(c: &mut Criterion) {
    let base = fixed_server(fixture("capture_reversal_success.json"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = builder(&base).build().unwrap();
    let http = reqwest::Client::builder().build().unwrap();
    let url = format!("{base}/v1/transaction/capture_reversal");
    let authorization = format!("Basic {SECRET}");

    let mut group = c.benchmark_group("capture_reversal");
    for concurrency in [1usize, 16, 64] {
        group.throughput(Throughput::Elements(concurrency as u64));
        group.bench_with_input(
            BenchmarkId::new("reqwest_serde", concurrency),
            &concurrency,
            |b, &n| {
                b.to_async(&runtime).iter(|| async {
                    let calls = (0..n).map(|_| {
                        hand_written_capture_reversal(&http, &url, &authorization, XACT_ID)
                    });
                    for r in join_all(calls).await {
                        assert_eq!(r.unwrap().code, Some(0));
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("generated", concurrency),
            &concurrency,
            |b, &n| {
                b.to_async(&runtime).iter(|| async {
                    let calls = (0..n).map(|_| {
                        client
                            .capture_reversal()
                            .body_map(|b| b.xact_id(XACT_ID))
                            .send()
                    });
                    for r in join_all(calls).await {
                        assert!(r.unwrap().code.is_success());
                    }
                })
            },
        );
        group.bench_with_input(
            BenchmarkId::new("paynet_ext", concurrency),
            &concurrency,
            |b, &n| {
                b.to_async(&runtime).iter(|| async {
                    let calls = (0..n).map(|_| capture_reversal(&client, XACT_ID));
                    for r in join_all(calls).await {
                        assert!(r.unwrap().result_code().is_success());
                    }
                })
            },
        );
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30).measurement_time(std::time::Duration::from_secs(4));
    targets = per_call
}
criterion_main!(benches);
