//! Unknown outcomes get an answer: re-sending a reversal (keyed by its
//! transaction in the spec) until its outcome is known.
//!
//! The simulator's state triggers lose a reversal's answer after applying
//! it (a dropped connection, an answer after the client's timeout); the
//! tests assert what the caller gets and that the store reversed the
//! transaction exactly once. Timings are short and real; what is asserted
//! is counts and outcomes, never durations.

use std::time::Duration;

use paynet_ext::{CallExt, Error, ResendExt, ResendPolicy, ResultCode};
use paynet_mock::{LATE_ANSWER, LOST_ANSWER, MockServer, Transaction};
use paynet_tests::{assert_matches, assert_no_data, client, simulator_builder, simulator_client};

async fn mock() -> MockServer {
    paynet_tests::simulator(Duration::from_millis(1500)).await
}

/// Waits short enough for a test, long enough to be a backoff.
fn quick(deadline: Duration) -> ResendPolicy {
    ResendPolicy::until(deadline).backoff(Duration::from_millis(20), Duration::from_millis(80))
}

// ---- re-sending a reversal ----------------------------------------------------------

#[tokio::test]
async fn a_lost_answer_is_resent_into_a_definite_done_earlier_and_reversed_once() {
    let mock = mock().await;
    let id = format!("{LOST_ANSWER}_capture");
    mock.add_transaction(Transaction::captured(&id));
    let client = simulator_client(&mock);

    // Once, without the policy: the outcome is unknown, and the reversal
    // did happen.
    let err = client
        .capture_reversal()
        .body_map(|b| b.xact_id(id.as_str()))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(mock.store().reversals_applied(&id), 1);

    // A service that opted in learns it: the repeat is answered 100.
    let other = format!("{LOST_ANSWER}_capture_2");
    mock.add_transaction(Transaction::captured(&other));
    let reply = client
        .capture_reversal()
        .body_map(|b| b.xact_id(other.as_str()))
        .call_resending(quick(Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(reply.is_repeat(), "{reply:?}");
    assert_eq!(reply.result_code(), ResultCode::OldSuccessful);
    assert_eq!(reply.attempts(), 2);
    assert!(mock.transaction(&other).unwrap().reversed);
    assert_eq!(mock.store().reversals_applied(&other), 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_preauth_reversal_answered_after_the_timeout_is_resent_and_reversed_once() {
    let mock = mock().await;
    let id = format!("{LATE_ANSWER}_preauth");
    mock.add_transaction(Transaction::preauthorized(&id));
    let client = simulator_builder(&mock)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let reply = client
        .preauth_reversal()
        .body_map(|b| b.xact_id(id.as_str()))
        .call_resending(quick(Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(reply.is_repeat(), "{reply:?}");
    assert_eq!(reply.attempts(), 2);
    assert_eq!(mock.store().reversals_applied(&id), 1);
    drop(mock);
}

#[tokio::test]
async fn a_first_time_success_is_done_now_in_one_attempt() {
    let mock = mock().await;
    mock.add_transaction(Transaction::captured("xk_plain"));
    let reply = simulator_client(&mock)
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_plain"))
        .call_resending(quick(Duration::from_secs(10)))
        .await
        .unwrap();
    assert!(!reply.is_repeat());
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert_eq!(reply.attempts(), 1);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_definite_refusal_is_returned_as_it_is_after_one_attempt() {
    let mock = mock().await;
    let client = simulator_client(&mock);
    let err = client
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_nobody_knows"))
        .call_resending(quick(Duration::from_secs(10)))
        .await
        .unwrap_err();
    assert_no_data(&err);
    let err = client
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_mock_bank_decline"))
        .call_resending(quick(Duration::from_secs(10)))
        .await
        .unwrap_err();
    assert_matches!(err, Error::BankDeclined { .. });
    mock.shutdown().await;
}

#[tokio::test]
async fn the_deadline_ends_the_resending_with_the_last_unknown_outcome_and_the_count() {
    let server = paynet_tests::answering_unknown().await;
    let client = client(&server.uri());
    let err = client
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_1"))
        .call_resending(quick(Duration::from_millis(300)))
        .await
        .unwrap_err();
    let Error::Unresolved { attempts, last } = &err else {
        panic!("{err:?}");
    };
    assert!(*attempts >= 2, "{attempts}");
    assert_eq!(
        *attempts as usize,
        paynet_tests::request_count(&server).await
    );
    assert_matches!(**last, Error::Undecodable { status: 500, .. });
    assert!(err.is_outcome_unknown() && !err.is_retry_safe() && !err.is_refusal());
    assert_eq!(err.status(), Some(500));
    assert_eq!(err.kind(), "unresolved");
    assert!(
        err.to_string().starts_with(&format!(
            "the outcome is still unknown after {attempts} attempts"
        )),
        "{err}"
    );

    // A deadline of zero sends once.
    let server = paynet_tests::answering_unknown().await;
    let err = client_for(&server)
        .preauth_reversal()
        .body_map(|b| b.xact_id("xk_1"))
        .call_resending(ResendPolicy::until(Duration::ZERO))
        .await
        .unwrap_err();
    assert_matches!(err, Error::Unresolved { attempts: 1, .. });
    assert_eq!(paynet_tests::request_count(&server).await, 1);
}

fn client_for(server: &wiremock::MockServer) -> paynet_api::Client {
    client(&server.uri())
}

/// `.call_resending(..)` exists exactly for the builders the spec marks
/// `x-paynet-idempotent-by`: the generator implements `KeyedByTransaction`
/// for those, with the table's field. (That no other builder has it is
/// checked by the `compile_fail` examples on `paynet_ext::ResendExt`.)
#[test]
fn only_the_operations_the_spec_keys_can_be_resent() {
    fn keyed_by<R: paynet_ext::KeyedByTransaction>(_: &R) -> &'static str {
        assert_eq!(R::operation().idempotent_by, Some(R::KEYED_BY));
        R::KEYED_BY
    }
    let client = client("http://127.0.0.1:9");
    assert_eq!(keyed_by(&client.capture_reversal()), "xact_id");
    assert_eq!(keyed_by(&client.preauth_reversal()), "xact_id");
    let marked: Vec<&str> = paynet_api::runtime::operations()
        .iter()
        .filter(|op| op.idempotent_by.is_some())
        .map(|op| op.id)
        .collect();
    assert_eq!(marked, ["capture_reversal", "preauth_reversal"]);
}

/// An operation the spec does not key is sent once by `.call()`, and its
/// unknown outcome comes back as it is: nothing re-sends it.
#[tokio::test]
async fn an_operation_the_spec_does_not_key_is_sent_once() {
    let server = paynet_tests::answering_unknown().await;
    let client = client_for(&server);
    let err = client
        .transaction_check()
        .body_map(|b| b.reference_no("order-1".to_string()))
        .call()
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert_eq!(paynet_tests::request_count(&server).await, 1);
}
