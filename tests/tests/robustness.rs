//! Property tests: whatever bytes or JSON arrive, decoding and mapping end
//! in `Ok` or a typed error, never a panic; and money round-trips exactly.

use bytes::Bytes;
use paynet_api::types::{CaptureReversalResponse, InitReversalResponse, PreauthReversalResponse};
use paynet_api::wire::Amount;
use paynet_ext::{CallExt, Error, map_body};
use paynet_tests::{assert_matches, capture_reversal, fixture};
use proptest::prelude::*;
use serde_json::{Value, json};

const STATUSES: [u16; 8] = [200, 201, 400, 401, 403, 404, 500, 502];

/// Maps `body` as each operation and checks what must hold of any answer.
fn check_all(status: u16, body: &[u8]) {
    check::<CaptureReversalResponse>(status, body);
    check::<PreauthReversalResponse>(status, body);
    check::<InitReversalResponse>(status, body);
}

fn check<T: serde::de::DeserializeOwned + paynet_ext::Verdict + Send + Sync + 'static>(
    status: u16,
    body: &[u8],
) {
    match map_body::<T>(status, Bytes::copy_from_slice(body)) {
        Ok(reply) => {
            assert!((200..300).contains(&status));
            assert!(reply.result_code().is_success());
            assert_eq!(reply.raw_body(), body);
            // A success never has is_succeed false.
            if let Ok(v) = serde_json::from_slice::<Value>(body) {
                assert_ne!(v.get("is_succeed"), Some(&json!(false)));
                assert_ne!(v.get("is_succeed"), Some(&json!("false")));
            }
        }
        Err(e) => {
            // Every error had a body here, keeps it, and reads as a sentence.
            assert_eq!(e.raw_body(), Some(body), "{e:?}");
            assert!(!e.to_string().is_empty());
            assert!(e.to_string().len() < 1000, "{e}");
            assert!(!e.is_retry_safe(), "an answer arrived, so it was sent");
            if !(200..300).contains(&status) {
                assert!(!matches!(
                    e,
                    Error::Paynet { .. } | Error::BankDeclined { .. } | Error::Inconsistent { .. }
                ));
            }
        }
    }
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        "[a-z0-9 .\"\\\\-]{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("code".to_string()),
                    Just("is_succeed".to_string()),
                    Just("amount".to_string()),
                    Just("result_code".to_string()),
                    Just("type".to_string()),
                    Just("message".to_string()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One change to a vendor example: a field removed, set to null, retyped
/// or replaced with nested junk.
#[derive(Debug, Clone)]
enum Mutation {
    Remove(usize),
    Null(usize),
    Replace(usize, Value),
}

fn mutate(mut body: Value, mutations: &[Mutation]) -> Value {
    let map = body.as_object_mut().unwrap();
    for m in mutations {
        let keys: Vec<String> = map.keys().cloned().collect();
        if keys.is_empty() {
            break;
        }
        match m {
            Mutation::Remove(i) => {
                map.remove(&keys[i % keys.len()]);
            }
            Mutation::Null(i) => {
                map.insert(keys[i % keys.len()].clone(), Value::Null);
            }
            Mutation::Replace(i, v) => {
                map.insert(keys[i % keys.len()].clone(), v.clone());
            }
        }
    }
    body
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Remove),
        any::<usize>().prop_map(Mutation::Null),
        (any::<usize>(), json_value()).prop_map(|(i, v)| Mutation::Replace(i, v)),
    ]
}

const EXAMPLES: [&str; 8] = [
    "capture_reversal_example.json",
    "capture_reversal_success.json",
    "capture_reversal_declined.json",
    "capture_reversal_string_forms.json",
    "preauth_reversal_example.json",
    "softpos_init_success.json",
    "error_401.json",
    "softpos_400.json",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(status in prop::sample::select(&STATUSES[..]), body in prop::collection::vec(any::<u8>(), 0..512)) {
        check_all(status, &body);
    }

    #[test]
    fn arbitrary_json_never_panics(status in prop::sample::select(&STATUSES[..]), value in json_value()) {
        check_all(status, value.to_string().as_bytes());
    }

    #[test]
    fn mutated_vendor_examples_never_panic(
        status in prop::sample::select(&STATUSES[..]),
        example in prop::sample::select(&EXAMPLES[..]),
        mutations in prop::collection::vec(mutation(), 1..5),
    ) {
        let body: Value = serde_json::from_slice(&fixture(example)).unwrap();
        check_all(status, mutate(body, &mutations).to_string().as_bytes());
    }

    #[test]
    fn truncated_vendor_examples_are_undecodable(example in prop::sample::select(&EXAMPLES[..6]), cut in 1usize..400) {
        let body = fixture(example);
        let body = String::from_utf8(body).unwrap().trim_end().as_bytes().to_vec();
        // Any proper prefix of a JSON object leaves it unclosed.
        let cut = cut.min(body.len() - 1);
        let result = map_body::<CaptureReversalResponse>(200, Bytes::copy_from_slice(&body[..cut]));
        let is_undecodable = matches!(result, Err(Error::Undecodable { status: 200, .. }));
        prop_assert!(is_undecodable, "{:?}", result.err());
    }

    #[test]
    fn an_amount_with_at_most_two_decimals_prints_two_and_parses_back_to_itself(
        units in any::<i64>(),
        scale in 0u32..=2,
    ) {
        let amount = Amount::new(units, scale);
        let shown = amount.to_string();
        // Two decimals, as on a receipt, whatever scale it had.
        let decimals = shown.split_once('.').map(|(_, d)| d.len());
        prop_assert_eq!(decimals, Some(2), "{}", shown);
        // Display then parse: the same value, and the same text again.
        let parsed: Amount = shown.parse().unwrap();
        prop_assert_eq!(parsed, amount);
        prop_assert_eq!(parsed.to_string(), shown);
    }

    #[test]
    fn valid_amounts_round_trip_exactly(units in 0u64..10_000_000_000_000, cents in 0u32..100) {
        let text = format!("{units}.{cents:02}");
        // As a string: the exact text survives.
        let amount: Amount = serde_json::from_str(&format!("\"{text}\"")).unwrap();
        prop_assert_eq!(amount.to_string(), text.clone());
        // As a JSON number: the same value (15 significant digits at most).
        let amount: Amount = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(amount.value(), text.parse::<rust_decimal::Decimal>().unwrap());
        // Through a whole answer and back out.
        let body = format!(r#"{{"code":0,"is_succeed":true,"amount":{text},"net_amount":"{text}"}}"#);
        let reply = map_body::<CaptureReversalResponse>(200, Bytes::from(body)).unwrap();
        prop_assert_eq!(reply.amount.unwrap().value(), text.parse::<rust_decimal::Decimal>().unwrap());
        prop_assert_eq!(reply.net_amount.unwrap().to_string(), text);
    }
}

/// A server that answers every connection with `head` then `body`, then
/// keeps the connection open without sending anything more.
async fn raw_server(head: &'static str, body: Vec<u8>) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            let body = body.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(head.as_bytes()).await;
                let _ = socket.write_all(&body).await;
                tokio::time::sleep(std::time::Duration::from_secs(30)).await;
            });
        }
    });
    base
}

#[tokio::test]
async fn a_server_that_stalls_mid_body_hits_the_timeout() {
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n",
        br#"{"code":0,"is_succ"#.to_vec(),
    )
    .await;
    let client = paynet_tests::builder(&base)
        .timeout(std::time::Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert_matches!(
        err,
        Error::Timeout {
            retry_safe: false,
            ..
        }
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_refused_without_a_declared_length() {
    // 64 KiB in chunks of 4 KiB, with no content-length.
    let mut body = Vec::new();
    for _ in 0..16 {
        body.extend_from_slice(b"1000\r\n");
        body.extend_from_slice(&[b' '; 4096]);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(b"0\r\n\r\n");
    let base = raw_server(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n",
        body,
    )
    .await;
    let client = paynet_tests::builder(&base)
        .max_body_bytes(10_000)
        .build()
        .unwrap();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert_matches!(
        err,
        Error::BodyTooLarge {
            status: 200,
            limit: 10_000,
            declared: None
        }
    );
}

/// A loopback server whose one answer (status, body) each case sets.
async fn settable_server() -> (String, std::sync::Arc<std::sync::Mutex<(u16, Vec<u8>)>>) {
    use axum::response::IntoResponse;
    let answer = std::sync::Arc::new(std::sync::Mutex::new((200u16, Vec::new())));
    let shared = answer.clone();
    let app = axum::Router::new().fallback(move || {
        let (status, body) = shared.lock().unwrap().clone();
        async move {
            (
                axum::http::StatusCode::from_u16(status).unwrap(),
                [(axum::http::header::CONTENT_TYPE, "application/json")],
                body,
            )
                .into_response()
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (base, answer)
}

/// What must hold of one answer judged by both paths; see
/// [`the_generated_send_and_the_mapped_call_agree_on_every_verdict`].
fn agree<T: std::fmt::Debug, E: std::fmt::Debug>(
    call: &Result<paynet_ext::Reply<T>, Error>,
    raw: &Result<T, paynet_api::Error<E>>,
) -> Result<(), TestCaseError> {
    match (call, raw) {
        (Ok(call), Ok(raw)) => {
            prop_assert_eq!(format!("{:?}", **call), format!("{raw:?}"));
        }
        (Err(_), Err(_)) => {}
        (Ok(call), Err(paynet_api::Error::InvalidResponsePayload(..))) => {
            prop_assert!(
                !call.undecoded_fields().is_empty(),
                "send() refused a payload that .call() decoded whole"
            );
        }
        (call, raw) => prop_assert!(
            false,
            "the paths disagree: .call() {:?}, send() {:?}",
            call.as_ref().err(),
            raw.as_ref().err()
        ),
    }
    Ok(())
}

/// The generated `send()` and the mapped `.call()` judge every answer by
/// the one success rule. The generated `send()` decodes a documented 2xx
/// once and judges the value; this compares it with the mapping on
/// answers that break the rule in every way a mutation can:
/// - a success of `send()` is a success of `.call()`, with the same value;
/// - a failure of `.call()` is a failure of `send()`;
/// - they differ only where `.call()` is the more tolerant: a success
///   with a field that does not decode as documented (`.call()` leaves it
///   out and says so in `undecoded_fields()`; `send()` refuses the
///   payload).
#[test]
fn the_generated_send_and_the_mapped_call_agree_on_every_verdict() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (base, answer) = runtime.block_on(settable_server());
    let client = paynet_tests::client(&base);
    let strategy = (
        prop::sample::select(&STATUSES[..]),
        prop::sample::select(&EXAMPLES[..]),
        prop::collection::vec(mutation(), 0..4),
    );
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(256));
    let (successes, failures) = (std::cell::Cell::new(0), std::cell::Cell::new(0));
    runner
        .run(&strategy, |(status, example, mutations)| {
            let body: Value = serde_json::from_slice(&fixture(example)).unwrap();
            let body = mutate(body, &mutations).to_string().into_bytes();
            *answer.lock().unwrap() = (status, body);
            runtime.block_on(async {
                let capture = || client.capture_reversal().body_map(|b| b.xact_id("xk_1"));
                let (call, raw) = (capture().call().await, capture().send().await);
                agree(&call, &raw.map(|r| r.into_inner()))?;
                // Its answer does not declare is_succeed: both look for one.
                let preauth = || client.preauth_reversal().body_map(|b| b.xact_id("xk_1"));
                let (call, raw) = (preauth().call().await, preauth().send().await);
                agree(&call, &raw.map(|r| r.into_inner()))?;
                let tally = if call.is_ok() { &successes } else { &failures };
                tally.set(tally.get() + 1);
                Ok(())
            })
        })
        .unwrap();
    // The cases reached both sides of the rule.
    let (successes, failures) = (successes.get(), failures.get());
    assert!(
        successes > 10 && failures > 10,
        "{successes} successes, {failures} failures"
    );
}
