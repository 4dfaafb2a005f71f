//! Every scenario trigger of the simulator on every operation, through both
//! paths a caller can take: the mapped `.call()` and the generated `send()`.
//!
//! One table, one snapshot: what each path gives. And one rule asserted on
//! every row: the raw path is `Ok` exactly when the mapped path is. No path
//! that compiles reports a decline, a failing code, contradictory verdicts
//! or an unreadable answer as a success.

use std::fmt::Write as _;
use std::time::Duration;

use paynet_ext::{CallExt, Error, Reply};
use paynet_mock::{Config, MockServer, TRIGGERS};
use paynet_tests::simulator_builder;

fn describe_call<T>(result: &Result<Reply<T>, Error>) -> String {
    match result {
        Ok(reply) => format!(
            "Ok(code {}{})",
            reply.result_code().code(),
            if reply.is_repeat() { ", repeat" } else { "" }
        ),
        Err(e) => {
            let code = e
                .result_code()
                .map(|c| format!(", code {}", c.code()))
                .unwrap_or_default();
            let status = e
                .status()
                .map(|s| format!(", HTTP {s}"))
                .unwrap_or_default();
            let question = if e.is_outcome_unknown() {
                "unknown"
            } else if e.is_retry_safe() {
                "retry-safe"
            } else {
                "refusal"
            };
            format!("Err({}{status}{code}; {question})", e.kind())
        }
    }
}

fn describe_raw<T, E>(
    result: &Result<paynet_api::ResponseValue<T>, paynet_api::Error<E>>,
) -> String {
    use paynet_api::Error as Raw;
    match result {
        Ok(value) => format!("Ok(HTTP {})", value.status().as_u16()),
        Err(Raw::Custom(reason)) => {
            // The reason names the operation; the table has it already.
            let reason = reason.split_once(": ").map_or(reason.as_str(), |(_, r)| r);
            let reason = reason.split(" (raw generated").next().unwrap_or(reason);
            format!("Err(Custom: {reason})")
        }
        Err(Raw::InvalidResponsePayload(..)) => "Err(InvalidResponsePayload)".to_string(),
        Err(Raw::UnexpectedResponse(r)) => format!("Err(UnexpectedResponse HTTP {})", r.status()),
        Err(Raw::ErrorResponse(r)) => format!("Err(ErrorResponse HTTP {})", r.status()),
        Err(Raw::CommunicationError(e)) => format!(
            "Err(CommunicationError{})",
            if e.is_timeout() { ", timeout" } else { "" }
        ),
        Err(Raw::ResponseBodyError(_)) => "Err(ResponseBodyError)".to_string(),
        Err(_) => "Err(another kind)".to_string(),
    }
}

#[tokio::test]
async fn every_trigger_on_every_operation_through_both_paths() {
    let mock = MockServer::start(Config {
        slow_delay: Duration::from_secs(2),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = simulator_builder(&mock)
        .timeout(Duration::from_millis(700))
        .build()
        .unwrap();
    let session = mock.session_key().to_string();
    let mut table = String::from("trigger | operation | .call() | generated send()\n");
    let mut row = |id: &str, op: &str, call: (bool, String), raw: (bool, String)| {
        writeln!(table, "{id} | {op} | {} | {}", call.1, raw.1).unwrap();
        assert_eq!(
            call.0, raw.0,
            "{id} on {op}: the raw path and the mapped path disagree on success: {} vs {}",
            call.1, raw.1
        );
    };
    for (id, _) in TRIGGERS {
        let capture = || client.capture_reversal().body_map(|b| b.xact_id(id));
        let call = capture().call().await;
        let raw = capture().send().await;
        row(
            id,
            "capture_reversal",
            (call.is_ok(), describe_call(&call)),
            (raw.is_ok(), describe_raw(&raw)),
        );

        let preauth = || client.preauth_reversal().body_map(|b| b.xact_id(id));
        let call = preauth().call().await;
        let raw = preauth().send().await;
        row(
            id,
            "preauth_reversal",
            (call.is_ok(), describe_call(&call)),
            (raw.is_ok(), describe_raw(&raw)),
        );

        let softpos = || {
            client
                .init_reversal_transaction()
                .session_key(session.as_str())
                .body_map(|b| b.xact_id(id.to_string()))
        };
        let call = softpos().call().await;
        let raw = softpos().send().await;
        row(
            id,
            "init_reversal_transaction",
            (call.is_ok(), describe_call(&call)),
            (raw.is_ok(), describe_raw(&raw)),
        );
    }
    insta::assert_snapshot!(table);
    mock.shutdown().await;
}

/// What the README says the raw `send()` gives, through the names it
/// gives (`paynet_ext::api`): a refusal is `Error::Custom`, a documented
/// error status is progenitor's `Error::ErrorResponse`, a repeat an `Ok`
/// whose `code` is 100.
#[tokio::test]
async fn the_raw_send_gives_what_the_readme_says() {
    use paynet_ext::ResultCode;
    use paynet_ext::api::Error as RawError;
    let mock = MockServer::start(Config::default()).await.unwrap();
    mock.add_transaction(paynet_mock::Transaction::captured("xk_raw_1"));
    let client = simulator_builder(&mock).build().unwrap();
    let send = |id: &'static str| {
        client
            .capture_reversal()
            .body_map(move |b| b.xact_id(id))
            .send()
    };

    let first = send("xk_raw_1").await.unwrap();
    assert_eq!(first.code, ResultCode::Successful);
    let repeat = send("xk_raw_1").await.unwrap();
    assert_eq!(repeat.code, ResultCode::OldSuccessful);

    match send("xk_raw_unknown").await {
        Err(RawError::ErrorResponse(answer)) => assert_eq!(answer.status().as_u16(), 404),
        other => panic!("expected ErrorResponse 404, got {other:?}"),
    }
    match send(paynet_mock::triggers::BANK_DECLINE).await {
        Err(RawError::Custom(reason)) => assert!(reason.contains("the bank declined"), "{reason}"),
        other => panic!("expected Custom, got {other:?}"),
    }
    mock.shutdown().await;
}
