//! Decoding and mapping alone: the vendor's capture reversal example
//! (repaired, with code 0) into the mapped result, against
//! `serde_json::from_slice` into a plain struct.
//!
//! `cargo bench -p paynet-tests --bench decode`

use bytes::Bytes;
use criterion::{Criterion, criterion_group, criterion_main};
use paynet_api::types::CaptureReversalResponse;
use paynet_tests::bench::PlainCaptureReversal;
use paynet_tests::fixture;

fn decode(c: &mut Criterion) {
    let body = Bytes::from(fixture("capture_reversal_success.json"));
    let mut group = c.benchmark_group("decode_capture_reversal");
    group.bench_function("serde_plain_struct", |b| {
        b.iter(|| {
            let plain: PlainCaptureReversal =
                serde_json::from_slice(std::hint::black_box(&body)).unwrap();
            assert_eq!(plain.code, Some(0));
        })
    });
    group.bench_function("generated_type_only", |b| {
        b.iter(|| {
            let value: CaptureReversalResponse =
                serde_json::from_slice(std::hint::black_box(&body)).unwrap();
            assert!(value.code.is_success());
        })
    });
    group.bench_function("paynet_ext_map_body", |b| {
        b.iter(|| {
            let reply = paynet_ext::map_body::<CaptureReversalResponse>(
                200,
                std::hint::black_box(body.clone()),
            )
            .unwrap();
            assert!(reply.result_code().is_success());
        })
    });
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
