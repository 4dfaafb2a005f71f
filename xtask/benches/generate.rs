//! `cargo xtask generate` and `--check`, once built: the whole pipeline
//! (load, normalize, merge, validate, generate, format) on the real spec.
//! `generate` here writes into a scratch copy, so the repository is not
//! touched; `--check` reads the repository and writes nothing.
//!
//! `cargo bench -p xtask --bench generate`

use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn generate(c: &mut Criterion) {
    // The checkout the bench runs in (cargo starts it in xtask/), found at
    // run time like the binary does.
    let repo = xtask::workspace::locate(&std::env::current_dir().unwrap()).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    copy_dir(&repo.join("spec"), &scratch.path().join("spec"));
    copy_dir(
        &repo.join("paynet-api/src"),
        &scratch.path().join("paynet-api/src"),
    );
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
            let outcome = xtask::generate(&repo, true).unwrap();
            assert!(outcome.stale.is_empty());
        })
    });
    group.bench_function("check_docs", |b| {
        b.iter(|| {
            let report = xtask::check_docs::check_docs(&repo).unwrap();
            assert!(report.findings.is_empty());
        })
    });
    group.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
