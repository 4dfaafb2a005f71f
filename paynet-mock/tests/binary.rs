//! The `paynet-mock` binary: flags, preload file, one log line per request.

mod common;

#[test]
fn the_binary_serves_preloaded_transactions_with_the_given_keys_and_logs_each_request() {
    let dir = std::env::temp_dir().join(format!("paynet-mock-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let preload = dir.join("transactions.json");
    std::fs::write(
        &preload,
        r#"[{"xact_id": "xk_preloaded", "kind": "captured", "amount": "99.90"}]"#,
    )
    .unwrap();

    let (mut simulator, first) = common::start(&[
        "--secret-key".as_ref(),
        "sck_bin_test".as_ref(),
        "--preload".as_ref(),
        preload.as_os_str(),
    ]);
    let base = simulator.base.clone();
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

    let log = simulator.log.as_mut().unwrap().next().unwrap().unwrap();
    assert!(
        log.contains(
            "POST /v1/transaction/capture_reversal -> 200 op=capture_reversal xact_id=xk_preloaded"
        ),
        "{log}"
    );
    assert!(!log.contains("sck_bin_test"), "{log}");
    drop(simulator);
    std::fs::remove_dir_all(&dir).unwrap();
}
