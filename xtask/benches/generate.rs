//! `cargo xtask generate` and `--check`, once built: the whole pipeline
//! (load, normalize, merge, validate, generate, format) on the real spec.
//! `generate` here writes into a scratch copy, so the repository is not
//! touched; `--check` reads the repository and writes nothing.
//!
//! `cargo bench -p xtask --bench generate`

use criterion::{Criterion, criterion_group, criterion_main};
use paynet_tests::scratch::{Scratch, repo_root};

fn generate(c: &mut Criterion) {
    let repo = repo_root();
    let scratch = Scratch::with(&["spec", "paynet-api/src"]);
    let mut group = c.benchmark_group("xtask");
    group.sample_size(20);
    group.bench_function("generate", |b| {
        b.iter(|| {
            // Remove the client so that every run rewrites it.
            let _ = std::fs::remove_file(scratch.path().join("paynet-api/src/generated.rs"));
            let outcome = xtask::generate(scratch.path(), false).unwrap();
            assert!(outcome.stale.contains(&"paynet-api/src/generated.rs"));
        })
    });
    group.bench_function("generate_check", |b| {
        b.iter(|| {
            let outcome = xtask::generate(repo, true).unwrap();
            assert!(outcome.stale.is_empty());
        })
    });
    group.bench_function("check_docs", |b| {
        b.iter(|| {
            let report = xtask::check_docs::check_docs(repo).unwrap();
            assert!(report.findings.is_empty());
        })
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
