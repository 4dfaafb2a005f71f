//! Processes of their own: a simulator (the `paynet-mock` binary in its
//! tests, or any program that prints its base URL on its first line), and a
//! test run again in a child with the environment it needs.

use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Lines};
use std::process::{Child, ChildStdout, Command, Stdio};

use crate::scratch::Scratch;

/// A running simulator process, killed on drop.
pub struct SimulatorProcess {
    child: Child,
    base: String,
    first_line: String,
    log: Option<Lines<BufReader<ChildStdout>>>,
    _scratch: Option<Scratch>,
}

impl SimulatorProcess {
    /// Starts the `paynet-mock` binary at `binary` on a free loopback port
    /// with `args`; returns once it listens.
    pub fn start(binary: impl AsRef<OsStr>, args: &[&OsStr]) -> Self {
        let mut command = Command::new(binary);
        command.args(["--port", "0"]).args(args);
        Self::spawn(command)
    }

    /// Starts the `paynet-mock` binary at `binary` accepting `secret_key`,
    /// with the transactions of `preload` (a JSON array, written to a
    /// scratch file that lives as long as the process).
    pub fn start_preloaded(binary: impl AsRef<OsStr>, secret_key: &str, preload: &[u8]) -> Self {
        let scratch = Scratch::new();
        let file = scratch.write("transactions.json", preload);
        let mut simulator = Self::start(
            binary,
            &[
                "--secret-key".as_ref(),
                secret_key.as_ref(),
                "--preload".as_ref(),
                file.as_os_str(),
            ],
        );
        simulator._scratch = Some(scratch);
        simulator
    }

    /// Runs `command` with its standard output piped (one log line per
    /// request) and its standard input a pipe that closes when this ends
    /// (a simulator may stop on that); returns once its first line, which
    /// must hold an `http://127.0.0.1:` URL, is read.
    pub fn spawn(mut command: Command) -> Self {
        let mut child = command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{command:?} does not start: {e}"));
        let mut log = BufReader::new(child.stdout.take().expect("piped")).lines();
        let first_line = log
            .next()
            .unwrap_or_else(|| panic!("{command:?} printed nothing"))
            .expect("text");
        let base = first_line
            .split_whitespace()
            .find(|w| w.starts_with("http://127.0.0.1:"))
            .unwrap_or_else(|| panic!("no loopback address in {first_line:?}"))
            .to_string();
        SimulatorProcess {
            child,
            base,
            first_line,
            log: Some(log),
            _scratch: None,
        }
    }

    /// The process, to signal or wait for it.
    pub fn child(&mut self) -> &mut Child {
        &mut self.child
    }

    /// The simulator's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The line it printed on starting.
    pub fn first_line(&self) -> &str {
        &self.first_line
    }

    /// The next line of its log; waits for it.
    pub fn next_log_line(&mut self) -> String {
        self.log
            .as_mut()
            .expect("the log is not drained")
            .next()
            .expect("another log line")
            .expect("text")
    }

    /// Reads and drops the rest of its log on a thread, so that it never
    /// blocks on a full pipe.
    pub fn drain_log(&mut self) {
        if let Some(log) = self.log.take() {
            std::thread::spawn(move || for _ in log {});
        }
    }
}

impl Drop for SimulatorProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs the `#[ignore]`d test `test` of the current test binary again, in a
/// child process whose environment has each of `vars` set (`Some`) or
/// removed (`None`); panics with the child's output unless that one test
/// ran and passed.
///
/// This is how a test checks code that reads the process environment:
/// setting a variable in a running test takes `unsafe` code (which the
/// workspace forbids), and would leak into the other tests of the binary.
/// It blocks: from an async test, call it inside
/// `tokio::task::block_in_place` on a multi-thread runtime, so that
/// servers the parent runs for the child keep serving.
pub fn run_ignored_test_in_child(test: &str, vars: &[(&str, Option<&str>)]) {
    let mut command = Command::new(std::env::current_exe().expect("this test binary"));
    command.args([test, "--exact", "--ignored", "--test-threads=1"]);
    for (name, value) in vars {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let output = command.output().expect("the test binary runs again");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{test} in a child with {vars:?}: {}\n{stdout}{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}
