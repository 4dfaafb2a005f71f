//! Instructions per capture reversal, counted by valgrind's callgrind
//! rather than timed: hand-written reqwest + serde, the generated client's
//! `send()`, and `paynet-ext`'s `.call()`, sequentially and at concurrency
//! 1, 16 and 64 (the modes of the `latency` benchmark).
//!
//! `cargo bench -p paynet-tests --bench instructions` (needs `valgrind`)
//!
//! Time on this project's virtual machines moves by more than the margins
//! being measured; an instruction count does not move between runs of the
//! same binary, whatever else the machine does. It counts the work, not the
//! waiting: at concurrency on one runtime thread, which is CPU-bound, that is
//! what the time is made of.
//!
//! Each (client, mode) runs in a process of its own, under callgrind, twice:
//! with a few calls and with many. The count per call is the difference
//! divided by the difference in calls, so start-up, connecting and the
//! runtime's set-up cancel out. Only the client's thread is counted (the
//! fixed-answer server runs on a thread of its own); the server's work is
//! the same for every client.
//!
//! The process re-runs itself as `instructions --count CLIENT MODE CALLS`.

use std::path::Path;
use std::process::Command;

use futures_util::StreamExt;
use paynet_tests::bench::{CLIENT_NAMES, Clients, fixed_server};
use paynet_tests::fixture;

/// Sequential (each call awaited before the next), then concurrency 1, 16, 64.
const MODES: [usize; 4] = [0, 1, 16, 64];
const FEW: usize = 200;
const MANY: usize = 1_200;

fn mode_name(mode: usize) -> String {
    if mode == 0 {
        "sequential".to_string()
    } else {
        format!("conc. {mode}")
    }
}

/// Runs `calls` capture reversals through client `variant` in `mode`.
fn run(variant: usize, mode: usize, calls: usize) {
    let base = fixed_server(fixture("capture_reversal_success.json"));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let clients = Clients::new(&base);
    runtime.block_on(async {
        if mode == 0 {
            for _ in 0..calls {
                clients.one(variant).await;
            }
        } else {
            futures_util::stream::iter(0..calls)
                .map(|_| clients.one(variant))
                .buffer_unordered(mode)
                .collect::<Vec<()>>()
                .await;
        }
    });
}

/// The instructions callgrind counted on the main thread of one run.
fn count(exe: &Path, dir: &Path, variant: usize, mode: usize, calls: usize) -> u64 {
    let out = dir.join(format!("cg-{variant}-{mode}-{calls}"));
    let status = Command::new("valgrind")
        .arg("--tool=callgrind")
        .arg("--separate-threads=yes")
        .arg(format!("--callgrind-out-file={}", out.display()))
        .arg("--quiet")
        .arg(exe)
        .args(["--count", &variant.to_string(), &mode.to_string()])
        .arg(calls.to_string())
        .status()
        .expect("valgrind could not be started: is it installed?");
    assert!(status.success(), "valgrind run failed: {status}");
    // With --separate-threads, thread 1 (the main thread, the client's
    // runtime) is written to `<out>-01`.
    let main_thread = format!("{}-01", out.display());
    let text = std::fs::read_to_string(&main_thread)
        .unwrap_or_else(|e| panic!("callgrind wrote no {main_thread}: {e}"));
    text.lines()
        .find_map(|line| line.strip_prefix("totals: "))
        .or_else(|| text.lines().find_map(|line| line.strip_prefix("summary: ")))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no totals line in {main_thread}"))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(at) = args.iter().position(|a| a == "--count") {
        let number = |i: usize| -> usize { args[at + i].parse().expect("a number") };
        run(number(1), number(2), number(3));
        return;
    }
    // `cargo test --benches` passes no `--bench`: run each client a few
    // calls, natively, as a smoke test.
    if !args.iter().any(|a| a == "--bench") {
        for variant in 0..CLIENT_NAMES.len() {
            run(variant, 16, 20);
        }
        return;
    }
    let exe = std::env::current_exe().expect("own path");
    let dir = tempfile::tempdir().expect("scratch directory");
    println!(
        "instructions per capture reversal on the client's thread (callgrind; ({MANY} - {FEW}) calls); ratio against reqwest_serde"
    );
    println!(
        "(each row: the client thread's count in a run of {MANY} calls minus a run of {FEW}, divided by {}; BENCHMARKS.md, \"Instructions per call\")",
        MANY - FEW
    );
    println!(
        "{:<14} {:>12} {:>14} {:>8}",
        "client", "mode", "instr./call", "ratio"
    );
    for mode in MODES {
        let mut baseline = 0.0;
        for (variant, name) in CLIENT_NAMES.iter().enumerate() {
            let few = count(&exe, dir.path(), variant, mode, FEW);
            let many = count(&exe, dir.path(), variant, mode, MANY);
            let per_call = many.saturating_sub(few) as f64 / (MANY - FEW) as f64;
            if variant == 0 {
                baseline = per_call;
            }
            println!(
                "{name:<14} {:>12} {per_call:>14.0} {:>8.3}",
                mode_name(mode),
                per_call / baseline
            );
        }
    }
}
