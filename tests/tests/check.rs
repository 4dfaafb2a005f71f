//! The transaction check (Ödeme Kontrol): the typed answer from the
//! simulator's store, the at-least-one-of rule on both sides, and the
//! mapping of an answer that documents no `code`.

use std::time::Duration;

use bytes::Bytes;
use paynet_api::types::{CaptureReversalResponse, TransactionCheckResponse};
use paynet_ext::{CallExt, CheckExt, Error, ResultCode, TransactionRef, map_body};
use paynet_mock::{MockServer, Transaction};
use paynet_tests::{assert_matches, assert_no_data, client, fixture, simulator_client};

async fn mock() -> MockServer {
    paynet_tests::simulator(Duration::from_secs(2)).await
}

#[tokio::test]
async fn the_check_reports_the_transaction_by_xact_id_or_by_reference() {
    let mock = mock().await;
    mock.add_transaction(
        Transaction::captured("xk_checked")
            .with_reference("order-42")
            .with_amounts(
                "1234.56".parse().unwrap(),
                "24.69".parse().unwrap(),
                "4.44".parse().unwrap(),
            ),
    );
    let client = simulator_client(&mock);
    let by_id = client
        .check_transaction(TransactionRef::XactId("xk_checked".into()))
        .await
        .unwrap();
    assert_eq!(by_id.code(), None, "the check answers no code");
    assert_eq!(by_id.status(), 200);
    let [row] = by_id.data.as_slice() else {
        panic!("{:?}", by_id.data);
    };
    assert_eq!(row.xact_id.as_deref(), Some("xk_checked"));
    assert_eq!(row.transaction_type.as_ref().unwrap().0, 1);
    assert_eq!(row.amount.unwrap().to_string(), "1234.56");
    assert_eq!(row.net_amount.unwrap().to_string(), "1205.43");
    assert_eq!(row.agent_reference.as_deref(), Some("order-42"));
    assert!(row.is_succeed.unwrap().get());
    assert!(row.id.as_ref().unwrap().as_str().parse::<u64>().is_ok());

    let by_reference = client
        .check_transaction(TransactionRef::ReferenceNo("order-42".into()))
        .await
        .unwrap();
    assert_eq!(by_reference.data[0].xact_id.as_deref(), Some("xk_checked"));

    let err = client
        .check_transaction(TransactionRef::XactId("xk_unknown".into()))
        .await
        .unwrap_err();
    assert_no_data(&err);
    mock.shutdown().await;
}

#[tokio::test]
async fn a_check_with_neither_field_is_refused_by_the_client_and_by_the_simulator() {
    let server = paynet_tests::answering_unknown().await;
    let err = client(&server.uri())
        .transaction_check()
        .body_map(|b| b)
        .call()
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the request was not sent: transaction_check needs at least one of xact_id, reference_no in its body, and it has none; nothing was sent"
    );
    assert!(err.is_refusal());
    let err = client(&server.uri())
        .check_transaction(TransactionRef::XactId("x".repeat(101)))
        .await
        .unwrap_err();
    assert_matches!(err, Error::InvalidRequest { .. });
    assert_eq!(paynet_tests::request_count(&server).await, 0);

    let mock = mock().await;
    let answer = reqwest::Client::new()
        .post(format!("{}/v1/transaction/check", mock.base_url()))
        .header("authorization", format!("Basic {}", mock.secret_key()))
        .json(&serde_json::json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert_eq!(body["type"], "invalid_request_error");
    mock.shutdown().await;
}

#[test]
fn an_answer_without_a_code_is_a_success_where_the_schema_declares_none() {
    let reply = map_body::<TransactionCheckResponse>(
        200,
        Bytes::from(fixture("transaction_check_example.json")),
    )
    .unwrap();
    assert_eq!(reply.code(), None);
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert!(!reply.is_repeat());
    let row = &reply.data[0];
    assert_eq!(row.id.as_ref().unwrap().as_str(), "2318890");
    assert_eq!(row.net_amount.unwrap().to_string(), "14.65");
    assert_eq!(row.amount.unwrap().to_string(), "15.00");
    assert_eq!(row.email.as_deref(), Some(""));

    // Without `Data`, the answer is not the documented one.
    let err = map_body::<TransactionCheckResponse>(200, Bytes::from_static(b"{\"message\": \"\"}"))
        .unwrap_err();
    assert_matches!(err, Error::Undecodable { .. });
    assert!(
        err.to_string()
            .contains("lacks a field its schema requires"),
        "{err}"
    );

    // A reversal's answer still needs its code.
    let err = map_body::<CaptureReversalResponse>(200, Bytes::from_static(b"{\"message\": \"\"}"))
        .unwrap_err();
    assert!(err.to_string().contains("no readable result code"), "{err}");
}

#[test]
fn a_row_field_that_does_not_decode_is_left_out_of_its_row_alone() {
    let mut answer: serde_json::Value =
        serde_json::from_slice(&fixture("transaction_check_example.json")).unwrap();
    // A number with a fraction of a kuruş: off the spec's `Amount`.
    answer["Data"][0]["net_amount"] = serde_json::from_str("8751972895546.029").unwrap();
    let body = Bytes::from(serde_json::to_vec(&answer).unwrap());
    let reply = map_body::<TransactionCheckResponse>(200, body).unwrap();
    let [undecoded] = reply.undecoded_fields() else {
        panic!("{:?}", reply.undecoded_fields());
    };
    assert_eq!(undecoded.field, "Data[0].net_amount");
    assert_eq!(undecoded.received, "8751972895546.029");
    let row = &reply.data[0];
    assert!(row.net_amount.is_none());
    assert_eq!(row.amount.unwrap().to_string(), "15.00");
    assert_eq!(
        row.xact_id.as_deref(),
        Some("xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf")
    );
}
