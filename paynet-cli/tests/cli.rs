//! The `paynet` binary against the simulator (`paynet-mock`, in process),
//! run as a user runs it: one test per outcome, each checking the exit code
//! and that stdout is JSON; bad input sends nothing; no key in any output;
//! production is never reached unconfirmed; `--help` is snapshotted.
//!
//! The simulator sits behind a counting TCP relay: a command that must send
//! nothing must not even open a connection to it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use paynet_mock::{Config, LOST_ANSWER, MockServer, Transaction};
use serde_json::Value;
use tokio::net::{TcpListener, TcpStream};

const BIN: &str = env!("CARGO_BIN_EXE_paynet");

/// The simulator, and the relay in front of it that counts connections.
struct Sim {
    mock: MockServer,
    relay: SocketAddr,
    connections: Arc<AtomicUsize>,
}

impl Sim {
    async fn start() -> Sim {
        let mock = MockServer::start(Config::default()).await.unwrap();
        let target = mock.addr();
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let relay = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let counter = connections.clone();
        tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                tokio::spawn(async move {
                    if let Ok(mut outbound) = TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
            }
        });
        Sim {
            mock,
            relay,
            connections,
        }
    }

    fn base_url(&self) -> String {
        format!("http://{}", self.relay)
    }

    fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// `paynet ARGS` against this simulator, with its secret key in
    /// `PAYNET_SECRET_KEY`.
    async fn paynet(&self, args: &[&str]) -> Run {
        let base = self.base_url();
        let key = self.mock.secret_key().to_string();
        paynet(
            args,
            &[("PAYNET_BASE_URL", &base), ("PAYNET_SECRET_KEY", &key)],
            None,
        )
        .await
    }
}

/// What a run of the binary gave.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {:?}", self.stdout))
    }

    /// Asserts one line on stderr, and returns it.
    fn one_line(&self) -> &str {
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "stderr: {:?}", self.stderr);
        lines[0]
    }
}

/// Runs the binary with only the given `PAYNET_*` variables (and
/// `RUST_LOG`) set, stdin from `stdin` or nothing: never a terminal.
async fn paynet(args: &[&str], vars: &[(&str, &str)], stdin: Option<&str>) -> Run {
    let mut command = Command::new(BIN);
    command.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("PAYNET_") || name == "RUST_LOG" || name == "NO_COLOR" {
            command.env_remove(name);
        }
    }
    command.envs(vars.iter().copied());
    command.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    });
    command.stdout(Stdio::piped()).stderr(Stdio::piped());
    let stdin = stdin.map(str::to_string);
    let output: Output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        if let Some(text) = stdin {
            use std::io::Write;
            // A command that refuses early may not read it: a broken pipe
            // here is no failure.
            let _ = child.stdin.take().unwrap().write_all(text.as_bytes());
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

fn scratch_file(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("paynet-cli-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reversal_succeeds_then_repeats_with_code_100_and_exit_0() {
    let sim = Sim::start().await;
    sim.mock.add_transaction(Transaction::captured("xk_cli_ok"));
    let first = sim
        .paynet(&["capture-reversal", "--xact-id", "xk_cli_ok"])
        .await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert_eq!(first.json()["code"], 0);
    assert!(first.stderr.is_empty(), "{}", first.stderr);
    assert!(sim.mock.transaction("xk_cli_ok").unwrap().reversed);
    // The operation id itself is an alias of the command.
    let second = sim
        .paynet(&["capture_reversal", "--xact-id", "xk_cli_ok"])
        .await;
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert_eq!(second.json()["code"], 100);
    assert_eq!(sim.mock.store().reversals_applied("xk_cli_ok"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bank_decline_is_a_refusal_exit_1_with_the_reason_as_json() {
    let sim = Sim::start().await;
    let run = sim
        .paynet(&["capture-reversal", "--xact-id", "xk_mock_bank_decline"])
        .await;
    assert_eq!(run.code, 1);
    let json = run.json();
    assert_eq!(json["error"]["kind"], "bank_declined");
    assert_eq!(json["error"]["outcome"], "refused");
    assert_eq!(json["error"]["response"]["bank_error_id"], "05");
    assert!(
        run.one_line().starts_with("error: the bank declined"),
        "{}",
        run.stderr
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_transaction_is_a_refusal_exit_1() {
    let sim = Sim::start().await;
    let run = sim
        .paynet(&["preauth-reversal", "--xact-id", "xk_cli_nobody"])
        .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["error"]["status"], 404);
    run.one_line();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreadable_answer_is_unknown_exit_3() {
    let sim = Sim::start().await;
    let run = sim
        .paynet(&["capture-reversal", "--xact-id", "xk_mock_html_500"])
        .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["error"]["outcome"], "unknown");
    assert!(run.one_line().contains("check the transaction"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_unknown_and_resend_until_learns_it_was_done() {
    let sim = Sim::start().await;
    let once = format!("{LOST_ANSWER}_cli_once");
    sim.mock.add_transaction(Transaction::captured(&once));
    let run = sim.paynet(&["capture-reversal", "--xact-id", &once]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["error"]["kind"], "transport");
    assert_eq!(sim.mock.store().reversals_applied(&once), 1);

    let resent = format!("{LOST_ANSWER}_cli_resent");
    sim.mock.add_transaction(Transaction::captured(&resent));
    let run = sim
        .paynet(&[
            "capture-reversal",
            "--xact-id",
            &resent,
            "--resend-until",
            "30s",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["code"], 100);
    assert_eq!(sim.mock.store().reversals_applied(&resent), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resending_exists_only_for_keyed_operations() {
    let sim = Sim::start().await;
    let run = sim
        .paynet(&[
            "transaction-check",
            "--xact-id",
            "xk_1",
            "--resend-until",
            "30s",
        ])
        .await;
    assert_eq!(run.code, 2);
    run.one_line();
    assert_eq!(sim.connections(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_connection_is_not_sent_exit_4() {
    // A port nothing listens on: bind one, and close it.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let run = paynet(
        &["capture-reversal", "--xact-id", "xk_1"],
        &[("PAYNET_BASE_URL", &base), ("PAYNET_SECRET_KEY", "sck_x")],
        None,
    )
    .await;
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(run.json()["error"]["outcome"], "not_sent");
    run.one_line();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_reads_a_transaction_by_id_and_by_reference() {
    let sim = Sim::start().await;
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_check").with_reference("ref-cli-1"));
    let run = sim.paynet(&["check", "--xact-id", "xk_cli_check"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["Data"][0]["xact_id"], "xk_cli_check");
    let run = sim.paynet(&["check", "--reference-no", "ref-cli-1"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["Data"][0]["xact_id"], "xk_cli_check");
    // The generated command asks the same; neither id is a usage error
    // before anything is sent.
    let run = sim.paynet(&["transaction-check"]).await;
    assert_eq!(run.code, 2);
    run.one_line();
    let run = sim
        .paynet(&["check", "--xact-id", "xk_cli_check", "--output", "table"])
        .await;
    assert_eq!(run.code, 0);
    assert!(
        run.stdout
            .lines()
            .any(|l| l.starts_with("Data[0].xact_id") && l.ends_with("xk_cli_check")),
        "{}",
        run.stdout
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_from_standard_input() {
    let sim = Sim::start().await;
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_stdin"));
    let base = sim.base_url();
    let run = paynet(
        &["capture-reversal", "--json-body", "-"],
        &[
            ("PAYNET_BASE_URL", &base),
            ("PAYNET_SECRET_KEY", sim.mock.secret_key()),
        ],
        Some(r#"{"xact_id": "xk_cli_stdin"}"#),
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(sim.mock.transaction("xk_cli_stdin").unwrap().reversed);
}

/// A case of bad input: its name, the arguments, the variables.
type Case<'a> = (&'a str, Vec<&'a str>, Vec<(&'a str, &'a str)>);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_a_usage_error_in_one_sentence_and_sends_nothing() {
    let sim = Sim::start().await;
    let base = sim.base_url();
    let missing = scratch_file("missing-key");
    let _ = std::fs::remove_file(&missing);
    let missing = missing.to_str().unwrap().to_string();
    let too_long = "x".repeat(101);
    let cases: Vec<Case> = vec![
        (
            "unknown flag",
            vec![
                "capture-reversal",
                "--xact-id",
                "xk_1",
                "--amount-typo",
                "1",
            ],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "malformed amount",
            vec!["refund", "--xact-id", "xk_1", "--amount", "ten"],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "a fraction of a kuruş",
            vec!["refund", "--xact-id", "xk_1", "--amount", "10.005"],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "a partial refund of zero",
            vec!["refund", "--xact-id", "xk_1", "--amount", "0"],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "malformed duration",
            vec![
                "capture-reversal",
                "--xact-id",
                "xk_1",
                "--resend-until",
                "soon",
            ],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "missing key",
            vec!["capture-reversal", "--xact-id", "xk_1"],
            vec![],
        ),
        (
            "unreadable key file",
            vec![
                "capture-reversal",
                "--xact-id",
                "xk_1",
                "--secret-key-file",
                &missing,
            ],
            vec![],
        ),
        (
            "missing session key",
            vec!["init-reversal-transaction", "--xact-id", "enc"],
            vec![],
        ),
        (
            "an id over 100 characters",
            vec!["capture-reversal", "--xact-id", &too_long],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "a body that is not JSON",
            vec!["capture-reversal", "--json-body", "-"],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
        (
            "an unknown environment",
            vec!["capture-reversal", "--xact-id", "xk_1", "--env", "prod"],
            vec![("PAYNET_SECRET_KEY", "sck_x")],
        ),
    ];
    for (case, args, mut vars) in cases {
        vars.push(("PAYNET_BASE_URL", &base));
        let run = paynet(&args, &vars, Some("not json")).await;
        assert_eq!(run.code, 2, "{case}: {}", run.stderr);
        let line = run.one_line();
        assert!(line.starts_with("error: "), "{case}: {line}");
        assert!(run.stdout.is_empty(), "{case}: {}", run.stdout);
        assert_eq!(sim.connections(), 0, "{case} sent something");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_without_a_terminal_or_yes_is_refused_before_anything_is_sent() {
    for (args, vars) in [
        (
            vec![
                "capture-reversal",
                "--xact-id",
                "xk_1",
                "--env",
                "production",
            ],
            vec![],
        ),
        (
            vec!["preauth-reversal", "--xact-id", "xk_1"],
            vec![("PAYNET_ENV", "production")],
        ),
        (
            vec!["refund", "--xact-id", "xk_1", "--amount", "10.00"],
            vec![("PAYNET_ENV", "production")],
        ),
        // Production by its address is production too.
        (
            vec![
                "capture-reversal",
                "--xact-id",
                "xk_1",
                "--base-url",
                "https://api.paynet.com.tr",
            ],
            vec![],
        ),
    ] {
        let mut vars = vars;
        vars.push(("PAYNET_SECRET_KEY", "sck_x"));
        let run = paynet(&args, &vars, None).await;
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert_eq!(
            run.one_line(),
            "error: capture_reversal moves money in production: run it on a terminal to confirm, or pass --yes; nothing was sent"
                .replace(
                    "capture_reversal",
                    match args[0] {
                        "preauth-reversal" => "preauth_reversal",
                        "refund" => "reversed_request",
                        _ => "capture_reversal",
                    }
                )
        );
    }
    // Nothing unset picks production: no environment at all is refused.
    let run = paynet(
        &["check", "--xact-id", "xk_1"],
        &[("PAYNET_SECRET_KEY", "sck_x")],
        None,
    )
    .await;
    assert_eq!(run.code, 2);
    assert!(run.one_line().contains("no environment"), "{}", run.stderr);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_key_in_any_output_verbose_and_trace_included() {
    let sim = Sim::start().await;
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_soft"));
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_keys"));
    let base = sim.base_url();
    let secret = sim.mock.secret_key().to_string();
    let fixed_session = sim.mock.session_key().to_string();
    let saved = scratch_file("session-key");
    let saved_path = saved.to_str().unwrap().to_string();
    let vars = [
        ("PAYNET_BASE_URL", base.as_str()),
        ("PAYNET_SECRET_KEY", secret.as_str()),
        ("RUST_LOG", "trace"),
    ];
    let mut runs = Vec::new();
    let run = paynet(
        &[
            "session-key",
            "--agent-id",
            "1234",
            "--user-id",
            "kasiyer1",
            "--save-to",
            &saved_path,
            "--verbose",
        ],
        &vars,
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["saved_to"], saved_path);
    let issued = std::fs::read_to_string(&saved).unwrap().trim().to_string();
    assert!(!issued.is_empty());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&saved).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    runs.push(run);
    // The saved key works for the SoftPOS start.
    let run = paynet(
        &[
            "init-reversal-transaction",
            "--xact-id",
            "xk_cli_soft",
            "--session-key-file",
            &saved_path,
            "-v",
        ],
        &vars,
        None,
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["encryption_key"], "[redacted]");
    runs.push(run);
    let mut with_session = vars.to_vec();
    with_session.push(("PAYNET_SESSION_KEY", fixed_session.as_str()));
    for args in [
        vec!["get-auth-key", "--agent-id", "1", "--user-id", "2", "-v"],
        vec!["capture-reversal", "--xact-id", "xk_cli_keys", "-v"],
        vec![
            "init-reversal-transaction",
            "--xact-id",
            "xk_cli_keys",
            "-v",
        ],
        vec![
            "capture-reversal",
            "--xact-id",
            "xk_mock_bank_decline",
            "-v",
            "--output",
            "table",
        ],
    ] {
        runs.push(paynet(&args, &with_session, None).await);
    }
    let get_auth_key = &runs[2];
    assert_eq!(get_auth_key.code, 0, "{}", get_auth_key.stderr);
    assert_eq!(get_auth_key.json()["session_key"], "[redacted]");
    for run in &runs {
        for key in [&secret, &fixed_session, &issued] {
            assert!(
                !run.stdout.contains(key.as_str()) && !run.stderr.contains(key.as_str()),
                "a key was printed:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
    // --verbose logged the call.
    assert!(
        runs[3].stderr.contains("capture_reversal"),
        "{}",
        runs[3].stderr
    );
    let _ = std::fs::remove_file(saved);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn completions_for_three_shells() {
    for shell in ["bash", "zsh", "fish"] {
        let run = paynet(&["completions", shell], &[], None).await;
        assert_eq!(run.code, 0, "{shell}: {}", run.stderr);
        assert!(run.stdout.contains("capture-reversal"), "{shell}");
        assert!(run.stdout.contains("session-key"), "{shell}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_of_the_top_level_and_of_every_command() {
    let top = paynet(&["--help"], &[], None).await;
    assert_eq!(top.code, 0);
    insta::assert_snapshot!("help", top.stdout);
    let commands: Vec<String> = top
        .stdout
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect();
    assert!(commands.len() >= 12, "{commands:?}");
    for command in commands {
        let run = paynet(&[&command, "--help"], &[], None).await;
        assert_eq!(run.code, 0, "{command}");
        insta::assert_snapshot!(format!("help_{command}"), run.stdout);
    }
}

/// `paynet ARGS` against a wiremock server `server` (for what the
/// simulator does not answer yet: İade and its list).
async fn against(server: &wiremock::MockServer, args: &[&str]) -> Run {
    let base = server.uri();
    paynet(
        args,
        &[
            ("PAYNET_BASE_URL", &base),
            ("PAYNET_SECRET_KEY", paynet_tests::SECRET),
        ],
        None,
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_converts_the_amount_exactly_and_is_a_request_not_a_refund() {
    use paynet_tests::{answering, json_answer};
    let server = answering(json_answer(200, "reversed_request_example.json")).await;
    let run = against(
        &server,
        &["refund", "--xact-id", "xk_sale_1", "--amount", "10.00"],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let json = run.json();
    assert_eq!(json["state"], "requested");
    assert_eq!(json["amount"], "10.00");
    assert_eq!(json["amount_kurus"], "1000");
    assert_eq!(json["answer"]["code"], 0);
    let requests = server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    let body: Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(body["amount"], "1000");
    assert_eq!(body["xact_id"], "xk_sale_1");
    assert!(requests[0].url.path().ends_with("/reversed_request"));

    // The whole sale: no amount sent.
    let run = against(&server, &["refund", "--xact-id", "xk_sale_2"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["whole"], true);
    let requests = server.received_requests().await.unwrap();
    let body: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert!(body.get("amount").is_none_or(Value::is_null), "{body}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_refund_exits_1_and_an_unknown_one_3() {
    use paynet_tests::{answering, answering_unknown, json_answer};
    let refused = answering(json_answer(200, "reversed_request_refused.json")).await;
    let run = against(&refused, &["refund", "--xact-id", "xk_sale_1"]).await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(run.json()["error"]["outcome"], "refused");
    run.one_line();
    let unknown = answering_unknown().await;
    let run = against(&unknown, &["refund", "--xact-id", "xk_sale_1"]).await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.json()["error"]["outcome"], "unknown");
    // İade is not keyed: it was sent once, and there is no flag to resend it.
    assert_eq!(paynet_tests::request_count(&unknown).await, 1);
    let run = against(
        &unknown,
        &["refund", "--xact-id", "xk_sale_1", "--resend-until", "60s"],
    )
    .await;
    assert_eq!(run.code, 2);
    let run = against(
        &unknown,
        &[
            "reversed-request",
            "--xact-id",
            "xk_sale_1",
            "--resend-until",
            "60s",
        ],
    )
    .await;
    assert_eq!(run.code, 2);
    assert_eq!(paynet_tests::request_count(&unknown).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_prints_every_row_of_every_page_as_ndjson() {
    use serde_json::json;
    use wiremock::matchers::body_partial_json;
    use wiremock::{Mock, ResponseTemplate};
    let server = wiremock::MockServer::start().await;
    let row = |n: u32| json!({"id": n, "xact_id": format!("xk_sale_{n}"), "reversed_xact_id": format!("xk_refund_{n}")});
    Mock::given(body_partial_json(json!({"starting_after": 2})))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object_name": "transaction_reversal_list", "has_more": false, "Data": [row(3)]
        })))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "object_name": "transaction_reversal_list", "has_more": true, "Data": [row(1), row(2)]
        })))
        .with_priority(5)
        .mount(&server)
        .await;
    let run = against(
        &server,
        &[
            "refunds",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--page-size",
            "2",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let ids: Vec<String> = run
        .stdout
        .lines()
        .map(|line| {
            let row: Value = serde_json::from_str(line).expect("each line is JSON");
            row["xact_id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids, ["xk_sale_1", "xk_sale_2", "xk_sale_3"]);
    let first: Value =
        serde_json::from_slice(&server.received_requests().await.unwrap()[0].body).unwrap();
    assert_eq!(first["datab"], "2026-11-01");
    assert_eq!(first["datbi"], "2026-11-30");

    // An error ends the list: its JSON is the last line, with its exit code.
    let unknown = paynet_tests::answering_unknown().await;
    let run = against(
        &unknown,
        &["refunds", "--from", "2026-11-01", "--to", "2026-11-30"],
    )
    .await;
    assert_eq!(run.code, 3, "{}", run.stderr);
    let last: Value = serde_json::from_str(run.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["error"]["outcome"], "unknown");

    // A range that ends before it starts, or a day that is not one: usage.
    for (from, to) in [("2026-11-30", "2026-11-01"), ("2026-11-31", "2026-12-01")] {
        let run = against(&unknown, &["refunds", "--from", from, "--to", to]).await;
        assert_eq!(run.code, 2, "{from} {to}: {}", run.stderr);
        run.one_line();
    }
    assert_eq!(paynet_tests::request_count(&unknown).await, 1);
}

/// On a terminal (a pseudo-terminal from util-linux `script`), production
/// shows what it is about to send and sends nothing unless told yes. The
/// answer here is no: a yes would reach Paynet's production.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn production_on_a_terminal_shows_what_it_would_send_and_takes_no_for_an_answer() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    }
    let line = format!("'{BIN}' refund --xact-id xk_1 --amount 10.00");
    let run = paynet_through_script(&line, "no\n").await;
    assert_eq!(run.code, 2, "{}", run.stdout);
    for expected in [
        "About to send reversed_request (İade)",
        "environment: production (https://api.paynet.com.tr)",
        "transaction: xk_1",
        "amount:      10.00 TRY (1000 kuruş)",
        "Type yes to send it:",
        "error: not confirmed; nothing was sent",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected:?} in {}",
            run.stdout
        );
    }
}

/// `line` run by `script` on a pseudo-terminal, `input` typed into it,
/// with production and a secret key set; stdout is the terminal's text.
async fn paynet_through_script(line: &str, input: &str) -> Run {
    let mut command = Command::new("script");
    command.args(["-qec", line, "/dev/null"]);
    for (name, _) in std::env::vars() {
        if name.starts_with("PAYNET_") || name == "RUST_LOG" {
            command.env_remove(name);
        }
    }
    command
        .env("PAYNET_ENV", "production")
        .env("PAYNET_SECRET_KEY", "sck_x")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let input = input.to_string();
    let output = tokio::task::spawn_blocking(move || {
        let mut child = command.spawn().unwrap();
        {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            let _ = stdin.write_all(input.as_bytes());
        }
        child.wait_with_output().unwrap()
    })
    .await
    .unwrap();
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).replace('\r', ""),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refund_and_the_refund_list_against_the_simulator() {
    let sim = Sim::start().await;
    let today = paynet_mock::turkish_today();
    let yesterday = today.pred_opt().unwrap();
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_sale_old").with_date(yesterday));
    sim.mock
        .add_transaction(Transaction::captured("xk_cli_sale_today").with_date(today));
    let run = sim
        .paynet(&[
            "refund",
            "--xact-id",
            "xk_cli_sale_old",
            "--amount",
            "10.00",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["state"], "requested");
    assert_eq!(sim.mock.refund_requested("xk_cli_sale_old"), 1000);
    // A partial refund on the day of the sale is refused by Paynet's rule.
    let run = sim
        .paynet(&[
            "refund",
            "--xact-id",
            "xk_cli_sale_today",
            "--amount",
            "1.00",
        ])
        .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    run.one_line();
    let day = today.to_string();
    let run = sim
        .paynet(&["refunds", "--from", &day, "--to", &day, "--page-size", "1"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    assert_eq!(rows.len(), sim.mock.refunds().len(), "{}", run.stdout);
    assert!(!rows.is_empty());
}
