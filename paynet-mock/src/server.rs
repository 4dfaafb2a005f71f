//! The request handler: spec checks first (route, method, credential,
//! body), then the scenario triggers, then the transaction store.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use paynet_api::wire::ResultCode;

use crate::spec::{ErrorStyle, SecurityScheme, SpecOperation, path_matches};
use crate::store::{Kind, Refusal, Store, Transaction};

/// Everything a request handler needs.
pub struct State {
    pub(crate) operations: Vec<SpecOperation>,
    pub(crate) store: Store,
    pub(crate) secret_key: String,
    pub(crate) session_key: String,
    pub(crate) session_key_lifetime: Duration,
    /// The session keys `get_auth_key` issued, and when each expires.
    pub(crate) issued:
        std::sync::Mutex<std::collections::HashMap<String, chrono::DateTime<chrono::Utc>>>,
    pub(crate) slow_delay: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    pub(crate) sessions: AtomicU64,
}

/// The `user_id` for which `get_auth_key` issues a session key that has
/// already expired: the next SoftPOS call with it is refused (HTTP 400,
/// `code` 7), whatever [`Config::session_key_lifetime`](crate::Config) is.
pub const EXPIRED_SESSION_USER: &str = "mock_expired_session";

/// Turkish local time without an offset, as Paynet writes its dates.
fn turkish_time(at: chrono::DateTime<chrono::Utc>) -> String {
    (at + chrono::Duration::hours(3))
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

/// Why a `Session-Key` is refused.
enum SessionRefusal {
    Expired,
    Unknown,
}

/// The scenario triggers: an `xact_id` that makes any operation answer in
/// one chosen way, like a payment provider's test cards.
pub const TRIGGERS: [(&str, &str); 10] = [
    (
        "xk_mock_bank_decline",
        "HTTP 200, `is_succeed` false, `code` 0, bank reason `05` Red-Onaylanmadı",
    ),
    (
        "xk_mock_disagree",
        "HTTP 200, the vendor example's verdicts: `code` 1 with `is_succeed` true, bank error 6000",
    ),
    (
        "xk_mock_code_string",
        "HTTP 200, success with `code` as the string `\"0\"` (classic operations; SoftPOS answers its documented integer)",
    ),
    (
        "xk_mock_flag_string",
        "HTTP 200, success with `is_succeed` as the string `\"true\"` (classic operations)",
    ),
    (
        "xk_mock_money_string",
        "HTTP 200, success with every amount as a string (`\"14.65\"`; capture reversal carries amounts)",
    ),
    (
        "xk_mock_repeat",
        "HTTP 200, `code` 100 (Önceki Başarılı İşlem)",
    ),
    (
        "xk_mock_slow",
        "a success, after the simulator's slow delay (default 60 s: longer than the client's 30 s timeout)",
    ),
    (
        "xk_mock_html_500",
        "HTTP 500 with an HTML page, as a proxy answers",
    ),
    (
        "xk_mock_truncated",
        "HTTP 200 whose JSON body stops halfway",
    ),
    (
        "xk_mock_drop",
        "the connection is dropped without an answer",
    ),
];

/// The prefix of an `xact_id` whose first reversal is applied and whose
/// answer is then lost: the connection is dropped after the state changed.
pub const LOST_ANSWER: &str = "xk_mock_lost_answer";

/// The prefix of an `xact_id` whose first reversal is applied and answered
/// only after the simulator's slow delay, longer than a client's timeout.
pub const LATE_ANSWER: &str = "xk_mock_late_answer";

/// The triggers that act on a real transaction: an `xact_id` that starts
/// with one of these prefixes, added to the store first (as captured or
/// pre-authorised), has its first reversal applied and then answered badly.
/// A repeat of that reversal is answered as any repeat is: `code` 100.
pub const STATE_TRIGGERS: [(&str, &str); 2] = [
    (
        LOST_ANSWER,
        "the reversal is applied, then the connection is dropped without an answer",
    ),
    (
        LATE_ANSWER,
        "the reversal is applied, then answered after the simulator's slow delay (longer than the client's timeout)",
    ),
];

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, body.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    response
}

/// An error in the shape the operation documents (the classic one where
/// no operation is known).
fn error(
    style: ErrorStyle,
    status: StatusCode,
    error_type: &str,
    result_code: ResultCode,
    message: &str,
) -> Response {
    let body = match style {
        ErrorStyle::Classic => json!({
            "type": error_type,
            "message": message,
            "code": status.as_u16(),
            "result_code": result_code,
        }),
        ErrorStyle::SoftPos => json!({
            "object_name": "error",
            "code": result_code,
            "message": message,
        }),
    };
    json_response(status, &body)
}

/// An amount in the form Paynet sends: a JSON number (15, 14.65) when a
/// client reading the number as a double gets exactly this decimal back,
/// and otherwise a string (`"12345678901234567.89"`), which the spec's
/// `Amount` allows. Exact decimals as numbers would need serde_json's
/// `arbitrary_precision`, which would change serde_json for every crate
/// built with this one.
fn money(value: Decimal) -> Value {
    let value = value.normalize();
    if value.scale() == 0
        && let Ok(whole) = i64::try_from(value)
    {
        return json!(whole);
    }
    let text = value.to_string();
    // `Display` of a double is the shortest text that reads back as it.
    let double = text
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && Decimal::from_str_exact(&d.to_string()).ok() == Some(value));
    match double.and_then(serde_json::Number::from_f64) {
        Some(number) => Value::Number(number),
        None => Value::String(text),
    }
}

/// The capture reversal page's answer for a reversed transaction, in
/// Turkish local time without an offset, as Paynet sends it.
fn capture_body(t: &Transaction) -> Value {
    let now = chrono::Utc::now() + chrono::Duration::hours(3);
    json!({
        "xact_id": t.xact_id,
        "xact_date": now.naive_utc().format("%Y-%m-%dT%H:%M:%S%.3f").to_string(),
        "transaction_type": 6,
        "pos_type": 5,
        "is_tds": false,
        "agent_id": "1001",
        "user_id": "PaynetApi",
        "email": "",
        "phone": "",
        "bank_id": t.bank_id,
        "instalment": t.instalment,
        "ratio": money(t.ratio),
        "card_no_masked": t.card_no_masked,
        "card_holder": t.card_holder,
        "amount": money(t.amount),
        "net_amount": money(t.net_amount),
        "comission": money(t.comission),
        "comission_tax": money(t.comission_tax),
        "currency": t.currency,
        "authorization_code": "123456",
        "reference_code": "ref-0001",
        "order_id": "ord-0001",
        "is_succeed": true,
        "paynet_error_id": "",
        "paynet_error_message": "",
        "bank_error_id": "",
        "bank_error_message": "",
        "bank_error_short_desc": "",
        "bank_error_long_desc": "",
        "object_name": "transaction",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}

/// A number for a transaction's `id`, stable for its `xact_id` (FNV-1a).
fn numeric_id(xact_id: &str) -> u64 {
    let hash = xact_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1_000_000 + hash % 9_000_000
}

/// One row of the transaction check's `Data`, in the page's shape: the
/// transaction as it was made (1 sale, 2 pre-authorisation). The page does
/// not say how a reversal shows in it, so the simulator shows none.
fn check_row(t: &Transaction) -> Value {
    let id = numeric_id(&t.xact_id);
    json!({
        "xact_id": t.xact_id,
        "id": id,
        "xact_date": "2016-04-07T15:33:09.543",
        "transaction_type": match t.kind {
            Kind::Captured => 1,
            Kind::Preauthorized => 2,
        },
        "pos_type": 5,
        "is_tds": false,
        "agent_id": "1001",
        "note": "",
        "ratio": money(t.ratio),
        "agent_reference": t.reference_no.as_deref().unwrap_or(""),
        "bank_id": t.bank_id,
        "instalment": t.instalment,
        "card_type": "cc",
        "card_no": t.card_no_masked,
        "card_holder": t.card_holder,
        "amount": money(t.amount),
        "net_amount": money(t.net_amount),
        "comission": money(t.comission),
        "comission_tax": money(t.comission_tax),
        "currency": t.currency,
        "authorization_code": "123456",
        "reference_code": "ref-0001",
        "order_id": "ord-0001",
        "is_succeed": true,
        "xact_transaction_id": format!("00000000-0000-4000-8000-{id:012x}"),
        "email": "",
        "phone": "",
    })
}

/// The transaction check (Ödeme Kontrol): the transaction found by
/// `xact_id` or `reference_no`, in the page's shape, or 404 `no_data_error`.
fn check(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    match state.store.find(field("xact_id"), field("reference_no")) {
        Some(transaction) => json_response(
            StatusCode::OK,
            &json!({
                "Data": [check_row(&transaction)],
                "object_name": "transaction",
                "message": "",
            }),
        ),
        None => error(
            op.error_style,
            StatusCode::NOT_FOUND,
            "no_data_error",
            ResultCode::NoData,
            "İşlem bulunamadı (transaction not found)",
        ),
    }
}

fn preauth_body() -> Value {
    json!({
        "object_name": "transaction_preauth_reversed_request",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}

/// What a query value may keep as it is: RFC 3986's unreserved characters.
/// Everything else (`&`, `#`, `=`, `+`, spaces, newlines) is percent-encoded,
/// so that an `xact_id` stays one parameter of the deep link.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

impl State {
    fn softpos_body(&self, t: &Transaction) -> Value {
        let n = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        let session = format!("ps_mock_{n:06}");
        json!({
            "payment_session_id": session,
            "deeplink_url": format!(
                "paypos://reversal?payment_session_id={session}&xact_id={}",
                percent_encoding::utf8_percent_encode(&t.xact_id, QUERY_VALUE)
            ),
            "encryption_key": format!("ek_mock_{n:06}"),
            "object_name": "softpos_reversal",
            "code": ResultCode::Successful,
            "message": "Başarılı İşlem",
        })
    }

    /// `get_auth_key`'s answer: a new session key and when it expires.
    fn issue_session_key(&self, body: &Value) -> Value {
        let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
        let (agent_id, user_id) = (text("agent_id"), text("user_id"));
        let n = self.sessions.fetch_add(1, Ordering::Relaxed) + 1;
        let now = chrono::Utc::now();
        let expires = if user_id == EXPIRED_SESSION_USER {
            now
        } else {
            now + chrono::Duration::from_std(self.session_key_lifetime)
                .unwrap_or(chrono::Duration::MAX)
        };
        // Unguessable enough for a simulator: a counter and the clock.
        let key = format!("msk_mock_{n:06}_{:x}", now.timestamp_subsec_nanos());
        {
            let mut issued = self.issued.lock().expect("not poisoned");
            issued.retain(|_, until| *until > now);
            issued.insert(key.clone(), expires);
        }
        json!({
            "session_key": key,
            "expired_date": turkish_time(expires),
            "agent_id": agent_id,
            "company_code": "1000",
            "user_id": user_id,
            "user_unique_id": format!("{agent_id}-{user_id}"),
            "is_okc_inquiry": false,
            "object_name": "auth_key",
            "code": ResultCode::Successful,
            "message": "Başarılı İşlem",
        })
    }

    /// Whether `key` opens the SoftPOS operations: the configured key, or
    /// one issued by `get_auth_key` that has not expired.
    fn check_session_key(&self, key: Option<&str>) -> Result<(), SessionRefusal> {
        let key = key.ok_or(SessionRefusal::Unknown)?;
        if key == self.session_key {
            return Ok(());
        }
        match self.issued.lock().expect("not poisoned").get(key) {
            Some(until) if chrono::Utc::now() < *until => Ok(()),
            Some(_) => Err(SessionRefusal::Expired),
            None => Err(SessionRefusal::Unknown),
        }
    }

    fn success_body(&self, op: &str, t: &Transaction) -> Option<Value> {
        match op {
            "capture_reversal" => Some(capture_body(t)),
            "preauth_reversal" => Some(preauth_body()),
            "init_reversal_transaction" => Some(self.softpos_body(t)),
            _ => None,
        }
    }
}

/// A body that ends the connection without an answer.
fn dropped_connection() -> Response {
    let stream = futures_util::stream::once(async {
        Err::<bytes::Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "xk_mock_drop: dropping the connection",
        ))
    });
    Response::new(Body::from_stream(stream))
}

fn set(body: &mut Value, key: &str, value: Value) {
    if let Value::Object(map) = body {
        map.insert(key.to_string(), value);
    }
}

async fn trigger(state: &State, op: &SpecOperation, xact_id: &str) -> Option<Response> {
    if !TRIGGERS.iter().any(|(id, _)| *id == xact_id) {
        return None;
    }
    let t = Transaction::captured(xact_id);
    let mut body = state.success_body(&op.id, &t)?;
    // The table-versus-example type variants exist on the classic pages
    // only; SoftPOS documents its own types and answers in them.
    let variants_apply = op.error_style == ErrorStyle::Classic;
    match xact_id {
        "xk_mock_code_string" | "xk_mock_flag_string" | "xk_mock_money_string"
            if !variants_apply => {}
        "xk_mock_bank_decline" => {
            set(&mut body, "is_succeed", json!(false));
            set(&mut body, "bank_error_id", json!("05"));
            set(&mut body, "bank_error_message", json!("Red-Onaylanmadı"));
            set(&mut body, "bank_error_short_desc", json!("Do not honour"));
            set(&mut body, "message", json!("Banka işlemi onaylamadı"));
        }
        "xk_mock_disagree" => {
            set(&mut body, "code", json!(ResultCode::Unsuccessful));
            set(&mut body, "is_succeed", json!(true));
            set(&mut body, "bank_error_id", json!("6000"));
            set(
                &mut body,
                "bank_error_message",
                json!("Invalid Ip Address : "),
            );
            set(&mut body, "message", json!(""));
        }
        "xk_mock_code_string" => set(&mut body, "code", json!("0")),
        "xk_mock_flag_string" => set(&mut body, "is_succeed", json!("true")),
        "xk_mock_money_string" => {
            for key in ["amount", "net_amount", "comission", "comission_tax"] {
                if let Some(Value::Number(n)) = body.get(key).cloned() {
                    set(&mut body, key, Value::String(n.to_string()));
                }
            }
        }
        "xk_mock_repeat" => {
            set(&mut body, "code", json!(ResultCode::OldSuccessful));
            set(&mut body, "message", json!("Önceki Başarılı İşlem"));
        }
        "xk_mock_slow" => tokio::time::sleep(state.slow_delay).await,
        "xk_mock_html_500" => {
            let mut response = (
                StatusCode::INTERNAL_SERVER_ERROR,
                "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            return Some(response);
        }
        "xk_mock_truncated" => {
            let text = body.to_string();
            let half = text
                .char_indices()
                .nth(text.chars().count() / 2)
                .map(|(i, _)| i)
                .unwrap_or(0);
            let mut response = (StatusCode::OK, text[..half].to_string()).into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            return Some(response);
        }
        "xk_mock_drop" => return Some(dropped_connection()),
        _ => {}
    }
    Some(json_response(StatusCode::OK, &body))
}

/// An answer that is not a success, in the operation's HTTP 200 form.
fn refusal_body(
    op: &SpecOperation,
    xact_id: &str,
    result_code: ResultCode,
    message: &str,
) -> Response {
    let mut body = Map::new();
    if op.id == "capture_reversal" {
        body.insert("xact_id".into(), json!(xact_id));
        body.insert("object_name".into(), json!("transaction"));
    } else if op.id == "preauth_reversal" {
        body.insert(
            "object_name".into(),
            json!("transaction_preauth_reversed_request"),
        );
    } else {
        body.insert("object_name".into(), json!("softpos_reversal"));
    }
    body.insert("code".into(), json!(result_code));
    body.insert("message".into(), json!(message));
    json_response(StatusCode::OK, &Value::Object(body))
}

fn refused(op: &SpecOperation, xact_id: &str, refusal: Refusal) -> Response {
    match refusal {
        // 404 with `no_data_error` is the pairing Paynet documents for
        // "nothing matched".
        Refusal::Unknown => error(
            op.error_style,
            if op.error_style == ErrorStyle::Classic {
                StatusCode::NOT_FOUND
            } else {
                StatusCode::BAD_REQUEST
            },
            "no_data_error",
            ResultCode::NoData,
            "İşlem bulunamadı (transaction not found)",
        ),
        Refusal::AlreadyReversed => refusal_body(
            op,
            xact_id,
            ResultCode::DuplicateData,
            "İşlem daha önce iptal edilmiş (already reversed)",
        ),
        Refusal::WrongKind(kind) => refusal_body(
            op,
            xact_id,
            ResultCode::WrongTransactionType,
            match kind {
                Kind::Captured => {
                    "İşlem finansallaştırılmış bir işlem (a captured transaction: use capture_reversal)"
                }
                Kind::Preauthorized => {
                    "İşlem ön otorizasyonlu bir işlem (a pre-authorisation: use preauth_reversal)"
                }
            },
        ),
    }
}

/// The SoftPOS start takes "the encrypted form of the transaction's id"
/// (işlemin Id'sinin şifrelenmiş hali), and its page says no more. The
/// simulator's assumption, from the transaction check page, which calls the
/// `xk_...` `xact_id` the encrypted transaction number (işlem numarası,
/// şifreli) beside the plain number `id` (`2318890`): an id of digits only
/// is plainly the plain number, not the encrypted one, and is refused with
/// the SoftPOS 400 body and result code 11 (bad_request), so that a test
/// catches a service that sends it. Paynet's own answer to it is not
/// documented.
fn plain_softpos_id(op: &SpecOperation, xact_id: &str) -> Option<Response> {
    let plain = !xact_id.is_empty() && xact_id.bytes().all(|b| b.is_ascii_digit());
    (op.id == "init_reversal_transaction" && plain).then(|| {
        error(
            op.error_style,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            ResultCode::BadRequest,
            "xact_id bir işlem numarası; işlemin şifrelenmiş id'si bekleniyor (a plain transaction number: the SoftPOS start takes the encrypted transaction id, the xk_... xact_id)",
        )
    })
}

async fn behave(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let xact_id = body
        .get("xact_id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if op.id == "get_auth_key" {
        return json_response(StatusCode::OK, &state.issue_session_key(body));
    }
    if op.id == "transaction_check" {
        return check(state, op, body);
    }
    if let Some(response) = trigger(state, op, xact_id).await {
        return response;
    }
    if let Some(response) = plain_softpos_id(op, xact_id) {
        return response;
    }
    let reversal = matches!(op.id.as_str(), "capture_reversal" | "preauth_reversal");
    let outcome = match op.id.as_str() {
        "capture_reversal" => state.store.reverse(xact_id, Kind::Captured),
        "preauth_reversal" => state.store.reverse(xact_id, Kind::Preauthorized),
        "init_reversal_transaction" => state.store.check_reversible(xact_id),
        other => {
            return error(
                op.error_style,
                StatusCode::NOT_IMPLEMENTED,
                "api_error",
                ResultCode::NotImplemented,
                &format!("the simulator has no behaviour for {other} yet"),
            );
        }
    };
    match outcome {
        Ok(transaction) => {
            let body = state
                .success_body(&op.id, &transaction)
                .expect("a known operation");
            if reversal && xact_id.starts_with(LOST_ANSWER) {
                return dropped_connection();
            }
            if reversal && xact_id.starts_with(LATE_ANSWER) {
                tokio::time::sleep(state.slow_delay).await;
            }
            json_response(StatusCode::OK, &body)
        }
        // The same reversal again: Paynet's answer to a repeat of a request
        // that had succeeded is 100 (Önceki Başarılı İşlem), and nothing
        // is reversed a second time.
        Err(Refusal::AlreadyReversed) if reversal => {
            let transaction = state.store.get(xact_id).expect("it was just found");
            let mut body = state
                .success_body(&op.id, &transaction)
                .expect("a known operation");
            set(&mut body, "code", json!(ResultCode::OldSuccessful));
            set(&mut body, "message", json!("Önceki Başarılı İşlem"));
            json_response(StatusCode::OK, &body)
        }
        Err(refusal) => refused(op, xact_id, refusal),
    }
}

fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

fn header_is(headers: &HeaderMap, name: &str, expected: &str) -> bool {
    headers.get(name).and_then(|v| v.to_str().ok()) == Some(expected)
}

/// Whether the request carries the credential of `scheme`: the secret key
/// the simulator was given, or for a scheme it holds no key for, any value.
fn presents(state: &State, headers: &HeaderMap, scheme: &SecurityScheme) -> bool {
    if scheme.name == paynet_api::schemes::SECRET_KEY {
        header_is(
            headers,
            &scheme.header,
            &format!("Basic {}", state.secret_key),
        )
    } else {
        headers.contains_key(scheme.header.as_str())
    }
}

/// The operation a request is for, or the 404/405 answer.
// The `Err` of a handler step is the HTTP answer itself, built once per request.
#[allow(clippy::result_large_err)]
fn route<'s>(state: &'s State, method: &Method, path: &str) -> Result<&'s SpecOperation, Response> {
    let classic = ErrorStyle::Classic;
    let candidates: Vec<&SpecOperation> = state
        .operations
        .iter()
        .filter(|op| path_matches(&op.path, path))
        .collect();
    if candidates.is_empty() {
        let message = format!("no such path: {path}");
        return Err(error(
            classic,
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            ResultCode::BadRequest,
            &message,
        ));
    }
    if let Some(op) = candidates.iter().find(|op| op.method == method.as_str()) {
        return Ok(op);
    }
    let allowed: Vec<&str> = candidates.iter().map(|op| op.method.as_str()).collect();
    let message = format!(
        "{method} is not allowed on {path}; use {}",
        allowed.join(", ")
    );
    let mut response = error(
        classic,
        StatusCode::METHOD_NOT_ALLOWED,
        "invalid_request_error",
        ResultCode::BadRequest,
        &message,
    );
    if let Ok(value) = HeaderValue::from_str(&allowed.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    Err(response)
}

/// The body, or why it could not be had: 413 when it is larger than the
/// limit (at once when `Content-Length` says so), 400 when it breaks off or
/// is malformed (a bad chunk, fewer bytes than announced), 408 when it has
/// not arrived in full within the body timeout (a stalled client, or one
/// that trickles a never-ending chunked body).
async fn read_body(
    state: &State,
    headers: &HeaderMap,
    body: Body,
) -> Result<Bytes, (StatusCode, String)> {
    let too_large = || {
        (
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the body is larger than {} bytes", state.max_body_bytes),
        )
    };
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > state.max_body_bytes as u64) {
        return Err(too_large());
    }
    let read = Limited::new(body, state.max_body_bytes).collect();
    match tokio::time::timeout(state.body_timeout, read).await {
        Err(_) => Err((
            StatusCode::REQUEST_TIMEOUT,
            format!(
                "the body did not arrive within {} ms",
                state.body_timeout.as_millis()
            ),
        )),
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.is::<LengthLimitError>() => Err(too_large()),
        Ok(Err(e)) => Err((
            StatusCode::BAD_REQUEST,
            format!("the body could not be read: {}", innermost(&*e)),
        )),
    }
}

/// The deepest cause of an error: hyper's own words ("unexpected EOF during
/// chunk size line") rather than its wrappers' ("error reading a body").
fn innermost<'e>(
    error: &'e (dyn std::error::Error + 'static),
) -> &'e (dyn std::error::Error + 'static) {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause
}

/// Marks an answer as the last on its connection: the rest of an unread
/// body cannot be told from the next request.
fn closing(mut response: Response) -> Response {
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The request's JSON body once the credential, the size, the syntax and
/// the spec's schema are satisfied; otherwise the answer Paynet documents.
#[allow(clippy::result_large_err)]
async fn admit(
    state: &State,
    op: &SpecOperation,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, Response> {
    let invalid = |status: StatusCode, message: &str| {
        error(
            op.error_style,
            status,
            "invalid_request_error",
            ResultCode::BadRequest,
            message,
        )
    };
    if !op.admits(|scheme| presents(state, headers, scheme)) {
        let classic = ErrorStyle::Classic;
        return Err(error(
            classic,
            StatusCode::UNAUTHORIZED,
            "authorization_error",
            ResultCode::Unauthorized,
            "API anahtarınız yanlış",
        ));
    }
    for name in &op.required_headers {
        let value = headers.get(name.as_str()).and_then(|v| v.to_str().ok());
        // The session key is a credential: refused as one (result code 7).
        // Any other required header missing is a bad request (11).
        let refusal = if name == paynet_api::headers::SESSION_KEY {
            match state.check_session_key(value) {
                Ok(()) => None,
                Err(SessionRefusal::Expired) => Some((
                    ResultCode::Unauthorized,
                    "oturum anahtarının süresi dolmuş (the session key has expired)".to_string(),
                )),
                Err(SessionRefusal::Unknown) => Some((
                    ResultCode::Unauthorized,
                    format!(
                        "geçersiz veya eksik {name} başlığı (missing or invalid {name} header)"
                    ),
                )),
            }
        } else if value.is_none_or(|v| v.trim().is_empty()) {
            Some((
                ResultCode::BadRequest,
                format!("eksik {name} başlığı (missing {name} header)"),
            ))
        } else {
            None
        };
        if let Some((code, message)) = refusal {
            let error_type = if code == ResultCode::Unauthorized {
                "authorization_error"
            } else {
                "invalid_request_error"
            };
            return Err(error(
                op.error_style,
                StatusCode::BAD_REQUEST,
                error_type,
                code,
                &message,
            ));
        }
    }
    let bytes = read_body(state, headers, body)
        .await
        .map_err(|(status, message)| closing(invalid(status, &message)))?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| {
        invalid(
            StatusCode::BAD_REQUEST,
            &format!("the body is not JSON: {e}"),
        )
    })?;
    let problems = op.body_errors(&json);
    if !problems.is_empty() {
        let mut message = format!("the body does not match the spec: {}", problems.join("; "));
        truncate(&mut message, 500);
        return Err(invalid(StatusCode::BAD_REQUEST, &message));
    }
    Ok(json)
}

/// Handles one request. Returns the response and, for the log line, the
/// operation and `xact_id`.
pub async fn handle(
    state: Arc<State>,
    method: Method,
    path: String,
    headers: HeaderMap,
    body: Body,
) -> (Response, Option<String>, Option<String>) {
    let op = match route(&state, &method, &path) {
        Ok(op) => op,
        Err(response) => return (response, None, None),
    };
    let id = Some(op.id.clone());
    match admit(&state, op, &headers, body).await {
        Ok(json) => {
            let xact_id = json
                .get("xact_id")
                .and_then(Value::as_str)
                .map(str::to_string);
            (behave(&state, op, &json).await, id, xact_id)
        }
        Err(response) => (response, id, None),
    }
}

/// The axum entry point: every request goes through [`handle`] and is
/// logged on one line.
pub async fn serve(
    axum::extract::State(state): axum::extract::State<Arc<State>>,
    request: axum::extract::Request,
) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let path = parts.uri.path().to_string();
    let (response, operation, xact_id) = handle(
        state,
        parts.method.clone(),
        path.clone(),
        parts.headers,
        body,
    )
    .await;
    // The path and the xact_id come from the client: escaped (`\n`,
    // `\u{1b}`), so that no value can end the line or forge another one.
    tracing::info!(
        target: "paynet_mock",
        "{} {} -> {} op={} xact_id={} in {:.1} ms",
        parts.method,
        path.escape_debug(),
        response.status().as_u16(),
        operation.as_deref().unwrap_or("-"),
        xact_id.as_deref().unwrap_or("-").escape_debug(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_a_number_only_where_a_double_holds_it_exactly() {
        for (text, expected) in [
            ("15", json!(15)),
            ("15.00", json!(15)),
            ("14.65", json!(14.65)),
            ("0.30", json!(0.3)),
            ("-2.5", json!(-2.5)),
            ("123456789012345", json!(123456789012345_i64)),
            ("1234567890123.45", json!(1234567890123.45)),
            ("12345678901234567.89", json!("12345678901234567.89")),
            ("0.1234567890123456789", json!("0.1234567890123456789")),
            (
                "79228162514264337593543950335",
                json!("79228162514264337593543950335"),
            ),
        ] {
            let value: Decimal = text.parse().unwrap();
            let answered = money(value);
            assert_eq!(answered, expected, "{text}");
            // Whatever form it takes, the decimal reads back exactly.
            let back: Decimal = match &answered {
                Value::String(s) => s.parse().unwrap(),
                Value::Number(n) => Decimal::from_str_exact(&n.as_f64().unwrap().to_string())
                    .or_else(|_| n.to_string().parse())
                    .unwrap(),
                other => panic!("{other}"),
            };
            assert_eq!(back, value, "{text}");
        }
    }
}
