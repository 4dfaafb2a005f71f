//! Starting the `paynet-mock` binary from its own integration tests.

use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

/// A running simulator process.
pub struct Simulator {
    /// The process; killed on drop.
    pub child: Child,
    /// Its base URL.
    pub base: String,
    /// The rest of its log, one line per request (until drained).
    pub log: Option<Lines<BufReader<ChildStdout>>>,
}

impl Simulator {
    /// Reads and drops its log on a thread, so that it never blocks on a
    /// full pipe.
    #[allow(dead_code)] // not every test binary drains
    pub fn drain_log(&mut self) {
        if let Some(log) = self.log.take() {
            std::thread::spawn(move || for _ in log {});
        }
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary on a free port with `args`; returns once it listens.
pub fn start(args: &[&std::ffi::OsStr]) -> (Simulator, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_paynet-mock"))
        .args(["--port", "0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the paynet-mock binary starts");
    let mut log = BufReader::new(child.stdout.take().expect("piped")).lines();
    let first = log.next().expect("a first line").expect("text");
    let base = first
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap_or_else(|| panic!("no address in {first:?}"))
        .to_string();
    (
        Simulator {
            child,
            base,
            log: Some(log),
        },
        first,
    )
}
