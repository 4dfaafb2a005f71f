//! What the orphan rule makes live next to the generated `Client`: its
//! state and its `ClientHooks` implementation.
//!
//! The hooks are generic over every operation. They read the operations
//! table that `cargo xtask generate` writes from the spec
//! (`generated_operations.rs`):
//!
//! - `pre` attaches the credential of each security scheme the operation
//!   requires (and nothing to an operation that requires none), marks it and
//!   every header parameter sensitive, and refuses to send a request whose
//!   required credential the client was not given.
//! - `exec` sends the request. Inside [`capture`] it also reads the body,
//!   at most [`ClientState::max_body_bytes`] of it, and keeps a copy for the
//!   caller (the raw body stays reachable for audits and support tickets),
//!   together with the status and a `tracing` span named after the operation.
//!
//! Nothing here retries: a request that may have reached Paynet is never
//! sent twice by this crate.

use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use bytes::{Bytes, BytesMut};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::ResponseBuilderExt;
use reqwest::header::{HeaderName, HeaderValue};
use tracing::Instrument;

use crate::generated_operations::{OPERATIONS, SECURITY_SCHEMES, operation_span};
use crate::{Client, Error};

/// The default bound on a response body: Paynet's answers are a few hundred
/// bytes, so anything near a mebibyte is not one of them.
pub const DEFAULT_MAX_BODY_BYTES: usize = 1024 * 1024;

/// One operation of the spec, as the hooks see it.
#[derive(Debug)]
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
}

/// A security scheme of the spec and the header its credential travels in.
#[derive(Debug)]
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
    /// `secret_key` and `Basic <secret_key>`). The value is marked sensitive.
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

    /// Bounds the response bodies read inside [`capture`].
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

/// What one call exchanged with the server, recorded by the hooks inside
/// [`capture`].
#[derive(Debug, Default)]
pub struct Exchange {
    /// The operation, once the hooks ran.
    pub operation: Option<&'static Operation>,
    /// The HTTP status, once a response head arrived.
    pub status: Option<reqwest::StatusCode>,
    /// The body as received (at most the limit).
    pub body: Option<Bytes>,
    /// Set when the body was larger than the limit: the limit, and the
    /// declared length when the server sent one. The body was not read whole.
    pub body_too_large: Option<(usize, Option<u64>)>,
    /// True once the request was handed to the network: from then on it
    /// may have reached Paynet.
    pub sent: bool,
    /// The span of the call, named after the operation.
    pub span: Option<tracing::Span>,
}

tokio::task_local! {
    static EXCHANGE: Arc<Mutex<Exchange>>;
}

fn record<R>(f: impl FnOnce(&mut Exchange) -> R) -> Option<R> {
    EXCHANGE
        .try_with(|cell| f(&mut cell.lock().unwrap_or_else(PoisonError::into_inner)))
        .ok()
}

/// Runs `call` (a generated `send()` future) and returns its output along
/// with what was exchanged: the raw body, the status, the operation.
pub async fn capture<F: Future>(call: F) -> (F::Output, Exchange) {
    let cell = Arc::new(Mutex::new(Exchange::default()));
    let output = EXCHANGE.scope(cell.clone(), call).await;
    let exchange = std::mem::take(&mut *cell.lock().unwrap_or_else(PoisonError::into_inner));
    (output, exchange)
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

impl ClientHooks<ClientState> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), Error<E>> {
        let op = operation(info.operation_id);
        record(|x| {
            x.operation = op;
            x.span = Some(operation_span(info.operation_id));
        });
        let Some(op) = op else {
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
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let span = record(|x| {
            x.sent = true;
            x.span.clone().unwrap_or_else(tracing::Span::none)
        });
        let Some(span) = span else {
            // Not inside `capture`: behave like the default hook.
            return self.client().execute(request).await;
        };
        let limit = self.inner().max_body_bytes;
        async {
            let mut response = self.client().execute(request).await?;
            let status = response.status();
            record(|x| x.status = Some(status));
            let declared = response.content_length();
            let body = match read_bounded(&mut response, limit).await? {
                Some(body) => body,
                None => {
                    record(|x| x.body_too_large = Some((limit, declared)));
                    Bytes::new()
                }
            };
            record(|x| x.body = Some(body.clone()));
            // Hand progenitor the same answer with the body already read:
            // headers moved, not copied, and the URL carried over (without
            // it reqwest would parse a placeholder URL).
            let url = response.url().clone();
            let (parts, _) = http::Response::<reqwest::Body>::from(response).into_parts();
            let mut rebuilt = http::Response::builder()
                .status(parts.status)
                .version(parts.version)
                .url(url)
                .body(body)
                .expect("status and version come from a valid response");
            *rebuilt.headers_mut() = parts.headers;
            Ok(reqwest::Response::from(rebuilt))
        }
        .instrument(span)
        .await
    }
}
