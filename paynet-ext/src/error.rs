//! One error type for everything a Paynet call can end in.

use std::any::Any;
use std::fmt;
use std::ops::Deref;

use bytes::Bytes;
use paynet_api::wire::ResultCode;

/// How many bytes of a body [`Error::body_snippet`] quotes.
pub const SNIPPET_BYTES: usize = 200;

/// The `type` of Paynet's error body (hata tipi).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorType {
    /// `api_error`: Paynet failed.
    ApiError,
    /// `invalid_request_error`: the request was invalid.
    InvalidRequestError,
    /// `authorization_error`: the credentials were refused.
    AuthorizationError,
    /// `no_data_error`: nothing matched (for example an unknown transaction).
    NoDataError,
    /// A type Paynet's documentation does not list, kept as sent.
    Other(String),
    /// The body had no `type`.
    Missing,
}

impl ErrorType {
    /// The type as Paynet writes it.
    pub fn from_wire(text: Option<&str>) -> Self {
        match text {
            None => ErrorType::Missing,
            Some("api_error") => ErrorType::ApiError,
            Some("invalid_request_error") => ErrorType::InvalidRequestError,
            Some("authorization_error") => ErrorType::AuthorizationError,
            Some("no_data_error") => ErrorType::NoDataError,
            Some(other) => ErrorType::Other(other.to_string()),
        }
    }
}

impl fmt::Display for ErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorType::ApiError => "api_error",
            ErrorType::InvalidRequestError => "invalid_request_error",
            ErrorType::AuthorizationError => "authorization_error",
            ErrorType::NoDataError => "no_data_error",
            ErrorType::Other(text) => text,
            ErrorType::Missing => "no type",
        })
    }
}

/// The reasons a bank decline carries: the bank's (`bank_error_*`) and
/// Paynet's (`paynet_error_*`), as sent (empty strings are kept out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeclineReason {
    /// `bank_error_id`: the bank's code.
    pub bank_error_id: Option<String>,
    /// `bank_error_message`.
    pub bank_error_message: Option<String>,
    /// `bank_error_short_desc`.
    pub bank_error_short_desc: Option<String>,
    /// `bank_error_long_desc`.
    pub bank_error_long_desc: Option<String>,
    /// `paynet_error_id`: Paynet's code.
    pub paynet_error_id: Option<String>,
    /// `paynet_error_message`.
    pub paynet_error_message: Option<String>,
}

impl fmt::Display for DeclineReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bank = self
            .bank_error_message
            .as_deref()
            .or(self.bank_error_short_desc.as_deref())
            .or(self.bank_error_long_desc.as_deref());
        match (bank, &self.bank_error_id) {
            (Some(message), Some(id)) => write!(f, "{} (bank code {id})", message.trim())?,
            (Some(message), None) => write!(f, "{}", message.trim())?,
            (None, Some(id)) => write!(f, "bank code {id}")?,
            (None, None) => f.write_str("no reason given by the bank")?,
        }
        match (&self.paynet_error_message, &self.paynet_error_id) {
            (Some(message), Some(id)) => write!(f, "; Paynet: {} (code {id})", message.trim()),
            (Some(message), None) => write!(f, "; Paynet: {}", message.trim()),
            (None, Some(id)) => write!(f, "; Paynet code {id}"),
            (None, None) => Ok(()),
        }
    }
}

/// The decoded response of a call that did not succeed, kept whole for the
/// caller: [`Error::response`] gives it back as the generated type.
pub struct DecodedResponse {
    pub(crate) value: Box<dyn Any + Send + Sync>,
    pub(crate) undecoded: Vec<UndecodedField>,
}

impl fmt::Debug for DecodedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let fields: Vec<&str> = self.undecoded.iter().map(|u| u.field.as_str()).collect();
        f.debug_struct("DecodedResponse")
            .field("undecoded", &fields)
            .finish_non_exhaustive()
    }
}

/// A field of an answer that did not decode as its type, left out of the
/// decoded response so that the verdict (`code`, `is_succeed`) still
/// decides the outcome. What arrived is kept for the caller; no `Display`
/// or log shows it.
///
/// Its `Debug` shows the field's name and the lengths of `received` and
/// `reason`, not their text: both can quote what arrived.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct UndecodedField {
    /// The field's name in the answer (`xact_date`), or its path inside
    /// a nested answer (`Data[0].net_amount`).
    pub field: String,
    /// What arrived in it: its JSON text, exactly as sent.
    pub received: String,
    /// Why it did not decode (serde's message; it may quote the value).
    pub reason: String,
}

/// A response body, kept whole for the caller (audits, support tickets):
/// it derefs to its bytes. Its `Debug` is its length, `<N bytes>`, never
/// its bytes: a body holds card holders' names and contact details, and
/// `Debug` is what `unwrap()`, `?` out of `main` and a failed test print.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Body(Bytes);

impl Body {
    /// The bytes as received.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The bytes as received, without a copy.
    pub fn into_bytes(self) -> Bytes {
        self.0
    }
}

impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        BodyLen(self.0.len()).fmt(f)
    }
}

impl Deref for Body {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        &self.0
    }
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl From<Bytes> for Body {
    fn from(bytes: Bytes) -> Self {
        Body(bytes)
    }
}

/// What Paynet's error body says, and the answer it came in: the fields
/// of [`Error::Unauthorized`] and [`Error::Http`] alike.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ErrorAnswer {
    /// The HTTP status.
    pub status: u16,
    /// The body's `type` (hata tipi; unknown types kept as text). A
    /// SoftPOS body, and a 2xx answer with result code 7, have none:
    /// `ErrorType::Missing`.
    pub error_type: ErrorType,
    /// The body's `result_code` (on SoftPOS, its `code`), if any.
    pub result_code: Option<ResultCode>,
    /// The body's `message`.
    pub message: String,
    /// The raw body.
    pub body: Body,
}

fn retry_note(retry_safe: bool) -> &'static str {
    if retry_safe {
        "the connection was never made, so sending it again is safe"
    } else {
        "the request may have reached Paynet, so check the transaction before sending it again"
    }
}

/// What a Paynet call can end in, other than success.
///
/// Every variant that had a response keeps its raw body
/// ([`Error::raw_body`]); no `Display` quotes it. Nothing is retried by this
/// crate. Three predicates answer the three questions a caller asks, and
/// exactly one of them is true for every error:
///
/// | error | [`is_outcome_unknown`](Error::is_outcome_unknown): may it have happened? | [`is_retry_safe`](Error::is_retry_safe): can the same request be sent again safely, and succeed? | [`is_refusal`](Error::is_refusal): certainly not done, and would be refused again? |
/// | --- | --- | --- | --- |
/// | `InvalidRequest` (nothing sent) | no | no | **yes**: fix the request |
/// | `Transport` / `Timeout`, no connection made | no | **yes** | no |
/// | `Transport` / `Timeout` after the request left | **yes** | no | no |
/// | `Unauthorized` (401, `authorization_error`, result code 7) | no | no | **yes** |
/// | `Http` 4xx | no | no | **yes** |
/// | `Http` 5xx | **yes** | no | no |
/// | `Paynet` (a failing result code) | no | no | **yes** |
/// | `BankDeclined` | no | no | **yes** |
/// | `Inconsistent` | **yes** | no | no |
/// | `Undecodable` | **yes** | no | no |
/// | `BodyTooLarge` | **yes** | no | no |
/// | `Redirected` | **yes** | no | no |
/// | `Unresolved` (re-sent until the deadline, still unknown) | **yes** | no | no |
/// | `Unclassified` (an ending this version cannot classify) | **yes** | no | no |
///
/// `Debug` (what `unwrap()`, `?` out of `main` and a failed test print)
/// shows every field but a body's bytes: a body holds card holders' names
/// and contact details, so it shows as `<N bytes>` ([`Body`]);
/// [`Error::raw_body`] gives it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The request was refused before anything was sent: a value broke the
    /// spec (an `xact_id` over 100 characters) or a credential the operation
    /// needs is missing.
    #[error("the request was not sent: {message}")]
    InvalidRequest {
        /// What is wrong.
        message: String,
    },

    /// The connection failed, or broke before a whole answer arrived.
    #[error("the connection to Paynet failed ({source}); {}", retry_note(*retry_safe))]
    Transport {
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
        /// True only when no connection was made: the request never left.
        retry_safe: bool,
    },

    /// No answer in time.
    #[error("Paynet did not answer in time; {}", retry_note(*retry_safe))]
    Timeout {
        /// reqwest's error.
        #[source]
        source: reqwest::Error,
        /// True only when the connection itself timed out.
        retry_safe: bool,
    },

    /// HTTP 401 (API anahtarınız yanlış), an `authorization_error`, or
    /// result code 7 with any status: the secret key is wrong, this
    /// machine's IP address is not registered with Paynet, or (SoftPOS,
    /// HTTP 400 with `code` 7) the session key is wrong or expired: obtain
    /// another. A SoftPOS body has no `type`, so `error_type` is then
    /// `ErrorType::Missing`.
    #[error("Paynet refused the credentials (HTTP {}): {}", .0.status, or_none(&.0.message))]
    Unauthorized(ErrorAnswer),

    /// Any other non-2xx answer with Paynet's error body.
    #[error(
        "Paynet answered HTTP {} ({}{}): {}",
        .0.status,
        .0.error_type,
        code_note(&.0.result_code),
        or_none(&.0.message)
    )]
    Http(ErrorAnswer),

    /// HTTP 2xx whose result code is neither 0 nor 100.
    #[error(
        "Paynet refused the operation with result code {code}: {}",
        or_none(message)
    )]
    Paynet {
        /// The HTTP status.
        status: u16,
        /// The result code.
        code: ResultCode,
        /// Paynet's message.
        message: String,
        /// The whole decoded response.
        response: DecodedResponse,
        /// The raw body.
        body: Body,
    },

    /// HTTP 2xx with `is_succeed` false: the bank refused.
    #[error("the bank declined the operation: {reason}")]
    BankDeclined {
        /// The HTTP status (a 2xx).
        status: u16,
        /// The bank's and Paynet's reasons.
        reason: Box<DeclineReason>,
        /// The result code that came with it.
        code: ResultCode,
        /// The whole decoded response.
        response: DecodedResponse,
        /// The raw body.
        body: Body,
    },

    /// `code` and `is_succeed` disagree (Paynet's own capture reversal
    /// example: `code` 1 with `is_succeed` true). Never a success: check the
    /// transaction.
    #[error(
        "Paynet's answer contradicts itself (result code {code} but is_succeed {is_succeed}); treat the outcome as unknown and check the transaction"
    )]
    Inconsistent {
        /// The HTTP status (a 2xx).
        status: u16,
        /// The result code.
        code: ResultCode,
        /// The bank's verdict.
        is_succeed: bool,
        /// The whole decoded response.
        response: DecodedResponse,
        /// The raw body.
        body: Body,
    },

    /// A body that could not be read as Paynet's answer: empty, HTML,
    /// truncated, of the wrong shape, or without a result code. The text
    /// never quotes the body ([`Error::body_snippet`] does, on request).
    #[error(
        "Paynet's answer (HTTP {status}, {} bytes) could not be read: {reason}; check the transaction",
        body.len()
    )]
    Undecodable {
        /// The HTTP status.
        status: u16,
        /// Why it could not be read (never a quote of the body).
        reason: String,
        /// The raw body.
        body: Body,
    },

    /// Paynet (or something in between) answered with a redirect. Redirects
    /// are never followed: following one would send the operation, and its
    /// credentials, a second time to another address.
    #[error(
        "Paynet answered HTTP {status}, a redirect to {}, which was not followed; check the base URL, and the transaction",
        location.as_deref().unwrap_or("no Location")
    )]
    Redirected {
        /// The HTTP status (3xx).
        status: u16,
        /// The `Location` header, if there was one.
        location: Option<String>,
    },

    /// The body was larger than the client's limit and was not read whole.
    #[error(
        "Paynet's answer (HTTP {status}) is larger than the limit of {limit} bytes and was not read"
    )]
    BodyTooLarge {
        /// The HTTP status.
        status: u16,
        /// The limit.
        limit: usize,
        /// The length the server declared, if it did.
        declared: Option<u64>,
    },

    /// A request re-sent by [`crate::ResendExt::call_resending`] until its
    /// deadline, and every answer left the outcome unknown. Check the
    /// transaction, or send the same request again later: an operation
    /// keyed by its transaction cannot act twice.
    #[error("the outcome is still unknown after {attempts} attempts; the last: {last}")]
    Unresolved {
        /// How many times the request was sent.
        attempts: u32,
        /// The last attempt's outcome (one whose outcome is unknown, or a
        /// connection that failed).
        last: Box<Error>,
    },

    /// The call ended in a way this version of `paynet-ext` cannot
    /// classify (an outcome a newer `paynet-api` reports). Nothing proves
    /// that the request was not sent, or not acted on: the outcome is
    /// unknown. Check the transaction.
    #[error(
        "the call ended in a way this version of paynet-ext cannot classify ({what}); treat the outcome as unknown and check the transaction"
    )]
    Unclassified {
        /// What ended the call, as far as it can be told.
        what: String,
    },
}

/// A body in `Debug` output: its length, never its bytes (`<N bytes>`):
/// [`Body`]'s, a [`crate::Reply`]'s raw body, and the received text and
/// reason of an [`UndecodedField`].
pub(crate) struct BodyLen(pub(crate) usize);

impl fmt::Debug for BodyLen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<{} bytes>", self.0)
    }
}

impl fmt::Debug for UndecodedField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UndecodedField")
            .field("field", &self.field)
            .field("received", &BodyLen(self.received.len()))
            .field("reason", &BodyLen(self.reason.len()))
            .finish()
    }
}

fn or_none(message: &str) -> &str {
    if message.trim().is_empty() {
        "no message"
    } else {
        message.trim()
    }
}

fn code_note(code: &Option<ResultCode>) -> String {
    match code {
        Some(code) => format!(", result code {code}"),
        None => String::new(),
    }
}

/// The first bytes of a body, quoted.
fn snippet(body: &[u8]) -> String {
    if body.is_empty() {
        return "nothing (an empty body)".to_string();
    }
    let cut = &body[..body.len().min(SNIPPET_BYTES)];
    let text = String::from_utf8_lossy(cut);
    if body.len() > SNIPPET_BYTES {
        format!("{text:?}…")
    } else {
        format!("{text:?}")
    }
}

impl Error {
    /// The HTTP status, when an answer arrived.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Unauthorized(answer) | Error::Http(answer) => Some(answer.status),
            Error::Paynet { status, .. }
            | Error::BankDeclined { status, .. }
            | Error::Inconsistent { status, .. }
            | Error::Undecodable { status, .. }
            | Error::BodyTooLarge { status, .. }
            | Error::Redirected { status, .. } => Some(*status),
            Error::Transport { source, .. } | Error::Timeout { source, .. } => {
                source.status().map(|s| s.as_u16())
            }
            Error::InvalidRequest { .. } | Error::Unclassified { .. } => None,
            Error::Unresolved { last, .. } => last.status(),
        }
    }

    /// Paynet's result code, when the answer carried one.
    pub fn result_code(&self) -> Option<ResultCode> {
        match self {
            Error::Paynet { code, .. }
            | Error::BankDeclined { code, .. }
            | Error::Inconsistent { code, .. } => Some(*code),
            Error::Unauthorized(answer) | Error::Http(answer) => answer.result_code,
            Error::Unresolved { last, .. } => last.result_code(),
            _ => None,
        }
    }

    /// The raw response body, for audits and support tickets.
    pub fn raw_body(&self) -> Option<&[u8]> {
        match self {
            Error::Unauthorized(ErrorAnswer { body, .. })
            | Error::Http(ErrorAnswer { body, .. })
            | Error::Paynet { body, .. }
            | Error::BankDeclined { body, .. }
            | Error::Inconsistent { body, .. }
            | Error::Undecodable { body, .. } => Some(body.as_bytes()),
            Error::Unresolved { last, .. } => last.raw_body(),
            _ => None,
        }
    }

    /// The whole decoded response, as the operation's generated type `T`.
    pub fn response<T: 'static>(&self) -> Option<&T> {
        match self {
            Error::Paynet { response, .. }
            | Error::BankDeclined { response, .. }
            | Error::Inconsistent { response, .. } => response.value.downcast_ref(),
            Error::Unresolved { last, .. } => last.response(),
            _ => None,
        }
    }

    /// The fields of the answer that did not decode and were left out of
    /// [`Error::response`]: the verdict was read without them.
    pub fn undecoded_fields(&self) -> &[UndecodedField] {
        match self {
            Error::Paynet { response, .. }
            | Error::BankDeclined { response, .. }
            | Error::Inconsistent { response, .. } => &response.undecoded,
            Error::Unresolved { last, .. } => last.undecoded_fields(),
            _ => &[],
        }
    }

    /// True when the credentials were refused (HTTP 401, an
    /// `authorization_error`, or result code 7).
    pub fn is_unauthorized(&self) -> bool {
        matches!(self, Error::Unauthorized { .. })
            || self.result_code() == Some(ResultCode::Unauthorized)
    }

    /// True when the answer does not say whether the operation happened: no
    /// answer after the request left, an unreadable or contradictory one, a
    /// redirect, or a server error. Check the transaction before anything
    /// else. See the table on [`Error`].
    pub fn is_outcome_unknown(&self) -> bool {
        match self {
            Error::Transport { retry_safe, .. } | Error::Timeout { retry_safe, .. } => !retry_safe,
            Error::Inconsistent { .. }
            | Error::Undecodable { .. }
            | Error::BodyTooLarge { .. }
            | Error::Redirected { .. } => true,
            // Conservative: an earlier attempt may have reached Paynet
            // even when the last one could not connect.
            Error::Unresolved { .. } | Error::Unclassified { .. } => true,
            Error::Http(answer) => answer.status >= 500,
            Error::InvalidRequest { .. }
            | Error::Unauthorized { .. }
            | Error::Paynet { .. }
            | Error::BankDeclined { .. } => false,
        }
    }

    /// True when sending the same request again cannot move money twice and
    /// may succeed: the connection was never made, so the request never
    /// left. False for [`Error::InvalidRequest`]: the same request would be
    /// refused the same way. See the table on [`Error`].
    pub fn is_retry_safe(&self) -> bool {
        match self {
            Error::Transport { retry_safe, .. } | Error::Timeout { retry_safe, .. } => *retry_safe,
            _ => false,
        }
    }

    /// True when the operation certainly did not happen and sending the
    /// same request again would be refused again: the client refused to
    /// send it, or Paynet or the bank refused it clearly. Change something
    /// (the request, the credentials, the transaction) first. See the table
    /// on [`Error`].
    pub fn is_refusal(&self) -> bool {
        !self.is_outcome_unknown() && !self.is_retry_safe()
    }

    /// A short name of the variant (`bank_declined`, `timeout`, ...), as
    /// recorded in the call's `outcome` span field.
    pub fn kind(&self) -> &'static str {
        match self {
            Error::InvalidRequest { .. } => "invalid_request",
            Error::Transport { .. } => "transport",
            Error::Timeout { .. } => "timeout",
            Error::Unauthorized { .. } => "unauthorized",
            Error::Http { .. } => "http_error",
            Error::Paynet { .. } => "paynet_error",
            Error::BankDeclined { .. } => "bank_declined",
            Error::Inconsistent { .. } => "inconsistent",
            Error::Undecodable { .. } => "undecodable",
            Error::BodyTooLarge { .. } => "body_too_large",
            Error::Redirected { .. } => "redirected",
            Error::Unresolved { .. } => "unresolved",
            Error::Unclassified { .. } => "unclassified",
        }
    }

    /// The first [`SNIPPET_BYTES`] bytes of the raw body, quoted, for a
    /// support ticket. Not part of any `Display`: a body may hold a card
    /// holder's name.
    pub fn body_snippet(&self) -> Option<String> {
        self.raw_body().map(snippet)
    }
}
