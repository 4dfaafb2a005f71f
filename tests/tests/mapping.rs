//! Every mapping rule of `paynet_ext::call`, case by case, against a local
//! server answering the fixtures in `tests/fixtures/`. `Display` texts are
//! pinned as inline snapshots (`cargo insta review` shows a change).

use std::str::FromStr;
use std::time::Duration;

use paynet_api::types::{CaptureReversalResponse, InitReversalResponse, PreauthReversalResponse};
use paynet_ext::{Error, ErrorAnswer, ErrorType, Reply, ResultCode};
use paynet_tests::{
    SESSION, answering, assert_matches, assert_no_data, builder, capture_reversal, client, fixture,
    init_reversal, json_answer as json, preauth_reversal,
};
use rust_decimal::Decimal;
use wiremock::ResponseTemplate;

fn raw(status: u16, body: &[u8], content_type: &str) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_raw(body.to_vec(), content_type)
}

async fn capture(template: ResponseTemplate) -> Result<Reply<CaptureReversalResponse>, Error> {
    let server = answering(template).await;
    let client = client(&server.uri());
    capture_reversal(&client, "xk_1").await
}

async fn preauth(template: ResponseTemplate) -> Result<Reply<PreauthReversalResponse>, Error> {
    let server = answering(template).await;
    let client = client(&server.uri());
    preauth_reversal(&client, "xk_1").await
}

async fn softpos(template: ResponseTemplate) -> Result<Reply<InitReversalResponse>, Error> {
    let server = answering(template).await;
    init_reversal(&client(&server.uri()), SESSION, "enc_1").await
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

// ---- success -------------------------------------------------------------

#[tokio::test]
async fn code_0_with_is_succeed_true_is_a_success_with_exact_amounts() {
    let reply = capture(json(200, "capture_reversal_success.json"))
        .await
        .unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert!(!reply.is_repeat());
    assert_eq!(reply.status(), 200);
    assert_eq!(reply.amount.unwrap().value(), dec("15"));
    assert_eq!(reply.net_amount.unwrap().to_string(), "14.65");
    assert_eq!(reply.comission.unwrap().to_string(), "0.30");
    assert_eq!(reply.comission_tax.unwrap().to_string(), "0.05");
    assert_eq!(reply.transaction_type.unwrap().0, 6);
    assert_eq!(reply.currency.as_ref().unwrap().as_str(), "TRY");
    assert_eq!(
        reply.xact_date.as_ref().unwrap().to_string(),
        "2016-04-07T15:33:09.543"
    );
    assert_eq!(
        reply.raw_body(),
        fixture("capture_reversal_success.json").as_slice()
    );
}

#[tokio::test]
async fn code_100_is_a_success_that_says_it_was_a_repeat() {
    let reply = capture(json(200, "capture_reversal_repeat.json"))
        .await
        .unwrap();
    assert_eq!(reply.result_code(), ResultCode::OldSuccessful);
    assert!(reply.is_repeat());
}

#[tokio::test]
async fn the_tables_types_decode_and_map_like_the_examples_types() {
    let reply = capture(json(200, "capture_reversal_string_forms.json"))
        .await
        .unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert_eq!(reply.amount.unwrap().to_string(), "15.00");
    assert_eq!(reply.net_amount.unwrap().value(), dec("14.65"));
    assert_eq!(reply.comission.unwrap().to_string(), "0.30");
    assert_eq!(reply.pos_type.unwrap().0, 5);
    assert!(reply.is_succeed.unwrap().get());
    assert_eq!(reply.paynet_error_id.as_ref().unwrap().as_str(), "false");

    let reply = preauth(json(200, "preauth_reversal_code_string.json"))
        .await
        .unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
}

#[tokio::test]
async fn the_preauth_and_softpos_examples_are_successes() {
    let reply = preauth(json(200, "preauth_reversal_example.json"))
        .await
        .unwrap();
    assert_eq!(
        reply.object_name.as_deref(),
        Some("transaction_preauth_reversed_request")
    );
    assert_eq!(reply.message.as_deref(), Some("Başarılı İşlem"));
    let reply = softpos(json(200, "softpos_init_success.json"))
        .await
        .unwrap();
    assert_eq!(
        reply.encryption_key.as_ref().map(|k| k.expose_secret()),
        Some("ek_0001")
    );
    assert_eq!(reply.payment_session_id.as_deref(), Some("ps_0001"));
}

#[tokio::test]
async fn money_round_trips_exactly_through_decode_and_serialize() {
    for amount in [
        "14.65",
        "0.01",
        "0.05",
        "1234567.89",
        "99999999999.99",
        "15",
    ] {
        let body =
            format!(r#"{{"code":0,"is_succeed":true,"net_amount":{amount},"amount":"{amount}"}}"#);
        let reply = capture(raw(200, body.as_bytes(), "application/json"))
            .await
            .unwrap();
        // The text as it arrived; Display writes two decimals instead.
        assert_eq!(
            reply.net_amount.unwrap().as_sent(),
            amount,
            "number {amount}"
        );
        assert_eq!(reply.amount.unwrap().as_sent(), amount, "string {amount}");
        let again = serde_json::to_value(reply.into_inner()).unwrap();
        assert_eq!(again["net_amount"], amount);
    }
}

// ---- bank decline, Paynet error, disagreement -----------------------------

#[tokio::test]
async fn is_succeed_false_is_a_bank_decline_with_both_reasons_and_the_response() {
    let err = capture(json(200, "capture_reversal_declined.json"))
        .await
        .unwrap_err();
    let Error::BankDeclined { reason, code, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(*code, ResultCode::Successful);
    assert_eq!(reason.bank_error_id.as_deref(), Some("05"));
    assert_eq!(
        reason.bank_error_short_desc.as_deref(),
        Some("Do not honour")
    );
    assert_eq!(reason.paynet_error_id.as_deref(), Some("1205"));
    insta::assert_snapshot!(err.to_string(), @"the bank declined the operation: Red-Onaylanmadı (bank code 05); Paynet: Banka işlemi onaylamadı (code 1205)");
    let response = err
        .response::<CaptureReversalResponse>()
        .expect("the decoded response");
    assert_eq!(response.net_amount.unwrap().to_string(), "14.65");
    assert_eq!(
        err.raw_body(),
        Some(fixture("capture_reversal_declined.json").as_slice())
    );
    assert_eq!(err.status(), Some(200));
    assert!(!err.is_retry_safe());
    assert!(!err.is_outcome_unknown());
}

#[tokio::test]
async fn is_succeed_false_as_a_string_is_a_bank_decline_too() {
    let body = br#"{"code":"0","is_succeed":"false","bank_error_message":"Yetersiz bakiye"}"#;
    let err = capture(raw(200, body, "application/json"))
        .await
        .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"the bank declined the operation: Yetersiz bakiye");
}

#[tokio::test]
async fn the_vendor_example_with_code_1_and_is_succeed_true_is_never_a_success() {
    let err = capture(json(200, "capture_reversal_example.json"))
        .await
        .unwrap_err();
    assert_matches!(
        err,
        Error::Inconsistent {
            code: ResultCode::Unsuccessful,
            is_succeed: true,
            ..
        }
    );
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer contradicts itself (result code 1 (unsuccessful) but is_succeed true); treat the outcome as unknown and check the transaction");
    assert_eq!(
        err.response::<CaptureReversalResponse>()
            .unwrap()
            .bank_error_id
            .as_deref(),
        Some("6000")
    );
    assert!(err.response::<PreauthReversalResponse>().is_none());
    assert!(err.is_outcome_unknown());
}

#[tokio::test]
async fn another_code_on_http_200_is_a_paynet_error() {
    let err = preauth(json(200, "preauth_reversal_no_data.json"))
        .await
        .unwrap_err();
    assert_matches!(
        err,
        Error::Paynet {
            code: ResultCode::NoData,
            ..
        }
    );
    insta::assert_snapshot!(err.to_string(), @"Paynet refused the operation with result code 12 (no_data): İşlem bulunamadı");
    assert_eq!(err.result_code(), Some(ResultCode::NoData));
    assert_eq!(
        err.response::<PreauthReversalResponse>()
            .unwrap()
            .message
            .as_deref(),
        Some("İşlem bulunamadı")
    );
}

#[tokio::test]
async fn a_code_outside_the_table_is_kept() {
    let err = preauth(json(200, "preauth_reversal_unknown_code.json"))
        .await
        .unwrap_err();
    assert_eq!(err.result_code(), Some(ResultCode::Other(4242)));
    insta::assert_snapshot!(err.to_string(), @"Paynet refused the operation with result code 4242: Yeni bir hata");
}

#[tokio::test]
async fn code_7_on_http_200_counts_as_refused_credentials() {
    let err = preauth(raw(
        200,
        br#"{"code":7,"message":"unauthorized"}"#,
        "application/json",
    ))
    .await
    .unwrap_err();
    // The same refusal is the same variant whatever the status: code 7.
    assert_matches!(
        err,
        Error::Unauthorized(ErrorAnswer {
            status: 200,
            result_code: Some(ResultCode::Unauthorized),
            ..
        })
    );
    assert!(err.is_unauthorized());
    assert!(err.is_refusal());
}

// ---- non-2xx with an error body ------------------------------------------

#[tokio::test]
async fn http_401_is_recognisable_as_wrong_credentials() {
    let err = capture(json(401, "error_401.json")).await.unwrap_err();
    let Error::Unauthorized(ErrorAnswer {
        status,
        error_type,
        result_code,
        message,
        ..
    }) = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(
        (*status, error_type, *result_code),
        (
            401,
            &ErrorType::AuthorizationError,
            Some(ResultCode::Unauthorized)
        )
    );
    assert_eq!(message, "API anahtarınız yanlış");
    assert!(err.is_unauthorized());
    insta::assert_snapshot!(err.to_string(), @"Paynet refused the credentials (HTTP 401): API anahtarınız yanlış");
    assert_eq!(err.raw_body(), Some(fixture("error_401.json").as_slice()));
}

#[tokio::test]
async fn http_401_without_a_json_body_is_still_wrong_credentials() {
    let err = capture(raw(401, b"Unauthorized", "text/plain"))
        .await
        .unwrap_err();
    assert!(err.is_unauthorized(), "{err:?}");
    insta::assert_snapshot!(err.to_string(), @"Paynet refused the credentials (HTTP 401): no message");
}

#[tokio::test]
async fn documented_error_statuses_carry_type_result_code_and_message() {
    let err = capture(json(400, "error_400.json")).await.unwrap_err();
    assert_matches!(
        err,
        Error::Http(ErrorAnswer {
            status: 400,
            error_type: ErrorType::InvalidRequestError,
            result_code: Some(ResultCode::BadRequest),
            ..
        })
    );
    insta::assert_snapshot!(err.to_string(), @"Paynet answered HTTP 400 (invalid_request_error, result code 11 (bad_request)): xact_id zorunludur");

    let err = preauth(json(404, "error_404_no_data.json"))
        .await
        .unwrap_err();
    assert_no_data(&err);
}

#[tokio::test]
async fn an_unknown_error_type_is_kept_as_text() {
    let err = capture(json(403, "error_403_unknown_type.json"))
        .await
        .unwrap_err();
    // Its result code 7 makes it a refusal of the credentials, whatever the type.
    let Error::Unauthorized(ErrorAnswer { error_type, .. }) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error_type, &ErrorType::Other("ip_restriction_error".into()));
    insta::assert_snapshot!(err.to_string(), @"Paynet refused the credentials (HTTP 403): IP adresi tanımlı değil");
}

#[tokio::test]
async fn an_undocumented_status_with_the_error_body_is_mapped_the_same_way() {
    let err = capture(json(405, "error_400.json")).await.unwrap_err();
    assert_matches!(err, Error::Http(ErrorAnswer { status: 405, .. }));
}

#[tokio::test]
async fn the_softpos_400_body_carries_its_result_code_in_code() {
    let err = softpos(json(400, "softpos_400.json")).await.unwrap_err();
    assert_matches!(
        err,
        Error::Http(ErrorAnswer {
            status: 400,
            error_type: ErrorType::Missing,
            result_code: Some(ResultCode::PaynetjNoSession),
            ..
        })
    );
    insta::assert_snapshot!(err.to_string(), @"Paynet answered HTTP 400 (no type, result code 13 (paynetj_no_session)): Oturum bulunamadı");
}

// ---- bodies that cannot be read --------------------------------------------

#[tokio::test]
async fn an_html_page_from_a_proxy_is_undecodable_with_its_first_bytes() {
    let err = capture(raw(502, &fixture("html_502.html"), "text/html"))
        .await
        .unwrap_err();
    assert_matches!(err, Error::Undecodable { status: 502, .. });
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer (HTTP 502, 150 bytes) could not be read: the body is not Paynet's error body; check the transaction");
    assert_eq!(
        err.body_snippet().unwrap(),
        "\"<html>\\r\\n<head><title>502 Bad Gateway</title></head>\\r\\n<body>\\r\\n<center><h1>502 Bad Gateway</h1></center>\\r\\n<hr><center>nginx</center>\\r\\n</body>\\r\\n</html>\\r\\n\""
    );
    assert_eq!(err.raw_body(), Some(fixture("html_502.html").as_slice()));
}

#[tokio::test]
async fn html_on_a_documented_status_is_undecodable_too() {
    let err = capture(raw(400, b"<html>bad</html>", "text/html"))
        .await
        .unwrap_err();
    assert_matches!(err, Error::Undecodable { status: 400, .. });
}

#[tokio::test]
async fn an_empty_200_is_undecodable() {
    let err = capture(raw(200, b"", "application/json"))
        .await
        .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer (HTTP 200, 0 bytes) could not be read: the body is empty; check the transaction");
}

#[tokio::test]
async fn a_truncated_200_is_undecodable() {
    let body = fixture("capture_reversal_success.json");
    let err = capture(raw(200, &body[..body.len() / 2], "application/json"))
        .await
        .unwrap_err();
    let Error::Undecodable {
        status: 200,
        reason,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(reason.starts_with("the body ends too early"), "{reason}");
}

#[tokio::test]
async fn a_200_whose_verdict_cannot_be_read_is_undecodable() {
    let err = capture(raw(200, b"[1,2]", "application/json"))
        .await
        .unwrap_err();
    assert_matches!(err, Error::Undecodable { .. });
    let err = capture(raw(
        200,
        br#"{"code":{"a":1},"is_succeed":true}"#,
        "application/json",
    ))
    .await
    .unwrap_err();
    let Error::Undecodable { reason, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(reason, "its `code` is not readable");
}

// ---- the verdict reads only the verdict -------------------------------------

#[tokio::test]
async fn a_field_outside_the_verdict_that_does_not_decode_is_reported_not_fatal() {
    let reply = capture(raw(
        200,
        br#"{"code":0,"is_succeed":true,"amount":{"a":1},"net_amount":"14.65"}"#,
        "application/json",
    ))
    .await
    .unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert_eq!(reply.amount, None, "left out");
    assert_eq!(reply.net_amount.unwrap().to_string(), "14.65");
    let [field] = reply.undecoded_fields() else {
        panic!("{:?}", reply.undecoded_fields())
    };
    assert_eq!(field.field, "amount");
    assert_eq!(field.received, r#"{"a":1}"#);
    // A decline keeps its verdict too, and reports the field the same way.
    let err = capture(raw(
        200,
        br#"{"code":0,"is_succeed":false,"xact_date":20160407}"#,
        "application/json",
    ))
    .await
    .unwrap_err();
    assert_matches!(err, Error::BankDeclined { .. });
    assert_eq!(err.undecoded_fields()[0].field, "xact_date");
    assert_eq!(err.undecoded_fields()[0].received, "20160407");
}

#[tokio::test]
async fn a_date_in_another_layout_is_a_success_with_its_text() {
    let reply = capture(json(200, "capture_reversal_turkish_date.json"))
        .await
        .unwrap();
    let date = reply.xact_date.as_ref().unwrap();
    assert_eq!(date.as_str(), "07.04.2016 15:33:09");
    assert_eq!(date.local().unwrap().to_string(), "2016-04-07 15:33:09");
    assert!(reply.undecoded_fields().is_empty());
    // A layout nobody knows is kept as text: still a success.
    let body = String::from_utf8(fixture("capture_reversal_success.json"))
        .unwrap()
        .replace("2016-04-07T15:33:09.543", "7 Nisan 2016, 15:33");
    let reply = capture(raw(200, body.as_bytes(), "application/json"))
        .await
        .unwrap();
    let date = reply.xact_date.as_ref().unwrap();
    assert_eq!(date.as_str(), "7 Nisan 2016, 15:33");
    assert!(!date.is_parsed());
}

#[tokio::test]
async fn an_amount_longer_than_a_json_number_keeps_is_reported_exactly_not_rounded() {
    let reply = capture(json(200, "capture_reversal_long_amount.json"))
        .await
        .unwrap();
    assert_eq!(reply.amount, None, "never a rounded amount");
    let [field] = reply.undecoded_fields() else {
        panic!("{:?}", reply.undecoded_fields())
    };
    assert_eq!(field.field, "amount");
    assert_eq!(
        field.received, "12345678901234567.89",
        "every digit as sent"
    );
    assert_eq!(reply.net_amount.unwrap().to_string(), "14.65");
}

#[tokio::test]
async fn an_unknown_field_and_a_capitalised_flag_are_successes() {
    let reply = capture(json(200, "capture_reversal_extra_field.json"))
        .await
        .unwrap();
    assert!(reply.undecoded_fields().is_empty());
    let raw_body = String::from_utf8(reply.raw_body().to_vec()).unwrap();
    assert!(
        raw_body.contains("installment_plan"),
        "kept in the raw body"
    );
    let reply = capture(json(200, "capture_reversal_flag_capital.json"))
        .await
        .unwrap();
    assert_eq!(reply.is_succeed.map(|f| f.get()), Some(true));
}

#[tokio::test]
async fn a_200_without_a_result_code_is_not_a_success() {
    let err = preauth(raw(
        200,
        br#"{"object_name":"x","message":"ok"}"#,
        "application/json",
    ))
    .await
    .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer (HTTP 200, 34 bytes) could not be read: the answer carries no readable result code; check the transaction");
}

#[tokio::test]
async fn a_long_unreadable_body_is_quoted_only_in_part_and_only_on_request() {
    let body = "x".repeat(5000);
    let err = capture(raw(500, body.as_bytes(), "text/plain"))
        .await
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("xxx"), "the Display quotes the body: {text}");
    let snippet = err.body_snippet().unwrap();
    assert_eq!(snippet.len(), paynet_ext::SNIPPET_BYTES + "\"\"…".len());
    assert!(snippet.ends_with("xxx\"…"), "{snippet}");
    assert_eq!(err.raw_body().unwrap().len(), 5000);
}

#[tokio::test]
async fn an_undocumented_2xx_is_undecodable() {
    let err = capture(raw(201, b"{}", "application/json"))
        .await
        .unwrap_err();
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer (HTTP 201, 2 bytes) could not be read: HTTP 201 is not an answer the spec documents for capture_reversal; check the transaction");
}

#[tokio::test]
async fn a_body_over_the_limit_is_refused_without_being_read_whole() {
    let server = answering(raw(200, &vec![b' '; 64 * 1024], "application/json")).await;
    let client = builder(&server.uri()).max_body_bytes(1024).build().unwrap();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert_matches!(
        err,
        Error::BodyTooLarge {
            status: 200,
            limit: 1024,
            declared: Some(65536)
        }
    );
    insta::assert_snapshot!(err.to_string(), @"Paynet's answer (HTTP 200) is larger than the limit of 1024 bytes and was not read");
}

// ---- no answer ---------------------------------------------------------------

#[tokio::test]
async fn a_refused_connection_is_a_transport_error_that_is_safe_to_retry() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let client = client(&base);
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert_matches!(
        err,
        Error::Transport {
            retry_safe: true,
            ..
        }
    );
    assert!(err.is_retry_safe());
    assert!(!err.is_outcome_unknown());
    let text = err.to_string();
    assert!(
        text.starts_with(
            "the connection to Paynet failed (error sending request for url (http://127.0.0.1:"
        ),
        "{text}"
    );
    assert!(
        text.ends_with("); the connection was never made, so sending it again is safe"),
        "{text}"
    );
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout_that_is_not_safe_to_retry() {
    let server =
        answering(json(200, "capture_reversal_success.json").set_delay(Duration::from_secs(5)))
            .await;
    let client = builder(&server.uri())
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert_matches!(
        err,
        Error::Timeout {
            retry_safe: false,
            ..
        }
    );
    assert!(!err.is_retry_safe());
    insta::assert_snapshot!(err.to_string(), @"Paynet did not answer in time; the request may have reached Paynet, so check the transaction before sending it again");
}

// ---- the three questions ----------------------------------------------------

/// One error of every variant, each answering the README's table the way it
/// says: (may it have happened?, can the same request be sent again?, is it
/// a refusal?). Exactly one of the three is true for every error.
#[tokio::test]
async fn every_variant_answers_the_three_questions_as_the_table_says() {
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        base
    };
    let slow =
        answering(json(200, "capture_reversal_success.json").set_delay(Duration::from_secs(5)))
            .await;
    let big = answering(raw(200, &vec![b' '; 4096], "application/json")).await;
    let keyless = paynet_ext::ClientBuilder::new(
        paynet_ext::Environment::custom("http://127.0.0.1:9").unwrap(),
    )
    .build()
    .unwrap();
    let cases: Vec<(&str, Error, (bool, bool, bool))> = vec![
        (
            "InvalidRequest",
            capture_reversal(&keyless, "xk_1").await.unwrap_err(),
            (false, false, true),
        ),
        (
            "Transport, never connected",
            capture_reversal(&client(&closed), "xk_1")
                .await
                .unwrap_err(),
            (false, true, false),
        ),
        (
            "Timeout after sending",
            capture_reversal(
                &builder(&slow.uri())
                    .timeout(Duration::from_millis(200))
                    .build()
                    .unwrap(),
                "xk_1",
            )
            .await
            .unwrap_err(),
            (true, false, false),
        ),
        (
            "Unauthorized",
            capture(json(401, "error_401.json")).await.unwrap_err(),
            (false, false, true),
        ),
        (
            "Http 4xx",
            capture(json(400, "error_400.json")).await.unwrap_err(),
            (false, false, true),
        ),
        (
            "Http 5xx",
            capture(raw(
                503,
                br#"{"type":"api_error","message":"bakim","code":503,"result_code":1}"#,
                "application/json",
            ))
            .await
            .unwrap_err(),
            (true, false, false),
        ),
        (
            "Paynet",
            capture(raw(200, br#"{"code":5,"message":"x"}"#, "application/json"))
                .await
                .unwrap_err(),
            (false, false, true),
        ),
        (
            "BankDeclined",
            capture(json(200, "capture_reversal_declined.json"))
                .await
                .unwrap_err(),
            (false, false, true),
        ),
        (
            "Inconsistent",
            capture(json(200, "capture_reversal_example.json"))
                .await
                .unwrap_err(),
            (true, false, false),
        ),
        (
            "Undecodable",
            capture(raw(200, b"", "application/json"))
                .await
                .unwrap_err(),
            (true, false, false),
        ),
        (
            "BodyTooLarge",
            capture_reversal(
                &builder(&big.uri()).max_body_bytes(1024).build().unwrap(),
                "xk_1",
            )
            .await
            .unwrap_err(),
            (true, false, false),
        ),
        (
            "Redirected",
            capture(
                ResponseTemplate::new(307)
                    .insert_header("location", "http://127.0.0.1:1/elsewhere"),
            )
            .await
            .unwrap_err(),
            (true, false, false),
        ),
    ];
    let mut kinds = std::collections::BTreeSet::new();
    for (name, err, expected) in cases {
        kinds.insert(err.kind());
        let got = (
            err.is_outcome_unknown(),
            err.is_retry_safe(),
            err.is_refusal(),
        );
        assert_eq!(got, expected, "{name}: {err:?}");
        assert_eq!(
            [got.0, got.1, got.2].iter().filter(|b| **b).count(),
            1,
            "{name}: exactly one question is answered yes"
        );
    }
    // Every variant of the enum is in the table above.
    assert_eq!(kinds.len(), 11, "{kinds:?}");
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_names_where_it_pointed() {
    let err =
        capture(ResponseTemplate::new(308).insert_header("location", "http://10.1.2.3/steal"))
            .await
            .unwrap_err();
    assert_matches!(&err, Error::Redirected { status: 308, location: Some(l) } if l == "http://10.1.2.3/steal");
    insta::assert_snapshot!(err.to_string(), @"Paynet answered HTTP 308, a redirect to http://10.1.2.3/steal, which was not followed; check the base URL, and the transaction");
}

/// A required argument left out of a builder is refused before anything is
/// sent, and the message says which builder method gives it.
#[tokio::test]
async fn a_missing_builder_argument_names_its_method() {
    use paynet_ext::{CallExt, ClientBuilder, Environment};
    // nothing listens on port 9 of loopback; nothing is sent anyway
    let client = ClientBuilder::new(Environment::custom("http://127.0.0.1:9").unwrap())
        .build()
        .unwrap();
    let err = client
        .init_reversal_transaction()
        .body_map(|b| b.xact_id("xk_1"))
        .call()
        .await
        .unwrap_err();
    assert_matches!(err, Error::InvalidRequest { .. });
    assert_eq!(
        err.to_string(),
        "the request was not sent: session_key was not initialized: give it with the builder's .session_key(..)"
    );
    assert!(err.is_refusal());
}

/// Every variant reports the status its answer came with: a decline or a
/// contradiction in a 2xx other than 200 says so, not 200.
#[test]
fn every_error_reports_the_status_it_came_with() {
    use paynet_ext::map_body;
    let declined =
        map_body::<CaptureReversalResponse>(201, fixture("capture_reversal_declined.json").into())
            .unwrap_err();
    assert_matches!(declined, Error::BankDeclined { status: 201, .. });
    assert_eq!(declined.status(), Some(201));
    let contradicts =
        map_body::<CaptureReversalResponse>(202, fixture("capture_reversal_example.json").into())
            .unwrap_err();
    assert_matches!(contradicts, Error::Inconsistent { status: 202, .. });
    assert_eq!(contradicts.status(), Some(202));
    let unauthorized = map_body::<CaptureReversalResponse>(
        403,
        br#"{"type":"authorization_error","message":"m"}"#.as_slice().into(),
    )
    .unwrap_err();
    assert_eq!(unauthorized.status(), Some(403));
    // The body derefs to its bytes and prints as its length.
    let Error::Unauthorized(ErrorAnswer { body, .. }) = &unauthorized else {
        panic!("{unauthorized:?}")
    };
    assert_eq!(
        &body[..],
        br#"{"type":"authorization_error","message":"m"}"#
    );
    assert_eq!(format!("{body:?}"), format!("<{} bytes>", body.len()));
}
