//! What the orphan rule makes live next to the generated `Client`: its
//! state, and the one exchange every call goes through, the generated
//! `send()` and `paynet-ext`'s `.call()` alike (the module documentation
//! of [`crate::runtime`] walks through a call).

use std::fmt;

use bytes::{Bytes, BytesMut};
use progenitor_client::ResponseValue;
use reqwest::StatusCode;
use reqwest::header::{HeaderName, HeaderValue};
use serde::Deserialize;

use crate::generated_operations::{OPERATIONS, SECURITY_SCHEMES};
use crate::runtime::{
    Operation, PaynetRequest, RawExchange, RawOutcome, Ruling, SecurityScheme, Verdict, flag_of,
    is_succeed_of, rule,
};
use crate::wire::ResultCode;
use crate::{Client, Error};

/// The default bound on a response body: Paynet's answers are a few hundred
/// bytes, so anything near a mebibyte is not one of them.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

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

/// The verdict fields of a 2xx body, read generically for the raw path.
#[derive(Deserialize)]
struct VerdictFields {
    code: Option<serde_json::Value>,
    is_succeed: Option<serde_json::Value>,
}

/// Judges a 2xx answer on the raw path by the one rule, reading the
/// verdict fields from the body generically: `Some(reason)` when it is not
/// a success. Bodies that are not JSON objects are left to the generated
/// decoding, which refuses them itself.
fn raw_refusal<T: Verdict>(status: StatusCode, body: &[u8]) -> Option<String> {
    if !status.is_success() {
        return None;
    }
    let fields: VerdictFields = serde_json::from_slice(body).ok()?;
    let flag = match flag_of(fields.is_succeed) {
        Ok(flag) => flag,
        Err(unreadable) => return Some(unreadable.to_string()),
    };
    let code = match fields.code {
        None | Some(serde_json::Value::Null) => None,
        Some(value) => match ResultCode::deserialize(&value) {
            Ok(code) => Some(code),
            Err(_) => return Some("the result code is unreadable".to_string()),
        },
    };
    refusal(status, rule(T::declares_code(), code, flag))
}

/// Judges a decoded 2xx answer by the one rule, as [`raw_refusal`] judges
/// the body: the generated `Verdict` reads `code` from the value, and
/// [`is_succeed_of`] the flag.
fn typed_refusal<T: Verdict>(value: &T, status: StatusCode, body: &[u8]) -> Option<String> {
    let code = value.result_code().map(ResultCode::from_code);
    let flag = match is_succeed_of(value, body) {
        Ok(flag) => flag,
        Err(unreadable) => return Some(unreadable.to_string()),
    };
    refusal(status, rule(T::declares_code(), code, flag))
}

/// What the generated `send()` says of a ruling that is not a success.
fn refusal(status: StatusCode, ruling: Ruling) -> Option<String> {
    match ruling {
        Ruling::Success => None,
        Ruling::NoCode => Some(format!(
            "HTTP {status} without the result code its schema declares; the outcome is unknown"
        )),
        Ruling::Contradicts(code) => Some(format!(
            "the answer contradicts itself (result code {code} with is_succeed true); the outcome is unknown"
        )),
        Ruling::Declined(code) => Some(format!(
            "the bank declined (is_succeed false, result code {})",
            code.map_or("absent".to_string(), |c| c.to_string())
        )),
        Ruling::Unauthorized => Some(format!(
            "Paynet refused with result code {}",
            ResultCode::Unauthorized
        )),
        Ruling::Refused(code) => Some(format!("Paynet refused with result code {code}")),
    }
}

const RAW_PATH_NOTE: &str =
    "(raw generated send(); paynet-ext's .call() maps this into paynet_ext::Error)";

/// What the success rule let through to the generated `send()`.
pub(crate) enum Checked<T> {
    /// A 2xx status the operation documents, decoded once and judged a
    /// success: `send()` returns it as it is.
    Success(ResponseValue<T>),
    /// Any other answer, rebuilt as a `reqwest::Response` for progenitor's
    /// decoding by status (the documented error bodies), which calls
    /// anything it does not know an unexpected response.
    Other(reqwest::Response),
}

/// The generated `send()`'s judgement of one exchange: a documented 2xx
/// answer decoded and judged by the success rule, or any other answer for
/// progenitor's decoding by status; otherwise the error, in progenitor's
/// type (large, as every generated `send()`'s error is: it is that error).
#[allow(clippy::result_large_err)]
pub(crate) fn checked<R: PaynetRequest>(
    exchange: RawExchange,
) -> Result<Checked<R::Response>, Error<R::ErrorBody>> {
    let id = exchange.operation_id;
    let refused = |reason: String| Error::Custom(format!("{id}: {reason} {RAW_PATH_NOTE}"));
    match exchange.outcome {
        RawOutcome::NotSent(message) => Err(Error::InvalidRequest(message)),
        RawOutcome::NoAnswer { error, .. } => Err(Error::CommunicationError(error)),
        RawOutcome::TooLarge { status, limit, .. } => Err(refused(format!(
            "HTTP {status} with a body over the limit of {limit} bytes; the outcome is unknown"
        ))),
        RawOutcome::Answered {
            status,
            headers,
            body,
        } => {
            if R::operation().success_statuses.contains(&status.as_u16()) {
                return match serde_json::from_slice::<R::Response>(&body) {
                    Ok(value) => match typed_refusal(&value, status, &body) {
                        Some(reason) => Err(refused(reason)),
                        None => Ok(Checked::Success(ResponseValue::new(value, status, headers))),
                    },
                    // Undecodable as documented: a refusal the verdict
                    // fields still show is reported as that refusal.
                    Err(error) => match raw_refusal::<R::Response>(status, &body) {
                        Some(reason) => Err(refused(reason)),
                        None => Err(Error::InvalidResponsePayload(body, error)),
                    },
                };
            }
            if let Some(reason) = raw_refusal::<R::Response>(status, &body) {
                return Err(refused(reason));
            }
            let mut rebuilt = http::Response::new(body);
            *rebuilt.status_mut() = status;
            *rebuilt.headers_mut() = headers;
            Ok(Checked::Other(reqwest::Response::from(rebuilt)))
        }
    }
}

/// Why a request could not be built, as the text of
/// [`RawOutcome::NotSent`]: nothing was sent, since no request existed.
fn not_sent<E>(error: Error<E>) -> String {
    match error {
        Error::InvalidRequest(message) | Error::Custom(message) => message,
        Error::CommunicationError(error)
        | Error::ResponseBodyError(error)
        | Error::InvalidUpgrade(error) => error.to_string(),
        _ => "the request could not be built".to_string(),
    }
}

impl ClientState {
    /// Attaches the credentials `op` requires (and none it does not), marks
    /// them and the operation's header parameters sensitive, and refuses a
    /// request that lacks a credential or an at-least-one-of field.
    fn authorize(
        &self,
        op: &Operation,
        mut request: reqwest::Request,
    ) -> Result<reqwest::Request, String> {
        let headers = request.headers_mut();
        // Never let a credential travel to an operation that does not ask for it.
        for scheme in SECURITY_SCHEMES {
            headers.remove(scheme.header);
        }
        if !op.security.is_empty() {
            let chosen = op
                .security
                .iter()
                .find(|all| all.iter().all(|name| self.has_credential(name)))
                .ok_or_else(|| {
                    let wanted: Vec<String> =
                        op.security.iter().map(|all| all.join(" + ")).collect();
                    format!(
                        "{} needs the {} credential, which this client was not given; nothing was sent",
                        op.id,
                        wanted.join(" or ")
                    )
                })?;
            for name in chosen.iter() {
                if let Some((scheme, value)) = self.credential(name) {
                    headers.insert(HeaderName::from_static(scheme.header), value.clone());
                }
            }
        }
        if let Some(problem) = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .and_then(|body| op.missing_one_of(body))
        {
            return Err(problem);
        }
        let headers = request.headers_mut();
        for name in op.header_parameters {
            if let Some(value) = headers.get_mut(*name) {
                value.set_sensitive(true);
            }
        }
        Ok(request)
    }
}

impl Client {
    /// The one exchange of every call, the generated `send()` and
    /// `paynet-ext`'s `.call()` alike: the request the builder made (or why
    /// it could not be made), authorized for `op`, sent once, and its
    /// answer read with a bound. Every way it can end is a [`RawOutcome`].
    pub(crate) async fn exchange<E>(
        &self,
        op: &'static Operation,
        request: Result<reqwest::Request, Error<E>>,
    ) -> RawExchange {
        let authorized = request
            .map_err(not_sent)
            .and_then(|request| self.inner.authorize(op, request));
        let outcome = match authorized {
            Ok(request) => self.send_and_read(request).await,
            Err(message) => RawOutcome::NotSent(message),
        };
        RawExchange {
            operation_id: op.id,
            outcome,
        }
    }

    /// Sends `request` and reads its answer, at most the client's body
    /// limit of it.
    async fn send_and_read(&self, request: reqwest::Request) -> RawOutcome {
        let mut response = match self.client.execute(request).await {
            Ok(response) => response,
            Err(error) => {
                return RawOutcome::NoAnswer {
                    error,
                    status: None,
                };
            }
        };
        let status = response.status();
        let limit = self.inner.max_body_bytes;
        let declared = response.content_length();
        match read_bounded(&mut response, limit).await {
            Ok(Some(body)) => RawOutcome::Answered {
                status,
                headers: std::mem::take(response.headers_mut()),
                body,
            },
            Ok(None) => RawOutcome::TooLarge {
                status,
                limit,
                declared,
            },
            // The status line arrived: the request reached the server.
            Err(error) => RawOutcome::NoAnswer {
                error,
                status: Some(status),
            },
        }
    }
}
