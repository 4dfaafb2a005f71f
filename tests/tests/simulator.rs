//! End to end: `paynet-ext` against `paynet-mock`, for every operation,
//! every scenario trigger and the state machine; and the simulator's own
//! checks against the spec.

use std::time::Duration;

use paynet_api::types::InitReversalResponse;
use paynet_ext::{
    ClientBuilder, Environment, Error, ErrorAnswer, ErrorType, Reply, ResultCode, SecretKey,
    SessionKeyExt,
};
use paynet_mock::{
    CAPTURE_EXAMPLE_XACT_ID, Config, EXPIRED_SESSION_USER, MockServer, PREAUTH_EXAMPLE_XACT_ID,
    TRIGGERS, Transaction,
};
use paynet_tests::{
    assert_matches, assert_no_data, capture_reversal as capture, init_reversal_with,
    preauth_reversal as preauth, simulator_client as client,
};
use serde_json::{Value, json};

async fn mock() -> MockServer {
    paynet_tests::simulator(Duration::from_secs(2)).await
}

/// A SoftPOS call with both optional fields, which the simulator checks
/// against the spec too.
async fn softpos(
    client: &paynet_api::Client,
    session: &str,
    id: &str,
) -> Result<Reply<InitReversalResponse>, Error> {
    init_reversal_with(client, session, id, Some("REF-1"), Some("myapp://back")).await
}

fn code_of(err: &Error) -> Option<ResultCode> {
    err.result_code()
}

// ---- the state machine ---------------------------------------------------------

#[tokio::test]
async fn capture_reversal_reverses_once_then_answers_the_repeat_with_100() {
    let mock = mock().await;
    let client = client(&mock);
    let reply = capture(&client, CAPTURE_EXAMPLE_XACT_ID).await.unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
    assert_eq!(reply.transaction_type.unwrap().0, 6);
    assert!(reply.is_succeed.unwrap().get());
    assert_eq!(reply.amount.unwrap().to_string(), "15.00");
    assert_eq!(reply.net_amount.unwrap().to_string(), "14.65");
    assert_eq!(reply.comission.unwrap().to_string(), "0.30");
    assert!(reply.xact_date.as_ref().unwrap().offset().is_none());
    assert!(mock.transaction(CAPTURE_EXAMPLE_XACT_ID).unwrap().reversed);

    let repeat = capture(&client, CAPTURE_EXAMPLE_XACT_ID).await.unwrap();
    assert!(repeat.is_repeat());
    assert_eq!(repeat.result_code(), ResultCode::OldSuccessful);
    assert_eq!(repeat.amount.unwrap().to_string(), "15.00");
    assert_eq!(mock.store().reversals_applied(CAPTURE_EXAMPLE_XACT_ID), 1);
}

#[tokio::test]
async fn the_amounts_of_the_transaction_come_back() {
    let mock = mock().await;
    let amount = "1234.56".parse().unwrap();
    mock.add_transaction(Transaction::captured("xk_amounts").with_amounts(
        amount,
        "24.69".parse().unwrap(),
        "4.44".parse().unwrap(),
    ));
    let reply = capture(&client(&mock), "xk_amounts").await.unwrap();
    assert_eq!(reply.amount.unwrap().to_string(), "1234.56");
    assert_eq!(reply.net_amount.unwrap().to_string(), "1205.43");
}

#[tokio::test]
async fn an_amount_beyond_a_doubles_precision_comes_back_exactly() {
    // As a preload file gives it: a string, kept as a decimal.
    let preload: Vec<Transaction> = serde_json::from_str(
        r#"[{"xact_id": "xk_big", "kind": "captured", "amount": "12345678901234567.89"}]"#,
    )
    .unwrap();
    let mock = MockServer::start(Config {
        transactions: preload,
        ..Config::default()
    })
    .await
    .unwrap();
    let reply = capture(&client(&mock), "xk_big").await.unwrap();
    assert_eq!(reply.amount.unwrap().to_string(), "12345678901234567.89");
    let exact: rust_decimal::Decimal = "12345678901234567.89".parse().unwrap();
    assert_eq!(reply.amount.unwrap().value(), exact);
}

#[tokio::test]
async fn amounts_are_numbers_when_a_number_is_exact_and_strings_otherwise() {
    let mock = mock().await;
    mock.add_transaction(Transaction::captured("xk_big").with_amounts(
        "12345678901234567.89".parse().unwrap(),
        "0.30".parse().unwrap(),
        "0.05".parse().unwrap(),
    ));
    let http = reqwest::Client::new();
    let auth = format!("Basic {}", mock.secret_key());
    let (status, body) = raw_post(
        &http,
        &mock,
        "/v1/transaction/capture_reversal",
        Some(&auth),
        br#"{"xact_id": "xk_big"}"#,
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["amount"], json!("12345678901234567.89"));
    assert_eq!(body["net_amount"], json!("12345678901234567.54"));
    assert_eq!(body["comission"], json!(0.3));
    assert_eq!(body["comission_tax"], json!(0.05));
}

#[tokio::test]
async fn reversing_the_wrong_kind_says_wrong_transaction_type_and_changes_nothing() {
    let mock = mock().await;
    let client = client(&mock);
    let err = capture(&client, PREAUTH_EXAMPLE_XACT_ID).await.unwrap_err();
    assert_eq!(code_of(&err), Some(ResultCode::WrongTransactionType));
    let err = preauth(&client, CAPTURE_EXAMPLE_XACT_ID).await.unwrap_err();
    assert_eq!(code_of(&err), Some(ResultCode::WrongTransactionType));
    assert!(!mock.transaction(PREAUTH_EXAMPLE_XACT_ID).unwrap().reversed);
    assert!(!mock.transaction(CAPTURE_EXAMPLE_XACT_ID).unwrap().reversed);
}

#[tokio::test]
async fn an_unknown_transaction_is_a_404_no_data_error() {
    let mock = mock().await;
    let err = capture(&client(&mock), "xk_unknown").await.unwrap_err();
    assert_no_data(&err);
    let err = preauth(&client(&mock), "xk_unknown").await.unwrap_err();
    assert_eq!(err.status(), Some(404));
}

#[tokio::test]
async fn preauth_reversal_reverses_once() {
    let mock = mock().await;
    let client = client(&mock);
    let reply = preauth(&client, PREAUTH_EXAMPLE_XACT_ID).await.unwrap();
    assert_eq!(
        reply.object_name.as_deref(),
        Some("transaction_preauth_reversed_request")
    );
    assert!(!reply.is_repeat());
    let repeat = preauth(&client, PREAUTH_EXAMPLE_XACT_ID).await.unwrap();
    assert!(repeat.is_repeat());
    assert_eq!(mock.store().reversals_applied(PREAUTH_EXAMPLE_XACT_ID), 1);
}

#[tokio::test]
async fn softpos_starts_a_reversal_without_reversing_anything() {
    let mock = mock().await;
    let client = client(&mock);
    let session = mock.session_key().to_string();
    let reply = softpos(&client, &session, CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    assert!(
        reply
            .payment_session_id
            .as_deref()
            .unwrap()
            .starts_with("ps_mock_")
    );
    assert!(
        reply
            .deeplink_url
            .as_deref()
            .unwrap()
            .starts_with("paypos://reversal?")
    );
    assert!(reply.encryption_key.is_some());
    assert!(!mock.transaction(CAPTURE_EXAMPLE_XACT_ID).unwrap().reversed);

    capture(&client, CAPTURE_EXAMPLE_XACT_ID).await.unwrap();
    let err = softpos(&client, &session, CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), Some(ResultCode::DuplicateData));
    let err = softpos(&client, &session, "enc_unknown").await.unwrap_err();
    assert_matches!(
        err,
        Error::Http(ErrorAnswer {
            status: 400,
            result_code: Some(ResultCode::NoData),
            ..
        })
    );
}

#[tokio::test]
async fn the_deep_link_carries_the_xact_id_as_one_parameter() {
    let mock = mock().await;
    let id = "xk_a&x=1#y";
    mock.add_transaction(Transaction::captured(id));
    let reply = softpos(&client(&mock), mock.session_key(), id)
        .await
        .unwrap();
    let link = reqwest::Url::parse(reply.deeplink_url.as_deref().unwrap()).unwrap();
    assert_eq!(link.fragment(), None, "{link}");
    let pairs: Vec<(String, String)> = link.query_pairs().into_owned().collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(names, ["payment_session_id", "xact_id"], "{link}");
    assert_eq!(pairs[1].1, id, "{link}");
}

#[tokio::test]
async fn concurrent_duplicate_reversals_reverse_once_and_say_so_once() {
    let mock = mock().await;
    let client = client(&mock);
    for round in 0..5 {
        let id = format!("xk_race_{round}");
        mock.add_transaction(Transaction::captured(&id));
        let calls = (0..16).map(|_| capture(&client, &id));
        let results = futures_util::future::join_all(calls).await;
        let replies: Vec<_> = results
            .into_iter()
            .map(|r| r.expect("every duplicate is answered as a success"))
            .collect();
        let first_time = replies.iter().filter(|r| !r.is_repeat()).count();
        assert_eq!(first_time, 1, "round {round}");
        assert_eq!(mock.store().reversals_applied(&id), 1, "round {round}");
    }
}

// ---- credentials -----------------------------------------------------------------

#[tokio::test]
async fn a_wrong_secret_key_is_unauthorized() {
    let mock = mock().await;
    let client = ClientBuilder::new(Environment::custom(&mock.base_url()).unwrap())
        .secret_key(SecretKey::new("sck_wrong").unwrap())
        .build()
        .unwrap();
    let err = capture(&client, CAPTURE_EXAMPLE_XACT_ID).await.unwrap_err();
    assert_matches!(
        err,
        Error::Unauthorized(ErrorAnswer {
            status: 401,
            error_type: ErrorType::AuthorizationError,
            result_code: Some(ResultCode::Unauthorized),
            ..
        })
    );
    assert!(!mock.transaction(CAPTURE_EXAMPLE_XACT_ID).unwrap().reversed);
}

#[tokio::test]
async fn a_wrong_session_key_is_refused_like_a_wrong_secret_key() {
    let mock = mock().await;
    let err = softpos(&client(&mock), "not_the_session", CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap_err();
    // The SoftPOS 400 body with code 7 is the same refusal as a classic 401.
    assert_matches!(
        err,
        Error::Unauthorized(ErrorAnswer {
            status: 400,
            result_code: Some(ResultCode::Unauthorized),
            error_type: ErrorType::Missing,
            ..
        })
    );
    assert!(err.is_unauthorized());
}

// ---- session keys for servers (Oturum Anahtarı, get_auth_key) --------------------------

#[tokio::test]
async fn a_server_obtains_a_session_key_and_starts_a_softpos_reversal_with_it() {
    let mock = mock().await;
    let client = client(&mock);
    let before = std::time::SystemTime::now();
    let session = client.obtain_session_key("1234", "kasiyer1").await.unwrap();
    assert_ne!(session.expose_secret(), mock.session_key(), "a new key");
    // The simulator's keys last an hour, written in Turkish time.
    let expires = session.expires_at().expect("expired_date parsed");
    let lifetime = expires.duration_since(before).unwrap();
    assert!(
        lifetime > Duration::from_secs(3590) && lifetime <= Duration::from_secs(3601),
        "{lifetime:?} ({:?})",
        session.expired_date()
    );
    assert!(!session.is_expired());
    assert!(session.is_expired_at(expires));

    let reply = softpos(&client, session.expose_secret(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    assert!(reply.deeplink_url.is_some());
    // Each call issues another key; both open the SoftPOS operations.
    let second = client.obtain_session_key("1234", "kasiyer1").await.unwrap();
    assert_ne!(second.expose_secret(), session.expose_secret());
    softpos(&client, second.expose_secret(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_expired_session_key_is_refused_as_unauthorized() {
    // By the trigger user id, on a default simulator...
    let mock = mock().await;
    let client = client(&mock);
    let expired = client
        .obtain_session_key("1234", EXPIRED_SESSION_USER)
        .await
        .unwrap();
    assert!(expired.is_expired());
    let err = softpos(&client, expired.expose_secret(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap_err();
    assert_matches!(
        err,
        Error::Unauthorized(ErrorAnswer {
            status: 400,
            result_code: Some(ResultCode::Unauthorized),
            ..
        })
    );
    assert!(err.to_string().contains("süresi dolmuş"), "{err}");
    assert!(err.is_refusal());

    // ... and by a short lifetime: valid at first, refused once it is over.
    let short = MockServer::start(Config {
        session_key_lifetime: Duration::from_millis(300),
        ..Config::default()
    })
    .await
    .unwrap();
    let client = paynet_tests::simulator_client(&short);
    let session = client.obtain_session_key("1234", "kasiyer1").await.unwrap();
    softpos(&client, session.expose_secret(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert!(session.is_expired());
    let err = softpos(&client, session.expose_secret(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap_err();
    assert_matches!(err, Error::Unauthorized(ErrorAnswer { status: 400, .. }));
    // The configured fixed key does not expire.
    softpos(&client, short.session_key(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
}

#[tokio::test]
async fn get_auth_key_needs_the_secret_key_and_paynet_mobile() {
    let mock = mock().await;
    // A wrong secret key: its page's 400 with result code 7 (it documents
    // no 401), which maps to Unauthorized as the classic 401 does.
    let wrong = ClientBuilder::new(Environment::custom(&mock.base_url()).unwrap())
        .secret_key(SecretKey::new("sck_wrong").unwrap())
        .build()
        .unwrap();
    let err = wrong
        .obtain_session_key("1234", "kasiyer1")
        .await
        .unwrap_err();
    assert_matches!(
        err,
        Error::Unauthorized(ErrorAnswer {
            status: 400,
            error_type: ErrorType::Missing,
            result_code: Some(ResultCode::Unauthorized),
            ..
        })
    );
    // No secret key at all: nothing is sent.
    let keyless = ClientBuilder::new(Environment::custom(&mock.base_url()).unwrap())
        .build()
        .unwrap();
    let err = keyless
        .obtain_session_key("1234", "kasiyer1")
        .await
        .unwrap_err();
    assert_matches!(err, Error::InvalidRequest { .. });

    // Without PaynetMobile, or without user_id: a bad request (11).
    let http = reqwest::Client::new();
    let url = format!("{}/v1/agent/get_auth_key", mock.base_url());
    let auth = format!("Basic {}", mock.secret_key());
    for (mobile, body) in [
        (None, r#"{"agent_id":"1234","user_id":"kasiyer1"}"#),
        (Some("2"), r#"{"agent_id":"1234"}"#),
    ] {
        let mut request = http
            .post(&url)
            .header("authorization", &auth)
            .header("content-type", "application/json")
            .body(body);
        if let Some(mobile) = mobile {
            request = request.header("paynetmobile", mobile);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 400, "{mobile:?} {body}");
        let answer: Value = response.json().await.unwrap();
        assert_eq!(answer["code"], 11, "{answer}");
        assert!(answer.get("object_name").is_some(), "{answer}");
    }
}

// ---- scenario triggers -----------------------------------------------------------

// ---- the simulator follows the spec ------------------------------------------------

/// A plain POST. Each test builds one reqwest client and passes it in:
/// building one per request would load the TLS roots every time.
async fn raw_post(
    http: &reqwest::Client,
    mock: &MockServer,
    path: &str,
    auth: Option<&str>,
    body: &[u8],
) -> (u16, Value) {
    let mut request = http
        .post(format!("{}{path}", mock.base_url()))
        .header("content-type", "application/json")
        .body(body.to_vec());
    if let Some(auth) = auth {
        request = request.header("authorization", auth);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn it_rejects_what_the_spec_rejects() {
    let mock = mock().await;
    let http = reqwest::Client::new();
    let auth = format!("Basic {}", mock.secret_key());
    let auth = Some(auth.as_str());
    let capture = "/v1/transaction/capture_reversal";

    let (status, body) = raw_post(&http, &mock, "/v1/transaction/nothing", auth, b"{}").await;
    assert_eq!((status, body["code"].clone()), (404, json!(404)));

    let response = http
        .get(format!("{}{capture}", mock.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert_eq!(response.headers()["allow"], "POST");

    let (status, body) = raw_post(&http, &mock, capture, None, br#"{"xact_id":"xk_1"}"#).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"type": "authorization_error", "message": "API anahtarınız yanlış", "code": 401, "result_code": 7})
    );

    for bad in [
        &b"{not json"[..],
        br#"{}"#,
        br#"{"xact_id": 5}"#,
        br#"{"xact_id": "xk_1", "amount": 10}"#,
        br#"{"xact_id": ""}"#,
        br#"[]"#,
    ] {
        let (status, body) = raw_post(&http, &mock, capture, auth, bad).await;
        assert_eq!(status, 400, "{}", String::from_utf8_lossy(bad));
        assert_eq!(body["type"], "invalid_request_error");
        assert_eq!(body["result_code"], 11);
        assert!(body["message"].as_str().unwrap().len() <= 500);
    }
    let too_long = format!(r#"{{"xact_id": "{}"}}"#, "x".repeat(101));
    let (status, _) = raw_post(&http, &mock, capture, auth, too_long.as_bytes()).await;
    assert_eq!(status, 400);

    let huge = vec![b' '; 1024 * 1024];
    let (status, body) = raw_post(&http, &mock, capture, auth, &huge).await;
    assert_eq!((status, body["code"].clone()), (413, json!(413)));

    // SoftPOS: its own 400 body, and no secret key needed.
    let (status, body) = raw_post(
        &http,
        &mock,
        "/v1/softpos/init_reversal_transaction",
        None,
        br#"{"xact_id":"e"}"#,
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], 7);
    assert!(
        body.get("object_name").is_some() && body.get("type").is_none(),
        "{body}"
    );
    assert_eq!(mock.store().counts().1, 0, "nothing was reversed");
}

#[tokio::test]
async fn the_softpos_start_refuses_a_plain_transaction_number_for_the_encrypted_id() {
    let mock = mock().await;
    let client = client(&mock);
    // The simulator's assumption: digits only are the plain transaction
    // number (the check page's `id`), not the encrypted `xact_id`.
    let err = softpos(&client, mock.session_key(), "2318890")
        .await
        .unwrap_err();
    assert_eq!(code_of(&err), Some(ResultCode::BadRequest), "{err:?}");
    assert!(err.is_refusal(), "{err:?}");
    assert!(
        err.raw_body()
            .is_some_and(|b| String::from_utf8_lossy(b).contains("encrypted transaction id")),
        "{err:?}"
    );
    // The `xk_...` id, which the check page calls the encrypted one, is taken.
    let reply = softpos(&client, mock.session_key(), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    assert_eq!(reply.result_code(), ResultCode::Successful);
}

#[tokio::test]
async fn many_concurrent_clients_with_bad_and_good_requests_all_get_answers() {
    let mock = mock().await;
    let http = reqwest::Client::new();
    let auth = format!("Basic {}", mock.secret_key());
    for i in 0..200 {
        mock.add_transaction(Transaction::captured(format!("xk_load_{i}")));
    }
    let calls = (0..400).map(|i| {
        let body = match i % 4 {
            0 => format!(r#"{{"xact_id":"xk_load_{}"}}"#, i / 2),
            1 => "{broken".to_string(),
            2 => format!(r#"{{"xact_id":"xk_load_{}"}}"#, i / 2),
            _ => r#"{"xact_id": 1}"#.to_string(),
        };
        let (http, mock, auth) = (&http, &mock, &auth);
        async move {
            raw_post(
                http,
                mock,
                "/v1/transaction/capture_reversal",
                Some(auth),
                body.as_bytes(),
            )
            .await
            .0
        }
    });
    let statuses = futures_util::future::join_all(calls).await;
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 200);
    assert_eq!(statuses.iter().filter(|s| **s == 400).count(), 200);
    assert_eq!(mock.store().counts(), (202, 200));
}

#[test]
fn the_readme_documents_every_trigger() {
    let readme =
        std::fs::read_to_string(paynet_tests::scratch::repo_root().join("README.md")).unwrap();
    for (id, _) in TRIGGERS {
        assert!(
            readme.contains(&format!("| `{id}` |")),
            "README has no row for {id}"
        );
    }
}

// ---- a simulator built from the spec ---------------------------------------------

use paynet_mock::Trigger;
use paynet_tests::spec_gen;

#[test]
fn the_readmes_trigger_tables_are_the_ones_the_trigger_enum_writes() {
    use std::fmt::Write;
    let readme =
        std::fs::read_to_string(paynet_tests::scratch::repo_root().join("README.md")).unwrap();
    let mut alone = String::from("| `xact_id` | answer | `.call()` gives |\n| --- | --- | --- |\n");
    let mut on_state = String::from(
        "| `xact_id` starts with | first reversal | `.call()` gives | `.call_resending(..)` gives |\n\
         | --- | --- | --- | --- |\n",
    );
    for t in Trigger::ALL {
        let (id, answer, call) = (t.xact_id(), t.answer_text(), t.call_gives());
        match t.resend_gives() {
            Some(resend) if t.acts_on_state() => {
                writeln!(on_state, "| `{id}` | {answer} | {call} | {resend} |").unwrap()
            }
            _ => writeln!(alone, "| `{id}` | {answer} | {call} |").unwrap(),
        }
    }
    for table in [alone, on_state] {
        assert!(
            readme.contains(&table),
            "README.md does not hold this table, written from paynet_mock::Trigger:\n{table}"
        );
    }
    // The one trigger chosen by `user_id` rather than `xact_id` (a
    // session key issued already expired) is named where `get_auth_key`
    // is described, by its value and its constant.
    let expired = format!("`{EXPIRED_SESSION_USER}` (`paynet_mock::EXPIRED_SESSION_USER`)");
    assert!(
        readme.contains(&expired),
        "README.md does not name {expired}"
    );
}

/// The status and JSON body of a POST to `path` with `headers`.
async fn post(
    http: &reqwest::Client,
    base: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> (u16, Value) {
    let mut request = http
        .post(format!("{base}{path}"))
        .header("content-type", "application/json")
        .body(body.to_string());
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// The headers of a request: `(name, value)`.
type Headers<'a> = &'a [(&'a str, &'a str)];

/// Panics unless the page of `operation_id` in `spec` documents `status`
/// with a schema that `body` satisfies.
fn assert_documented(spec: &Value, operation_id: &str, status: u16, body: &Value) {
    let op = paynet_spec::operations(spec)
        .find(|op| op.id() == Some(operation_id))
        .unwrap();
    let schema = op
        .response_schema(&status.to_string())
        .unwrap()
        .unwrap_or_else(|| panic!("{operation_id} does not document {status}: {body}"));
    let problems = spec_gen::errors_against(spec, schema)(body);
    assert!(
        problems.is_empty(),
        "{operation_id} {status}: {body} breaks its schema: {problems:?}"
    );
}

#[tokio::test]
async fn every_answer_of_every_operation_is_one_its_page_documents() {
    let spec = spec_gen::spec();
    let mock = mock().await;
    let http = reqwest::Client::new();
    let base = mock.base_url();
    let auth = format!("Basic {}", mock.secret_key());
    let session = mock.session_key().to_string();
    let classic: &[(&str, &str)] = &[("authorization", &auth)];
    let mobile: &[(&str, &str)] = &[("authorization", &auth), ("paynetmobile", "2")];
    let softpos: &[(&str, &str)] = &[("session-key", &session)];
    let capture = format!(r#"{{"xact_id": "{CAPTURE_EXAMPLE_XACT_ID}"}}"#);
    let preauth = format!(r#"{{"xact_id": "{PREAUTH_EXAMPLE_XACT_ID}"}}"#);
    let unknown = r#"{"xact_id": "xk_nobody"}"#;
    // (operation, headers, body): a success, a refusal of each kind, a
    // request each check of admission refuses.
    let cases: Vec<(&str, Headers, &str)> = vec![
        (
            "get_auth_key",
            mobile,
            r#"{"agent_id": "1", "user_id": "u"}"#,
        ),
        (
            "get_auth_key",
            &[("paynetmobile", "2")],
            r#"{"agent_id": "1", "user_id": "u"}"#,
        ),
        (
            "get_auth_key",
            classic,
            r#"{"agent_id": "1", "user_id": "u"}"#,
        ),
        (
            "get_auth_key",
            &[("authorization", "Basic sck_wrong"), ("paynetmobile", "2")],
            r#"{"agent_id": "1", "user_id": "u"}"#,
        ),
        ("get_auth_key", mobile, r#"{"agent_id": "1"}"#),
        ("get_auth_key", mobile, "{not json"),
        ("init_reversal_transaction", softpos, &capture),
        ("init_reversal_transaction", softpos, unknown),
        ("init_reversal_transaction", &[], &capture),
        (
            "init_reversal_transaction",
            &[("session-key", "wrong")],
            &capture,
        ),
        ("init_reversal_transaction", softpos, "{}"),
        ("transaction_check", classic, &capture),
        ("transaction_check", classic, unknown),
        ("transaction_check", classic, "{}"),
        ("transaction_check", &[], &capture),
        ("capture_reversal", classic, &capture),
        ("capture_reversal", classic, &capture),
        ("capture_reversal", classic, &preauth),
        ("capture_reversal", classic, unknown),
        ("capture_reversal", classic, "[]"),
        ("capture_reversal", &[], &capture),
        ("init_reversal_transaction", softpos, &capture),
        ("preauth_reversal", classic, &preauth),
        ("preauth_reversal", classic, &preauth),
        ("preauth_reversal", classic, &capture),
        ("preauth_reversal", classic, unknown),
        ("preauth_reversal", classic, r#"{"xact_id": ""}"#),
        ("preauth_reversal", &[], &preauth),
    ];
    for (operation_id, headers, body) in cases {
        let (path, _, _) = spec_gen::operation(&spec, operation_id);
        let (status, answer) = post(&http, &base, path, headers, body).await;
        assert_documented(&spec, operation_id, status, &answer);
    }
}

#[tokio::test]
async fn get_auth_key_without_a_secret_key_answers_its_own_documented_400() {
    let spec = spec_gen::spec();
    let mock = mock().await;
    let (status, answer) = post(
        &reqwest::Client::new(),
        &mock.base_url(),
        "/v1/agent/get_auth_key",
        &[("paynetmobile", "2")],
        r#"{"agent_id": "1234", "user_id": "kasiyer1"}"#,
    )
    .await;
    // Its page documents 200 and 400 (ErrorResponse) only: no 401, and
    // not the classic body.
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["code"], 7, "{answer}");
    assert_eq!(answer["object_name"], "error", "{answer}");
    assert!(answer.get("type").is_none(), "{answer}");
    assert_documented(&spec, "get_auth_key", status, &answer);
}

#[tokio::test]
async fn a_page_the_simulator_has_no_behaviour_for_answers_its_documented_success() {
    let mut spec = spec_gen::spec();
    let mut page = spec["paths"]["/v1/transaction/preauth_reversal"].clone();
    page["post"]["operationId"] = json!("a_new_page");
    spec["paths"]["/v1/transaction/a_new_page"] = page;
    let mock = MockServer::start_with_spec(Config::default(), &spec)
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let base = mock.base_url();
    let auth = format!("Basic {}", mock.secret_key());
    let path = "/v1/transaction/a_new_page";

    let (status, answer) = post(
        &http,
        &base,
        path,
        &[("authorization", &auth)],
        r#"{"xact_id": "xk_1"}"#,
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_documented(&spec, "a_new_page", status, &answer);
    assert!(
        answer.as_object().is_some_and(|o| !o.is_empty()),
        "{answer}"
    );
    // Admitted as every request is: the schema and the credential hold.
    let (status, answer) = post(
        &http,
        &base,
        path,
        &[("authorization", &auth)],
        r#"{"xact_id": 5}"#,
    )
    .await;
    assert_eq!(
        (status, answer["result_code"].clone()),
        (400, json!(11)),
        "{answer}"
    );
    let (status, _) = post(&http, &base, path, &[], r#"{"xact_id": "xk_1"}"#).await;
    assert_eq!(status, 401);
    // The operations it knows keep their behaviour.
    let reply = capture(&client(&mock), CAPTURE_EXAMPLE_XACT_ID)
        .await
        .unwrap();
    assert!(!reply.is_repeat());
    assert_eq!(mock.store().counts().1, 1);
}
