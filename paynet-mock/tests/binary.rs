//! The `paynet-mock` binary: flags, preload file, one log line per request.

use paynet_tests::process::SimulatorProcess;

#[test]
fn the_binary_serves_preloaded_transactions_with_the_given_keys_and_logs_each_request() {
    let mut simulator = SimulatorProcess::start_preloaded(
        env!("CARGO_BIN_EXE_paynet-mock"),
        "sck_bin_test",
        br#"[{"xact_id": "xk_preloaded", "kind": "captured", "amount": "99.90"}]"#,
    );
    let base = simulator.base().to_string();
    let first = simulator.first_line();
    assert!(first.contains("1 transactions preloaded"), "{first}");

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (status, body) = runtime.block_on(async {
        let response = reqwest::Client::new()
            .post(format!("{base}/v1/transaction/capture_reversal"))
            .header("authorization", "Basic sck_bin_test")
            .json(&serde_json::json!({"xact_id": "xk_preloaded"}))
            .send()
            .await
            .unwrap();
        (
            response.status().as_u16(),
            response.json::<serde_json::Value>().await.unwrap(),
        )
    });
    assert_eq!(status, 200);
    assert_eq!(body["amount"], 99.9);
    assert_eq!(body["code"], 0);

    let log = simulator.next_log_line();
    assert!(
        log.contains(
            "POST /v1/transaction/capture_reversal -> 200 op=capture_reversal xact_id=xk_preloaded"
        ),
        "{log}"
    );
    assert!(!log.contains("sck_bin_test"), "{log}");
}

#[test]
fn a_newline_in_an_xact_id_stays_inside_its_one_log_line() {
    let mut simulator = SimulatorProcess::start(env!("CARGO_BIN_EXE_paynet-mock"), &[]);
    let base = simulator.base().to_string();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    // At most 100 characters, as the spec allows.
    let forged = "xk_a\n2030-01-01T00:00:00Z  INFO POST /v1/transaction/capture_reversal -> 200";
    runtime.block_on(async {
        let http = reqwest::Client::new();
        for xact_id in [forged, "xk_after"] {
            let response = http
                .post(format!("{base}/v1/transaction/capture_reversal"))
                .header(
                    "authorization",
                    format!("Basic {}", paynet_mock::Config::DEFAULT_SECRET_KEY),
                )
                .json(&serde_json::json!({ "xact_id": xact_id }))
                .send()
                .await
                .unwrap();
            // Unknown transactions: the request was admitted and logged.
            assert_eq!(response.status(), 404);
        }
    });
    let first = simulator.next_log_line();
    assert!(
        first.contains(r"xact_id=xk_a\n2030-01-01T00:00:00Z  INFO POST"),
        "{first}"
    );
    let second = simulator.next_log_line();
    assert!(
        second.contains("xact_id=xk_after"),
        "a forged line: {second}"
    );
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_the_binary_by_its_deadline_with_a_stalled_client_connected() {
    use std::io::Write;
    use std::time::{Duration, Instant};

    let mut simulator = SimulatorProcess::start(
        env!("CARGO_BIN_EXE_paynet-mock"),
        &[
            "--shutdown-timeout-seconds".as_ref(),
            "0.4".as_ref(),
            // Long enough that only the shutdown deadline can end the client.
            "--header-timeout-seconds".as_ref(),
            "60".as_ref(),
            "--body-timeout-seconds".as_ref(),
            "60".as_ref(),
        ],
    );
    simulator.drain_log();
    let addr = simulator.base().trim_start_matches("http://").to_string();
    let mut stalled = std::net::TcpStream::connect(&addr).unwrap();
    stalled
        .write_all(
            format!(
                "POST /v1/transaction/capture_reversal HTTP/1.1\r\nHost: x\r\n\
                 Authorization: Basic {}\r\nContent-Length: 100\r\n\r\n{{\"xact",
                paynet_mock::Config::DEFAULT_SECRET_KEY
            )
            .as_bytes(),
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(100));

    let status = std::process::Command::new("kill")
        .args(["-INT", &simulator.child().id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    let bound = Duration::from_secs(2); // 5 times the deadline
    let exit = loop {
        if let Some(exit) = simulator.child().try_wait().unwrap() {
            break exit;
        }
        assert!(
            started.elapsed() < bound,
            "still running {bound:?} after SIGINT"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn timeouts_and_the_connection_bound_must_be_positive() {
    for (flag, value) in [
        ("--header-timeout-seconds", "0"),
        ("--body-timeout-seconds", "-1"),
        ("--shutdown-timeout-seconds", "soon"),
        ("--max-connections", "0"),
    ] {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_paynet-mock"))
            .args(["--port", "0", &format!("{flag}={value}")])
            .output()
            .unwrap();
        assert!(!output.status.success(), "{flag} {value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(flag), "{stderr}");
    }
}
