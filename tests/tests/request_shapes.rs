//! What every operation puts on the wire, as a local server receives it.
//! One snapshot per operation and optional-field case; credentials are
//! shown as `[redacted]`, present or absent. The `user-agent` (it carries
//! the crate's version) and `content-length` values are redacted too, so
//! that a version bump rewrites no snapshot; both are checked instead:
//! the user agent is `ClientBuilder::USER_AGENT`, and `shape` checks the
//! length against the body.

use paynet_ext::{ClientBuilder, SessionKey};
use paynet_tests::{
    SESSION, answering, assert_matches, capture_reversal, client, init_reversal_with, json_answer,
    preauth_reversal, shape,
};
use serde_json::Value;
use wiremock::MockServer;

/// A server that answers every request with a success body.
async fn server() -> MockServer {
    answering(json_answer(200, "softpos_init_success.json")).await
}

/// Snapshots a request shape as `name`, with `user-agent` and
/// `content-length` redacted.
macro_rules! assert_shape_snapshot {
    ($name:expr, $shape:expr) => {
        insta::assert_json_snapshot!($name, $shape, {
            ".headers[\"user-agent\"]" => insta::dynamic_redaction(|value, _| {
                assert_eq!(value.as_str(), Some(ClientBuilder::USER_AGENT), "user-agent");
                "[user-agent]"
            }),
            ".headers[\"content-length\"]" => "[content-length]",
        })
    };
}

/// The shape of the one request `server` received.
async fn received(server: &MockServer) -> Value {
    let requests = server.received_requests().await.expect("recording is on");
    assert_eq!(requests.len(), 1, "expected exactly one request");
    shape(&requests[0])
}

#[tokio::test]
async fn capture_reversal_shape() {
    let server = server().await;
    let client = client(&server.uri());
    capture_reversal(
        &client,
        "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf",
    )
    .await
    .expect("success");
    assert_shape_snapshot!("capture_reversal", received(&server).await);
}

#[tokio::test]
async fn preauth_reversal_shape() {
    let server = server().await;
    let client = client(&server.uri());
    preauth_reversal(
        &client,
        "xk_EAAAANFhOW7SioFxO8LHPMruxp0hX3wE8NmJSmGUD*W3uISj",
    )
    .await
    .expect("success");
    assert_shape_snapshot!("preauth_reversal", received(&server).await);
}

/// SoftPOS: the four combinations of the optional `reference_no` and
/// `callback_url`. The client holds a secret key; SoftPOS must not get it.
#[tokio::test]
async fn init_reversal_transaction_with_and_without_optional_fields() {
    let session = SessionKey::new(SESSION).unwrap();
    for (case, reference_no, callback_url) in [
        ("minimal", None, None),
        ("reference_no", Some("REF-1001"), None),
        ("callback_url", None, Some("myapp://paynet/return")),
        (
            "reference_no_and_callback_url",
            Some("REF-1001"),
            Some("myapp://paynet/return"),
        ),
    ] {
        let server = server().await;
        let client = client(&server.uri());
        let reply = init_reversal_with(
            &client,
            session.expose_secret(),
            "enc_xk_0001",
            reference_no,
            callback_url,
        )
        .await
        .expect("success");
        assert_eq!(
            reply.deeplink_url.as_deref(),
            Some("paypos://reversal?session=ps_0001")
        );
        let shape = received(&server).await;
        assert!(
            shape["headers"].get("authorization").is_none(),
            "{case}: SoftPOS got the secret key"
        );
        assert_shape_snapshot!(format!("init_reversal_transaction__{case}"), shape);
    }
}

/// Oturum Anahtarı: the secret key, `PaynetMobile: 2`, the dealer and its
/// user; no session key.
#[tokio::test]
async fn get_auth_key_shape() {
    use paynet_ext::SessionKeyExt;
    let server = answering(json_answer(200, "get_auth_key_success.json")).await;
    let client = client(&server.uri());
    let session = client
        .obtain_session_key("1234", "kasiyer1")
        .await
        .expect("success");
    assert_eq!(session.expose_secret(), "msk_fixture_0001");
    assert_eq!(
        session.expired_date().map(|d| d.as_str()),
        Some("2026-11-30T12:00:00.000")
    );
    let shape = received(&server).await;
    assert_eq!(shape["headers"]["paynetmobile"], "2");
    assert!(shape["headers"].get("session-key").is_none());
    assert_shape_snapshot!("get_auth_key", shape);
}

#[tokio::test]
async fn an_operation_that_needs_the_secret_key_is_not_sent_without_one() {
    let server = server().await;
    let client = ClientBuilder::new(paynet_ext::Environment::custom(&server.uri()).unwrap())
        .build()
        .unwrap();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"the request was not sent: capture_reversal needs the secret_key credential, which this client was not given; nothing was sent");
    // Nothing was sent, and the same request would be refused the same way.
    assert!(err.is_refusal() && !err.is_retry_safe() && !err.is_outcome_unknown());
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

#[tokio::test]
async fn an_xact_id_over_100_characters_is_not_sent() {
    let server = server().await;
    let client = client(&server.uri());
    let long = "x".repeat(101);
    let err = preauth_reversal(&client, long.as_str()).await.unwrap_err();
    assert_matches!(err, paynet_ext::Error::InvalidRequest { .. });
    assert!(
        err.to_string().contains("longer than 100 characters"),
        "{err}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 0);
}

/// The transaction check, by each of its two keys: the body carries only
/// the one given.
#[tokio::test]
async fn transaction_check_by_xact_id_and_by_reference_no() {
    use paynet_ext::{CheckExt, TransactionRef};
    for (case, which) in [
        (
            "xact_id",
            TransactionRef::XactId("xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf".into()),
        ),
        (
            "reference_no",
            TransactionRef::ReferenceNo("REF-1001".into()),
        ),
    ] {
        let server = answering(json_answer(200, "transaction_check_example.json")).await;
        let client = client(&server.uri());
        let reply = client.check_transaction(which).await.expect("success");
        assert_eq!(reply.data.len(), 1);
        assert_shape_snapshot!(
            format!("transaction_check__{case}"),
            received(&server).await
        );
    }
}

/// İade: the whole sale sends no `amount`; a part sends kuruş as digits,
/// made from an exact amount; `succeedUrl` is camelCase, as published.
#[tokio::test]
async fn reversed_request_whole_part_and_succeed_url() {
    use paynet_ext::{Amount, RefundExt, RefundRequest};
    let ten: Amount = "10.00".parse().unwrap();
    for (case, request) in [
        (
            "whole",
            RefundRequest::whole("xk_EAAAAAh7VYf9HG4+GR9ezqiMWAA8PY6P4eroE4BUUHRCLxGO"),
        ),
        (
            "part",
            RefundRequest::part("xk_EAAAAAh7VYf9HG4+GR9ezqiMWAA8PY6P4eroE4BUUHRCLxGO", ten)
                .unwrap(),
        ),
        (
            "part_with_succeed_url",
            RefundRequest::part("xk_EAAAAAh7VYf9HG4+GR9ezqiMWAA8PY6P4eroE4BUUHRCLxGO", ten)
                .unwrap()
                .succeed_url("https://shop.example/paynet/refunds"),
        ),
    ] {
        let server = answering(json_answer(200, "reversed_request_example.json")).await;
        let client = client(&server.uri());
        client.request_refund(request).await.expect("pending");
        assert_shape_snapshot!(format!("reversed_request__{case}"), received(&server).await);
    }
}

/// İade Listesi: dates as `yyyy-MM-dd`, the page size as `limit`, and no
/// `starting_after` on the first page.
#[tokio::test]
async fn reversal_list_first_page() {
    use paynet_ext::{NaiveDate, RefundDates, RefundExt, RefundQuery};
    let server = answering(json_answer(200, "reversal_list_page.json")).await;
    let client = client(&server.uri());
    let dates = RefundDates::new(
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
    )
    .unwrap();
    let rows = client
        .refunds(RefundQuery::new(dates).page_size(50).agent_id("1234"))
        .collect_rows()
        .await
        .expect("rows");
    assert_eq!(rows.len(), 2);
    assert_shape_snapshot!("reversal_list", received(&server).await);
}
