//! Turning one request of the generated client into `Result<Reply<T>, Error>`.

use std::future::Future;
use std::ops::Deref;

use bytes::Bytes;
use paynet_api::runtime::{Operation, Ruling, Verdict, is_succeed_of, rule};
use paynet_api::wire::ResultCode;
use paynet_api::{PaynetRequest, RawExchange, RawOutcome};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use std::fmt;

use crate::error::{DeclineReason, DecodedResponse, Error, ErrorAnswer, ErrorType, UndecodedField};

/// A successful answer: the generated response type `T` (through `Deref`),
/// with the result code, the status and the raw body.
///
/// Its `Debug` shows the decoded response and the raw body's length, not
/// its bytes ([`Reply::raw_body`] gives them). A decoded answer holds the
/// card holder's name, the masked card number, e-mail and phone: log the
/// fields you act on, not `{reply:?}`. Credentials in an answer
/// (`session_key`, `encryption_key`) are `SecretText` and print as
/// `[redacted]`.
#[derive(Clone)]
pub struct Reply<T> {
    value: T,
    code: Option<ResultCode>,
    status: u16,
    body: Bytes,
    undecoded: Vec<UndecodedField>,
    attempts: u32,
}

impl<T: fmt::Debug> fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Reply")
            .field("value", &self.value)
            .field("code", &self.code)
            .field("status", &self.status)
            .field("body", &crate::error::BodyLen(self.body.len()))
            .field("undecoded", &self.undecoded)
            .finish()
    }
}

impl<T> Reply<T> {
    /// The decoded response.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// `Successful` (0) or `OldSuccessful` (100). An answer whose schema
    /// declares no `code` (a query such as the transaction check, Ödeme
    /// Kontrol) reads as `Successful`: its success is HTTP 2xx and a
    /// readable body. [`Reply::code`] tells the two apart.
    pub fn result_code(&self) -> ResultCode {
        self.code.unwrap_or(ResultCode::Successful)
    }

    /// The result code as the answer carried it: `None` for an answer whose
    /// schema declares none (the transaction check).
    pub fn code(&self) -> Option<ResultCode> {
        self.code
    }

    /// True for result code 100 (Önceki Başarılı İşlem): this request
    /// repeated one that had already succeeded, and nothing new happened.
    pub fn is_repeat(&self) -> bool {
        self.code == Some(ResultCode::OldSuccessful)
    }

    /// How many times the request was sent: 1 for [`CallExt::call`]; with
    /// [`crate::ResendExt::call_resending`], the attempt that answered.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    pub(crate) fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts;
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The raw body as received.
    pub fn raw_body(&self) -> &[u8] {
        &self.body
    }

    /// The fields of the answer that did not decode as their documented
    /// type and were left out of the decoded response (they read as
    /// absent). Empty for an answer that decoded whole. The verdict never
    /// depends on them.
    pub fn undecoded_fields(&self) -> &[UndecodedField] {
        &self.undecoded
    }
}

impl<T> Deref for Reply<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

/// The mapped call on every request builder of the generated client:
/// `client.capture_reversal().body_map(|b| b.xact_id(id)).call().await?`.
///
/// It is implemented for every type that implements
/// [`PaynetRequest`](paynet_api::PaynetRequest), which `cargo xtask
/// generate` implements for every operation's builder, so a new endpoint in
/// the spec has `.call()` without any code here.
pub trait CallExt: PaynetRequest {
    /// Sends the request once and maps the answer by the rules of [`call`].
    fn call(self) -> impl Future<Output = Result<Reply<Self::Response>, Error>> + Send;
}

impl<R: PaynetRequest> CallExt for R {
    fn call(self) -> impl Future<Output = Result<Reply<Self::Response>, Error>> + Send {
        call(self)
    }
}

/// The explanatory fields a failed Paynet answer may carry (messages,
/// bank reasons, the error body's type and codes), read from the raw body
/// whatever the operation, and only on the failure paths.
#[derive(Deserialize, Default)]
struct Reasons {
    #[serde(rename = "type")]
    error_type: Option<Value>,
    code: Option<Value>,
    result_code: Option<Value>,
    message: Option<Value>,
    bank_error_id: Option<Value>,
    bank_error_message: Option<Value>,
    bank_error_short_desc: Option<Value>,
    bank_error_long_desc: Option<Value>,
    paynet_error_id: Option<Value>,
    paynet_error_message: Option<Value>,
}

/// A scalar as text; `null` and empty strings count as absent.
fn text(value: &Option<Value>) -> Option<String> {
    match value {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    }
}

fn result_code(value: &Option<Value>) -> Option<ResultCode> {
    value
        .as_ref()
        .filter(|v| !v.is_null())
        .and_then(|v| ResultCode::deserialize(v).ok())
}

impl Reasons {
    fn read(body: &[u8]) -> Option<Reasons> {
        serde_json::from_slice(body).ok()
    }

    fn decline_reason(&self) -> DeclineReason {
        DeclineReason {
            bank_error_id: text(&self.bank_error_id),
            bank_error_message: text(&self.bank_error_message),
            bank_error_short_desc: text(&self.bank_error_short_desc),
            bank_error_long_desc: text(&self.bank_error_long_desc),
            paynet_error_id: text(&self.paynet_error_id),
            paynet_error_message: text(&self.paynet_error_message),
        }
    }
}

/// Sends a request built with the generated client, once, and maps the
/// answer. The same as [`CallExt::call`]:
///
/// ```no_run
/// # async fn demo(client: paynet_ext::Client) -> Result<(), paynet_ext::Error> {
/// let request = client.preauth_reversal().body_map(|b| b.xact_id("xk_..."));
/// let reply = paynet_ext::call(request).await?;
/// assert!(reply.result_code().is_success());
/// # Ok(()) }
/// ```
///
/// The rules, for every operation alike:
///
/// - **Success**: a 2xx status the spec documents, `code` 0 or 100, and,
///   where the body has `is_succeed`, it is true. [`Reply::is_repeat`] tells
///   100 (a repeat of a transaction that had already succeeded) from 0.
/// - HTTP 2xx with `is_succeed` false: [`Error::BankDeclined`], with the
///   bank's and Paynet's reasons and the whole response.
/// - Result code 7 (bad credentials or session key), in any answer of any
///   operation, HTTP 401, or an `authorization_error` body:
///   [`Error::Unauthorized`].
/// - HTTP 2xx with `is_succeed` true (or absent) and any other `code`:
///   [`Error::Paynet`] with the [`ResultCode`] and message, except that
///   `is_succeed` true with a failing `code` is [`Error::Inconsistent`]:
///   the two verdicts disagree, and that is never a success.
/// - HTTP 2xx without a readable `code`, or a body that is empty, HTML,
///   truncated or of the wrong shape: [`Error::Undecodable`].
/// - A redirect: [`Error::Redirected`]; it is never followed.
/// - Any other status with Paynet's error body `{type, message, code,
///   result_code}` (or the SoftPOS `{object_name, code, message}`):
///   [`Error::Http`]; without such a body, [`Error::Undecodable`].
/// - A body over the client's limit: [`Error::BodyTooLarge`], unread.
/// - No answer: [`Error::Timeout`] or [`Error::Transport`]; a request the
///   client refused to send (a value that breaks the spec, a missing
///   credential): [`Error::InvalidRequest`].
///
/// Nothing is retried. Each call runs in one `tracing` span named after the
/// operation id, which records the HTTP status, the result code and the
/// outcome; no header and no body is logged.
pub async fn call<R: PaynetRequest>(request: R) -> Result<Reply<R::Response>, Error> {
    let span = R::span();
    let operation = R::operation();
    async move {
        let exchange = request.send_raw().await;
        let mapped = map(operation, exchange);
        trace(&mapped);
        mapped
    }
    .instrument(span)
    .await
}

/// Records the outcome on the current (the call's) span, and logs one event
/// with the status, result code, outcome and body length: never the body,
/// never the error's text (which may quote what Paynet sent).
fn trace<T>(mapped: &Result<Reply<T>, Error>) {
    let span = tracing::Span::current();
    let (status, code, length) = match mapped {
        Ok(reply) => (Some(reply.status()), reply.code(), reply.raw_body().len()),
        Err(e) => (
            e.status(),
            e.result_code(),
            e.raw_body().map_or(0, <[u8]>::len),
        ),
    };
    if let Some(status) = status {
        span.record("status", status);
    }
    if let Some(code) = code {
        span.record("result_code", code.code());
    }
    let outcome = outcome(mapped);
    span.record("outcome", outcome);
    match mapped {
        Ok(_) => tracing::debug!(body_bytes = length, "paynet call succeeded"),
        Err(_) => tracing::info!(outcome, body_bytes = length, "paynet call failed"),
    }
}

fn outcome<T>(mapped: &Result<Reply<T>, Error>) -> &'static str {
    match mapped {
        Ok(reply) if reply.is_repeat() => "repeat_success",
        Ok(_) => "success",
        Err(e) => e.kind(),
    }
}

/// The generated builder says `session_key was not initialized` for a
/// required argument left out; say which builder method gives it.
fn with_hint(message: String) -> String {
    match message.strip_suffix(" was not initialized") {
        Some(name)
            if !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
        {
            format!("{message}: give it with the builder's .{name}(..)")
        }
        _ => message,
    }
}

/// Maps one raw exchange.
fn map<T>(op: &Operation, exchange: RawExchange) -> Result<Reply<T>, Error>
where
    T: DeserializeOwned + Verdict + Send + Sync + 'static,
{
    match exchange.outcome {
        RawOutcome::NotSent(message) => Err(Error::InvalidRequest {
            message: with_hint(message),
        }),
        RawOutcome::NoAnswer { error, status } => {
            // Only a failed connection proves the request never left; an
            // answer that broke off after the status line certainly reached
            // Paynet.
            let retry_safe = error.is_connect() && status.is_none();
            if error.is_timeout() {
                Err(Error::Timeout {
                    source: error,
                    retry_safe,
                })
            } else {
                Err(Error::Transport {
                    source: error,
                    retry_safe,
                })
            }
        }
        RawOutcome::TooLarge {
            status,
            limit,
            declared,
        } => Err(Error::BodyTooLarge {
            status: status.as_u16(),
            limit,
            declared,
        }),
        RawOutcome::Answered {
            status,
            headers,
            body,
        } => answered(op, status, &headers, body),
        other => Err(unclassified(format!("{other:?}"))),
    }
}

fn answered<T>(
    op: &Operation,
    status: StatusCode,
    headers: &HeaderMap,
    body: Bytes,
) -> Result<Reply<T>, Error>
where
    T: DeserializeOwned + Verdict + Send + Sync + 'static,
{
    let code = status.as_u16();
    if status.is_redirection() {
        let location = headers
            .get(reqwest::header::LOCATION)
            .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned());
        return Err(Error::Redirected {
            status: code,
            location,
        });
    }
    if status.is_success() && !op.success_statuses.contains(&code) {
        return Err(Error::Undecodable {
            status: code,
            reason: format!(
                "HTTP {code} is not an answer the spec documents for {}",
                op.id
            ),
            body: body.into(),
        });
    }
    map_body(code, body)
}

/// Maps an answer already received, by the same rules as [`call`]: a 2xx
/// body is decoded as `T` (the operation's generated response type) and
/// judged by its `code` and `is_succeed`; any other status is read as
/// Paynet's error body. For answers stored earlier (audits, replays) and for
/// testing the rules on bytes alone. Any 2xx counts as the documented answer
/// here; [`call`] also knows which statuses the spec documents. Whether the
/// 2xx answer declares a `code` is the answer type's own fact
/// ([`Verdict::declares_code`]): when it does not (a query), HTTP 2xx and a
/// body that decodes as `T` are the success.
pub fn map_body<T>(status: u16, body: Bytes) -> Result<Reply<T>, Error>
where
    T: DeserializeOwned + Verdict + Send + Sync + 'static,
{
    if !(200..300).contains(&status) {
        return http_error(status, body);
    }
    match decode::<T>(&body) {
        Ok((value, undecoded)) => success(value, undecoded, status, body),
        Err(reason) => Err(Error::Undecodable {
            status,
            reason,
            body: body.into(),
        }),
    }
}

/// The fields that make the verdict: a body whose verdict fields do not
/// decode cannot be judged.
const VERDICT_FIELDS: [&str; 2] = ["code", "is_succeed"];

/// Decodes a 2xx body as `T`. When a field other than the verdict's does
/// not decode, it is left out (every answer field outside the verdict is
/// optional) and reported, and decoding goes on: the verdict never rests on
/// a field it does not need. `Err` only when the verdict cannot be read.
fn decode<T: DeserializeOwned + Verdict>(body: &[u8]) -> Result<(T, Vec<UndecodedField>), String> {
    let declares_code = T::declares_code();
    let first = match serde_json::from_slice::<T>(body) {
        Ok(value) => return Ok((value, Vec::new())),
        Err(error) => error,
    };
    let Ok(mut value @ Value::Object(_)) = serde_json::from_slice::<Value>(body) else {
        return Err(decode_reason(body, &first));
    };
    let mut undecoded = Vec::new();
    // Each round removes one member of an object (at the top, or inside a
    // nested answer such as a check's `Data` rows), so this ends.
    for _ in 0..=members(&value) {
        let error = match serde_path_to_error::deserialize::<_, T>(&value) {
            Ok(decoded) => return Ok((decoded, undecoded)),
            Err(error) => error,
        };
        let steps: Vec<Step> = error
            .path()
            .iter()
            .map(|segment| match segment {
                serde_path_to_error::Segment::Map { key } => Step::Key(key.clone()),
                serde_path_to_error::Segment::Seq { index } => Step::Index(*index),
                _ => Step::Other,
            })
            .collect();
        // The member to leave out: the innermost key on the path.
        let Some(last_key) = steps.iter().rposition(|s| matches!(s, Step::Key(_))) else {
            // A required field is missing: in a command's answer, the
            // only one is the verdict's.
            if declares_code && value.get("code").is_none() {
                return Err("the answer carries no readable result code".to_string());
            }
            if !declares_code {
                return Err(format!(
                    "the answer lacks a field its schema requires ({})",
                    error.inner()
                ));
            }
            break;
        };
        let path = &steps[..=last_key];
        if let [Step::Key(field)] = path
            && VERDICT_FIELDS.contains(&field.as_str())
        {
            return Err(format!("its `{field}` is not readable"));
        }
        if !remove(&mut value, path) {
            break;
        }
        undecoded.push(UndecodedField {
            received: raw_at(body, path).unwrap_or_default(),
            field: dotted(path),
            reason: error.into_inner().to_string(),
        });
    }
    Err(decode_reason(body, &first))
}

/// One step of a path into an answer.
enum Step {
    Key(String),
    Index(usize),
    Other,
}

/// How many object members `value` holds, at any depth: a bound on the
/// rounds of [`decode`].
fn members(value: &Value) -> usize {
    match value {
        Value::Object(map) => map.len() + map.values().map(members).sum::<usize>(),
        Value::Array(items) => items.iter().map(members).sum(),
        _ => 0,
    }
}

/// Removes the member `path` ends with; false when there is none.
fn remove(value: &mut Value, path: &[Step]) -> bool {
    let Some((Step::Key(last), parents)) = path.split_last() else {
        return false;
    };
    let mut at = value;
    for step in parents {
        at = match (step, at) {
            (Step::Key(key), Value::Object(map)) => match map.get_mut(key) {
                Some(next) => next,
                None => return false,
            },
            (Step::Index(index), Value::Array(items)) => match items.get_mut(*index) {
                Some(next) => next,
                None => return false,
            },
            _ => return false,
        };
    }
    at.as_object_mut()
        .and_then(|map| map.remove(last))
        .is_some()
}

/// `net_amount` at the top, `Data[0].net_amount` inside.
fn dotted(path: &[Step]) -> String {
    let mut text = String::new();
    for step in path {
        match step {
            Step::Key(key) if text.is_empty() => text.push_str(key),
            Step::Key(key) => {
                text.push('.');
                text.push_str(key);
            }
            Step::Index(index) => text.push_str(&format!("[{index}]")),
            Step::Other => {}
        }
    }
    text
}

/// The JSON text at `path` in `body`, exactly as it arrived (a number
/// keeps all its digits).
fn raw_at(body: &[u8], path: &[Step]) -> Option<String> {
    use serde_json::value::RawValue;
    let mut raw: Box<RawValue> = serde_json::from_slice(body).ok()?;
    for step in path {
        raw = match step {
            Step::Key(key) => {
                let mut map: std::collections::HashMap<String, Box<RawValue>> =
                    serde_json::from_str(raw.get()).ok()?;
                map.remove(key)?
            }
            Step::Index(index) => {
                let mut items: Vec<Box<RawValue>> = serde_json::from_str(raw.get()).ok()?;
                if *index >= items.len() {
                    return None;
                }
                items.swap_remove(*index)
            }
            Step::Other => return None,
        };
    }
    Some(raw.get().to_string())
}

/// Why a body did not decode, without quoting it: serde's own messages
/// repeat the offending value, which may be a card holder's name.
fn decode_reason(body: &[u8], error: &serde_json::Error) -> String {
    let at = format!("line {}, column {}", error.line(), error.column());
    if body.iter().all(u8::is_ascii_whitespace) {
        "the body is empty".to_string()
    } else if error.is_eof() {
        format!("the body ends too early ({at})")
    } else if error.is_syntax() {
        format!("the body is not JSON ({at})")
    } else {
        format!("the body is not the documented answer ({at})")
    }
}

/// Judges a decoded 2xx answer by the one success rule
/// ([`paynet_api::runtime::rule`]), and builds the reply or the error.
fn success<T: Verdict + Send + Sync + 'static>(
    value: T,
    undecoded: Vec<UndecodedField>,
    status: u16,
    body: Bytes,
) -> Result<Reply<T>, Error> {
    // The generated `Verdict` reads both fields from the decoded answer.
    let code = value.result_code().map(ResultCode::from_code);
    let is_succeed = match is_succeed_of(&value, &body) {
        Ok(flag) => flag,
        Err(unreadable) => {
            return Err(Error::Undecodable {
                status,
                reason: unreadable.to_string(),
                body: body.into(),
            });
        }
    };
    let response = |value: T, undecoded| DecodedResponse {
        value: Box::new(value),
        undecoded,
    };
    let message = || text(&Reasons::read(&body).unwrap_or_default().message).unwrap_or_default();
    match rule(T::declares_code(), code, is_succeed) {
        Ruling::Success => Ok(Reply {
            value,
            code,
            status,
            body,
            undecoded,
            attempts: 1,
        }),
        Ruling::NoCode => Err(Error::Undecodable {
            status,
            reason: "the answer carries no readable result code".to_string(),
            body: body.into(),
        }),
        // A failing code with a succeeding bank: never a success.
        Ruling::Contradicts(code) => Err(Error::Inconsistent {
            status,
            code,
            is_succeed: true,
            response: response(value, undecoded),
            body: body.into(),
        }),
        Ruling::Unauthorized => Err(Error::Unauthorized(ErrorAnswer {
            status,
            error_type: ErrorType::Missing,
            result_code: Some(ResultCode::Unauthorized),
            message: message(),
            body: body.into(),
        })),
        Ruling::Declined(code) => Err(Error::BankDeclined {
            status,
            reason: Box::new(Reasons::read(&body).unwrap_or_default().decline_reason()),
            // An answer without a code that said `is_succeed` false.
            code: code.unwrap_or(ResultCode::Successful),
            response: response(value, undecoded),
            body: body.into(),
        }),
        Ruling::Refused(code) => Err(Error::Paynet {
            status,
            code,
            message: message(),
            response: response(value, undecoded),
            body: body.into(),
        }),
    }
}

/// What the mapping gives for an ending it cannot classify (an outcome a
/// newer `paynet-api` reports that this version does not know): the
/// outcome is unknown, never "not sent", since nothing proves it was not.
fn unclassified(what: String) -> Error {
    Error::Unclassified { what }
}

/// A non-2xx answer: Paynet's error body when it is one.
fn http_error<T>(status: u16, body: Bytes) -> Result<Reply<T>, Error> {
    let parsed: Option<Reasons> = serde_json::from_slice::<Value>(&body)
        .ok()
        .filter(Value::is_object)
        .and_then(|v| serde_json::from_value(v).ok());
    let unauthorized_status = status == 401;
    let Some(verdict) = parsed else {
        if unauthorized_status {
            return Err(Error::Unauthorized(ErrorAnswer {
                status,
                error_type: ErrorType::Missing,
                result_code: None,
                message: String::new(),
                body: body.into(),
            }));
        }
        return Err(Error::Undecodable {
            status,
            reason: if body.iter().all(u8::is_ascii_whitespace) {
                "the body is empty".to_string()
            } else {
                "the body is not Paynet's error body".to_string()
            },
            body: body.into(),
        });
    };
    let type_text = match &verdict.error_type {
        Some(Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    let error_type = ErrorType::from_wire(type_text);
    // The classic body carries the result code in `result_code` (its `code`
    // is the HTTP status); the SoftPOS body has no `type` and carries the
    // result code in `code`.
    let result_code = result_code(&verdict.result_code).or_else(|| {
        if verdict.error_type.is_none() {
            self::result_code(&verdict.code)
        } else {
            None
        }
    });
    let message = text(&verdict.message).unwrap_or_default();
    // The same refusal is the same variant whatever the operation: a 401,
    // an `authorization_error`, or result code 7 (the SoftPOS answer to a
    // bad or expired session key is a 400 with code 7).
    let answer = ErrorAnswer {
        status,
        error_type,
        result_code,
        message,
        body: body.into(),
    };
    if unauthorized_status
        || answer.error_type == ErrorType::AuthorizationError
        || answer.result_code == Some(ResultCode::Unauthorized)
    {
        Err(Error::Unauthorized(answer))
    } else {
        Err(Error::Http(answer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ending the mapping cannot classify is an unknown outcome: never
    /// "not sent", never a refusal, never safe to send again.
    #[test]
    fn an_unclassified_ending_is_an_unknown_outcome() {
        let error = unclassified("a new kind of ending".to_string());
        assert!(error.is_outcome_unknown());
        assert!(!error.is_refusal());
        assert!(!error.is_retry_safe());
        assert_eq!(error.kind(), "unclassified");
        assert_eq!(error.status(), None);
        assert_eq!(
            error.to_string(),
            "the call ended in a way this version of paynet-ext cannot classify (a new kind of ending); treat the outcome as unknown and check the transaction"
        );
    }
}
