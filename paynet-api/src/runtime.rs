//! What the orphan rule makes live next to the generated `Client`: its
//! state, its `ClientHooks` implementation, and the trait that every
//! generated request builder implements ([`PaynetRequest`]).
//!
//! The hooks are generic over every operation. They read the operations
//! table that `cargo xtask generate` writes from the spec
//! (`generated_operations.rs`):
//!
//! - `pre` attaches the credential of each security scheme the operation
//!   requires (and nothing to an operation that requires none), marks it and
//!   every header parameter sensitive, and refuses to send a request whose
//!   required credential the client was not given.
//! - `exec` sends the request and reads the body, at most
//!   [`ClientState::max_body_bytes`] of it.
//! - `post` fails closed: on the raw path (the generated `send()`), an
//!   answer whose verdict is not a success (a bank decline, a failing
//!   `code`, contradictory verdicts, a 2xx without the `code` its schema
//!   declares, a body over the limit) becomes an `Err`, never an `Ok`. On
//!   the mapped path ([`PaynetRequest::send_raw`], which `paynet-ext` uses)
//!   it hands the raw answer over whole instead, and the mapping decodes it
//!   once.
//!
//! Nothing here retries: a request that may have reached Paynet is never
//! sent twice by this crate.

use std::cell::RefCell;
use std::fmt;
use std::future::Future;

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{ResponseBuilderExt, StatusCode};
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::generated_operations::{OPERATIONS, SECURITY_SCHEMES};
use crate::wire::{Flag, ResultCode};
use crate::{Client, Error};

/// The default bound on a response body: Paynet's answers are a few hundred
/// bytes, so anything near a mebibyte is not one of them.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// One operation of the spec, as the hooks see it.
#[derive(Debug)]
#[non_exhaustive]
pub struct Operation {
    /// The `operationId`.
    pub id: &'static str,
    /// The HTTP method.
    pub method: &'static str,
    /// The path template.
    pub path: &'static str,
    /// Alternative security requirements: any one of them, each a list of
    /// scheme names that must all be present. Empty: no credential.
    pub security: &'static [&'static [&'static str]],
    /// The header parameters the operation takes (lower case). Their values
    /// (for example `Session-Key`) are treated as secrets.
    pub header_parameters: &'static [&'static str],
    /// The 2xx statuses the spec documents for this operation.
    pub success_statuses: &'static [u16],
    /// Whether the documented 2xx answer declares a result `code`. When it
    /// does, a 2xx answer without one is not a success.
    pub answer_declares_code: bool,
    /// The request field that keys the operation by its transaction (the
    /// spec's `x-paynet-idempotent-by`): the same request sent again cannot
    /// act twice, so it may be re-sent to learn an unknown outcome. `None`:
    /// never send it again blindly.
    pub idempotent_by: Option<&'static str>,
    /// Groups of request body fields of which at least one must be present
    /// (the spec's `anyOf` of single requirements). A body without any
    /// field of a group is refused before it is sent.
    pub at_least_one_of: &'static [&'static [&'static str]],
}

impl Operation {
    /// Why `body` (a request's JSON body) breaks an at-least-one-of group
    /// of this operation, if it does: a field that is absent or `null`
    /// counts as missing.
    pub fn missing_one_of(&self, body: &[u8]) -> Option<String> {
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        self.at_least_one_of
            .iter()
            .find(|group| {
                group
                    .iter()
                    .all(|field| value.get(field).is_none_or(serde_json::Value::is_null))
            })
            .map(|group| {
                format!(
                    "{} needs at least one of {} in its body, and it has none; nothing was sent",
                    self.id,
                    group.join(", ")
                )
            })
    }
}

/// A security scheme of the spec and the header its credential travels in.
#[derive(Debug)]
#[non_exhaustive]
pub struct SecurityScheme {
    /// The scheme's name in `components.securitySchemes`.
    pub name: &'static str,
    /// The header name (lower case).
    pub header: &'static str,
}

/// What the result mapping reads from a decoded answer of any operation:
/// Paynet's result code and the bank's verdict. `cargo xtask generate`
/// implements it for every 2xx response type from its schema.
pub trait Verdict {
    /// The `code` field as a number, if the answer has one.
    fn result_code(&self) -> Option<i64>;
    /// The `is_succeed` field, if the answer has one.
    fn is_succeed(&self) -> Option<bool>;
    /// Whether the response schema declares `is_succeed`. When it does not,
    /// the mapping still looks for one in the raw body: an undocumented
    /// `is_succeed: false` must never pass as a success.
    fn declares_is_succeed() -> bool
    where
        Self: Sized;
    /// Whether the response schema declares a result `code`. When it does
    /// not (a query such as the transaction check), HTTP 2xx and a readable
    /// body are the success; the operations table's `answer_declares_code`
    /// says the same for the operation.
    fn declares_code() -> bool
    where
        Self: Sized,
    {
        true
    }
}

/// Something generic over the operations' 2xx answer types; see
/// [`crate::visit_answers`].
pub trait AnswerVisitor {
    /// Called once per operation with its answer type.
    fn visit<T: Verdict + DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        operation_id: &'static str,
    );
}

/// A request whose operation the spec keys by its transaction
/// (`x-paynet-idempotent-by`: the capture and pre-authorisation reversals):
/// the same request sent again cannot act twice. `cargo xtask generate`
/// implements it for exactly those builders, so that `paynet-ext`'s
/// `.call_resending(..)` does not compile for any other operation.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not keyed by its transaction in the spec (no x-paynet-idempotent-by), so it is never sent again",
    label = "this operation may act twice if sent again",
    note = "use .call(), and check the transaction after an unknown outcome"
)]
pub trait KeyedByTransaction: PaynetRequest {
    /// The body field that keys it (`xact_id`).
    const KEYED_BY: &'static str;
}

/// A request builder of the generated client. `cargo xtask generate`
/// implements it for every operation's builder (`client.capture_reversal()`
/// and the rest), so that code generic over operations (`paynet-ext`'s
/// `call`) knows each one's answer type and sends it through the same hooks.
pub trait PaynetRequest: Sized + Send {
    /// The decoded 2xx answer.
    type Response: Verdict + DeserializeOwned + Send + Sync + 'static;
    /// The error body the spec documents for the non-2xx answers.
    type ErrorBody: Send + 'static;
    /// The operation's `operationId`.
    const OPERATION_ID: &'static str;

    /// A `tracing` span named after the operation, with empty `status`,
    /// `result_code` and `outcome` fields for the caller to record.
    fn span() -> tracing::Span;

    /// The generated `send()`: fails closed on a non-success, but keeps no
    /// raw body. Prefer `paynet-ext`'s mapped call.
    fn send_generated(
        self,
    ) -> impl Future<Output = Result<ResponseValue<Self::Response>, Error<Self::ErrorBody>>> + Send;

    /// The operation's row in the operations table.
    fn operation() -> &'static Operation {
        operation(Self::OPERATION_ID).expect("the generator writes a row for every builder")
    }

    /// Sends the request through the same hooks and returns what came back,
    /// undecoded and unjudged: the raw material of a mapping such as
    /// `paynet-ext`'s `call`. Nothing in a [`RawExchange`] says "success".
    fn send_raw(self) -> impl Future<Output = RawExchange> + Send {
        async move {
            let (result, state) = CALL
                .scope(RefCell::new(CallState::default()), async move {
                    let result = self.send_generated().await;
                    (result, CALL.with(RefCell::take))
                })
                .await;
            let outcome = match (state.answer, result) {
                (Some(answer), _) => answer,
                (None, Err(Error::InvalidRequest(message) | Error::Custom(message))) => {
                    RawOutcome::NotSent(message)
                }
                (None, Err(Error::CommunicationError(error))) if !state.sent => {
                    RawOutcome::NotSent(error.to_string())
                }
                (
                    None,
                    Err(
                        Error::CommunicationError(error)
                        | Error::ResponseBodyError(error)
                        | Error::InvalidUpgrade(error),
                    ),
                ) => RawOutcome::NoAnswer {
                    error,
                    status: state.status,
                },
                (None, _) => RawOutcome::NotSent(
                    "the generated client ended without an answer or an error".to_string(),
                ),
            };
            RawExchange {
                operation_id: Self::OPERATION_ID,
                outcome,
            }
        }
    }
}

/// What one request exchanged with the server, before any decoding.
#[derive(Debug)]
#[non_exhaustive]
pub struct RawExchange {
    /// The operation.
    pub operation_id: &'static str,
    /// How it ended.
    pub outcome: RawOutcome,
}

/// How one request ended, before any decoding.
#[derive(Debug)]
#[non_exhaustive]
pub enum RawOutcome {
    /// Refused before anything was sent: a value that breaks the spec, a
    /// missing credential, a URL that cannot be built.
    NotSent(String),
    /// Sent, and no whole answer came back. `status` is set when the
    /// status line arrived before the failure: the request reached the
    /// server.
    NoAnswer {
        /// reqwest's error.
        error: reqwest::Error,
        /// The status, if the answer's head arrived.
        status: Option<StatusCode>,
    },
    /// An answer arrived and was read whole.
    Answered {
        /// The HTTP status.
        status: StatusCode,
        /// The answer's headers.
        headers: HeaderMap,
        /// The body as received.
        body: Bytes,
    },
    /// An answer arrived whose body is larger than the client's limit; it
    /// was not read whole.
    TooLarge {
        /// The HTTP status.
        status: StatusCode,
        /// The limit.
        limit: usize,
        /// The length the server declared, if it did.
        declared: Option<u64>,
    },
}

/// Every operation the spec defines.
pub fn operations() -> &'static [Operation] {
    OPERATIONS
}

/// The operation with this `operationId`.
pub fn operation(id: &str) -> Option<&'static Operation> {
    OPERATIONS.iter().find(|op| op.id == id)
}

/// Every security scheme the spec defines.
pub fn security_schemes() -> &'static [SecurityScheme] {
    SECURITY_SCHEMES
}

/// A credential was given for a scheme the spec does not define.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownScheme(pub String);

impl fmt::Display for UnknownScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "the spec defines no security scheme named {:?}", self.0)
    }
}

impl std::error::Error for UnknownScheme {}

/// What a [`Client`] carries besides its reqwest client: a credential per
/// security scheme, and the bound on response bodies. `Debug` names the
/// schemes that have a credential, never the credential.
#[derive(Clone)]
pub struct ClientState {
    credentials: Vec<(&'static SecurityScheme, HeaderValue)>,
    max_body_bytes: usize,
}

impl Default for ClientState {
    fn default() -> Self {
        ClientState {
            credentials: Vec::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

impl fmt::Debug for ClientState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let schemes: Vec<&str> = self.credentials.iter().map(|(s, _)| s.name).collect();
        f.debug_struct("ClientState")
            .field("credentials", &schemes)
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

impl ClientState {
    /// Sets the header value sent for `scheme` (for the merchant secret key:
    /// [`crate::schemes::SECRET_KEY`] and `Basic <secret_key>`). The value is
    /// marked sensitive.
    pub fn with_credential(
        mut self,
        scheme: &str,
        mut value: HeaderValue,
    ) -> Result<Self, UnknownScheme> {
        let scheme = SECURITY_SCHEMES
            .iter()
            .find(|s| s.name == scheme)
            .ok_or_else(|| UnknownScheme(scheme.to_string()))?;
        value.set_sensitive(true);
        self.credentials.retain(|(s, _)| s.name != scheme.name);
        self.credentials.push((scheme, value));
        Ok(self)
    }

    /// Bounds the response bodies the hooks read.
    pub fn with_max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// The bound on response bodies.
    pub fn max_body_bytes(&self) -> usize {
        self.max_body_bytes
    }

    /// Whether a credential was given for `scheme`.
    pub fn has_credential(&self, scheme: &str) -> bool {
        self.credentials.iter().any(|(s, _)| s.name == scheme)
    }

    fn credential(&self, scheme: &str) -> Option<&(&'static SecurityScheme, HeaderValue)> {
        self.credentials.iter().find(|(s, _)| s.name == scheme)
    }
}

/// The state of one [`PaynetRequest::send_raw`], private to this module and
/// scoped to that one request by `CALL.scope`: one exchange per call by
/// construction. A `RefCell`: it never leaves the task.
#[derive(Default)]
struct CallState {
    sent: bool,
    status: Option<StatusCode>,
    answer: Option<RawOutcome>,
}

tokio::task_local! {
    static CALL: RefCell<CallState>;
}

/// Runs `f` on the state of the current mapped call; `None` on the raw path.
fn on_call<R>(f: impl FnOnce(&mut CallState) -> R) -> Option<R> {
    CALL.try_with(|cell| f(&mut cell.borrow_mut())).ok()
}

/// Reads at most `limit` bytes of `response`'s body. `Ok(None)` means the
/// body is larger than the limit (it was not read whole). A body that
/// arrives in one chunk, as Paynet's small answers do, is not copied.
async fn read_bounded(
    response: &mut reqwest::Response,
    limit: usize,
) -> reqwest::Result<Option<Bytes>> {
    if response.content_length().is_some_and(|n| n > limit as u64) {
        return Ok(None);
    }
    let mut first: Option<Bytes> = None;
    let mut joined: Option<BytesMut> = None;
    let mut total = 0usize;
    while let Some(chunk) = response.chunk().await? {
        total += chunk.len();
        if total > limit {
            return Ok(None);
        }
        match (&first, &mut joined) {
            (None, _) => first = Some(chunk),
            (Some(head), None) => {
                let mut buffer = BytesMut::with_capacity(total);
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&chunk);
                joined = Some(buffer);
            }
            (Some(_), Some(buffer)) => buffer.extend_from_slice(&chunk),
        }
    }
    Ok(Some(match joined {
        Some(buffer) => buffer.freeze(),
        None => first.unwrap_or_default(),
    }))
}

/// Why the raw path refuses an answer, carried from `exec` to `post` in the
/// rebuilt response's extensions.
#[derive(Clone)]
struct Refusal(String);

/// The verdict fields of a 2xx body, read generically for the raw path.
#[derive(Deserialize)]
struct VerdictFields {
    code: Option<serde_json::Value>,
    is_succeed: Option<serde_json::Value>,
}

/// Judges a 2xx answer on the raw path: `Some(reason)` when it is not a
/// success. Bodies that are not JSON objects are left to the generated
/// decoding, which refuses them itself.
fn raw_refusal(op: &Operation, status: StatusCode, body: &[u8]) -> Option<String> {
    if !status.is_success() {
        return None;
    }
    let fields: VerdictFields = serde_json::from_slice(body).ok()?;
    let id = op.id;
    let flag = match fields.is_succeed {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => match Flag::deserialize(&value) {
            Ok(flag) => Some(flag.get()),
            Err(_) => return Some(format!("{id}: is_succeed is neither true nor false")),
        },
    };
    let code = match fields.code {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => match ResultCode::deserialize(&value) {
            Ok(code) => Some(code),
            Err(_) => return Some(format!("{id}: the result code is unreadable")),
        },
    };
    match (code, flag) {
        (_, Some(false)) => Some(format!(
            "{id}: the bank declined (is_succeed false, result code {})",
            code.map_or("absent".to_string(), |c| c.to_string())
        )),
        (Some(code), Some(true)) if !code.is_success() => Some(format!(
            "{id}: the answer contradicts itself (result code {code} with is_succeed true); the outcome is unknown"
        )),
        (Some(code), _) if !code.is_success() => {
            Some(format!("{id}: Paynet refused with result code {code}"))
        }
        (None, _) if op.answer_declares_code => Some(format!(
            "{id}: HTTP {status} without the result code its schema declares; the outcome is unknown"
        )),
        _ => None,
    }
}

const RAW_PATH_NOTE: &str =
    "(raw generated send(); paynet-ext's .call() maps this into paynet_ext::Error)";

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Some(op) = operation(info.operation_id) else {
            return Err(Error::InvalidRequest(format!(
                "operation {} is not in the operations table; run `cargo xtask generate`",
                info.operation_id
            )));
        };
        let headers = request.headers_mut();
        // Never let a credential travel to an operation that does not ask for it.
        for scheme in SECURITY_SCHEMES {
            headers.remove(scheme.header);
        }
        if !op.security.is_empty() {
            let state = self.inner();
            let chosen = op
                .security
                .iter()
                .find(|all| all.iter().all(|name| state.has_credential(name)))
                .ok_or_else(|| {
                    let wanted: Vec<String> =
                        op.security.iter().map(|all| all.join(" + ")).collect();
                    Error::InvalidRequest(format!(
                        "{} needs the {} credential, which this client was not given; nothing was sent",
                        op.id,
                        wanted.join(" or ")
                    ))
                })?;
            for name in chosen.iter() {
                if let Some((scheme, value)) = state.credential(name) {
                    headers.insert(HeaderName::from_static(scheme.header), value.clone());
                }
            }
        }
        if let Some(problem) = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .and_then(|body| op.missing_one_of(body))
        {
            return Err(Error::InvalidRequest(problem));
        }
        let headers = request.headers_mut();
        for name in op.header_parameters {
            if let Some(value) = headers.get_mut(*name) {
                value.set_sensitive(true);
            }
        }
        Ok(())
    }

    async fn exec(
        &self,
        request: reqwest::Request,
        info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let mapped = on_call(|call| call.sent = true).is_some();
        let limit = self.inner().max_body_bytes;
        let mut response = self.client().execute(request).await?;
        let status = response.status();
        on_call(|call| call.status = Some(status));
        let declared = response.content_length();
        let body = read_bounded(&mut response, limit).await?;
        if mapped {
            // The mapping takes the answer whole from here; `post` stops the
            // generated code before it decodes anything.
            let (parts, _) = http::Response::<reqwest::Body>::from(response).into_parts();
            let answer = match body {
                Some(body) => RawOutcome::Answered {
                    status,
                    headers: parts.headers,
                    body,
                },
                None => RawOutcome::TooLarge {
                    status,
                    limit,
                    declared,
                },
            };
            on_call(|call| call.answer = Some(answer));
            let rebuilt = http::Response::builder()
                .status(status)
                .body(Bytes::new())
                .expect("a status from a valid response");
            return Ok(reqwest::Response::from(rebuilt));
        }
        let refusal = match (&body, operation(info.operation_id)) {
            (None, _) if status.is_success() => Some(format!(
                "{}: HTTP {status} with a body over the limit of {limit} bytes; the outcome is unknown",
                info.operation_id
            )),
            (Some(body), Some(op)) => raw_refusal(op, status, body),
            _ => None,
        };
        // Hand the generated code the same answer with the body already
        // read: headers moved, not copied, and the URL carried over.
        let url = response.url().clone();
        let (parts, _) = http::Response::<reqwest::Body>::from(response).into_parts();
        let mut rebuilt = http::Response::builder()
            .status(parts.status)
            .version(parts.version)
            .url(url)
            .body(body.unwrap_or_default())
            .expect("status and version come from a valid response");
        *rebuilt.headers_mut() = parts.headers;
        if let Some(refusal) = refusal {
            rebuilt.extensions_mut().insert(Refusal(refusal));
        }
        Ok(reqwest::Response::from(rebuilt))
    }

    async fn post<E>(
        &self,
        result: &reqwest::Result<reqwest::Response>,
        _info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let Ok(response) = result else {
            return Ok(());
        };
        if on_call(|call| call.answer.is_some()) == Some(true) {
            // Mapped path: stop here; `send_raw` has the answer.
            return Err(Error::Custom(String::new()));
        }
        match response.extensions().get::<Refusal>() {
            Some(Refusal(reason)) => Err(Error::Custom(format!("{reason} {RAW_PATH_NOTE}"))),
            None => Ok(()),
        }
    }
}
