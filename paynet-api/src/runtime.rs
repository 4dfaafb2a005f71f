//! The types every generated request builder and the operations table
//! are written in, the one success rule ([`rule`]), and the client's state
//! ([`ClientState`]).
//!
//! Every request builder implements [`PaynetRequest`]; a call reads left
//! to right:
//!
//! 1. the builder's `into_request` (generated from progenitor's own
//!    request building) makes the `reqwest::Request`;
//! 2. the client's one exchange attaches the credential of each security
//!    scheme the operation requires (and nothing to an operation that
//!    requires none), marks it and every header parameter sensitive,
//!    refuses a request whose required credential the client was not
//!    given, sends it once, and reads the body, at most
//!    [`ClientState::max_body_bytes`] of it, into a [`RawExchange`];
//! 3. `paynet-ext`'s mapping decodes and judges that answer once; the
//!    generated `send()` judges it by the same rule and fails closed: a
//!    bank decline, a failing `code`, contradictory verdicts, a 2xx
//!    without the `code` its schema declares, a body over the limit are an
//!    `Err`, never an `Ok`.
//!
//! Nothing is stored for a later step to pick up, and nothing retries: a
//! request that may have reached Paynet is never sent twice by this crate.
//!
//! This module does not read the operations table: the table
//! (`generated_operations.rs`) is written in these types, and the exchange
//! that reads it lives beside them, so the dependencies run one way.

use std::future::Future;

use bytes::Bytes;
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::wire::ResultCode;

pub use crate::exchange::{
    ClientState, DEFAULT_MAX_BODY_BYTES, UnknownScheme, operation, operations, security_schemes,
};

/// One operation of the spec, as the runtime sees it.
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
        if self.at_least_one_of.is_empty() {
            // Most operations have no such group: no reason to parse the body.
            return None;
        }
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
    /// body are the success. The one place this fact is stated: both the
    /// generated `send()` and the mapping ask it here.
    fn declares_code() -> bool
    where
        Self: Sized;
}

/// What an answer's verdict fields say, by Paynet's one success rule
/// ([`rule`]). Deliberately exhaustive: a new kind of verdict must be
/// handled by every path that judges answers, at compile time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ruling {
    /// `code` 0 or 100 (or no `code` where the schema declares none), and
    /// `is_succeed` not false: a success.
    Success,
    /// The schema declares a `code` and the answer carries none: nothing
    /// says whether it happened.
    NoCode,
    /// A failing `code` with `is_succeed` true: the verdicts disagree, and
    /// the outcome is unknown.
    Contradicts(ResultCode),
    /// Result code 7: the credentials (secret key, session key) were
    /// refused, whatever `is_succeed` says.
    Unauthorized,
    /// `is_succeed` false: the bank declined. The code that came with it,
    /// if any.
    Declined(Option<ResultCode>),
    /// Another failing `code`: Paynet refused.
    Refused(ResultCode),
}

/// `is_succeed` was there but is neither true nor false: the answer's
/// verdict cannot be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnreadableFlag;

impl std::fmt::Display for UnreadableFlag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("is_succeed is neither true nor false")
    }
}

impl std::error::Error for UnreadableFlag {}

/// The `is_succeed` of a decoded answer for [`rule`]: the decoded field
/// where the answer's schema declares one; otherwise looked for in `body`
/// (the raw answer), because an undocumented `is_succeed: false` must
/// never pass as a success. The generated `send()` and `paynet-ext`'s
/// mapping both read it here.
pub fn is_succeed_of<T: Verdict>(value: &T, body: &[u8]) -> Result<Option<bool>, UnreadableFlag> {
    if T::declares_is_succeed() {
        return Ok(value.is_succeed());
    }
    #[derive(serde::Deserialize, Default)]
    struct Undeclared {
        is_succeed: Option<serde_json::Value>,
    }
    let undeclared: Undeclared = serde_json::from_slice(body).unwrap_or_default();
    flag_of(undeclared.is_succeed)
}

/// An `is_succeed` read from JSON as it arrived: absent or `null` is
/// `None`; otherwise one of the forms [`Flag`](crate::wire::Flag) reads.
pub(crate) fn flag_of(value: Option<serde_json::Value>) -> Result<Option<bool>, UnreadableFlag> {
    match value {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(value) => crate::wire::Flag::deserialize(&value)
            .map(|flag| Some(flag.get()))
            .map_err(|_| UnreadableFlag),
    }
}

/// Paynet's success rule, written once: the generated `send()` and
/// `paynet-ext`'s mapping both ask it. `declares_code` is the answer
/// schema's [`Verdict::declares_code`]; `code` and `is_succeed` are what
/// the answer carried (absent or `null`: `None`).
pub fn rule(declares_code: bool, code: Option<ResultCode>, is_succeed: Option<bool>) -> Ruling {
    match (code, is_succeed) {
        (None, _) if declares_code => Ruling::NoCode,
        (None, Some(false)) => Ruling::Declined(None),
        // No code where the schema declares none: a query, whose success
        // is the answer itself.
        (None, _) => Ruling::Success,
        (Some(code), flag) if code.is_success() && flag != Some(false) => Ruling::Success,
        (Some(code), Some(true)) => Ruling::Contradicts(code),
        (Some(ResultCode::Unauthorized), _) => Ruling::Unauthorized,
        (Some(code), Some(false)) => Ruling::Declined(Some(code)),
        (Some(code), None) => Ruling::Refused(code),
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
/// `call`) knows each one's answer type and sends it the one way every
/// call is sent.
pub trait PaynetRequest: Sized + Send {
    /// The decoded 2xx answer.
    type Response: Verdict + DeserializeOwned + Send + Sync + 'static;
    /// The error body the spec documents for the non-2xx answers.
    type ErrorBody: Send + 'static;
    /// The operation's row in the operations table (generated: a reference
    /// to the row, not a search by name).
    fn operation() -> &'static Operation;

    /// A `tracing` span named after the operation, with empty `status`,
    /// `result_code` and `outcome` fields for the caller to record.
    fn span() -> tracing::Span;

    /// Builds the request and exchanges it with the server once, in one
    /// visible sequence: the builder's request, then the client's
    /// exchange (credentials, send, a bounded read of the body). Returns
    /// what came back, undecoded and unjudged: the raw material of a
    /// mapping such as `paynet-ext`'s `call`. Nothing in a [`RawExchange`]
    /// says "success".
    fn send_raw(self) -> impl Future<Output = RawExchange> + Send;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{CaptureReversalResponse, PreauthReversalResponse};

    const OK: ResultCode = ResultCode::Successful;
    const REPEAT: ResultCode = ResultCode::OldSuccessful;
    const FAIL: ResultCode = ResultCode::Unsuccessful;
    const KEY: ResultCode = ResultCode::Unauthorized;

    /// Every combination of the verdict fields, and what the one rule
    /// makes of it. A change here changes both the generated `send()` and
    /// `paynet-ext`'s mapping.
    #[test]
    fn the_success_rule() {
        let cases = [
            // (declares code, code, is_succeed) => ruling
            ((true, Some(OK), None), Ruling::Success),
            ((true, Some(OK), Some(true)), Ruling::Success),
            ((true, Some(REPEAT), None), Ruling::Success),
            ((false, None, None), Ruling::Success),
            ((false, None, Some(true)), Ruling::Success),
            // Nothing says whether it happened.
            ((true, None, None), Ruling::NoCode),
            ((true, None, Some(true)), Ruling::NoCode),
            ((true, None, Some(false)), Ruling::NoCode),
            ((true, Some(FAIL), Some(true)), Ruling::Contradicts(FAIL)),
            ((true, Some(KEY), Some(true)), Ruling::Contradicts(KEY)),
            ((true, Some(KEY), None), Ruling::Unauthorized),
            ((true, Some(KEY), Some(false)), Ruling::Unauthorized),
            ((true, Some(OK), Some(false)), Ruling::Declined(Some(OK))),
            (
                (true, Some(FAIL), Some(false)),
                Ruling::Declined(Some(FAIL)),
            ),
            ((false, None, Some(false)), Ruling::Declined(None)),
            ((true, Some(FAIL), None), Ruling::Refused(FAIL)),
            ((false, Some(FAIL), None), Ruling::Refused(FAIL)),
        ];
        for ((declares, code, flag), ruling) in cases {
            assert_eq!(
                rule(declares, code, flag),
                ruling,
                "declares code {declares}, code {code:?}, is_succeed {flag:?}"
            );
        }
    }

    #[test]
    fn is_succeed_is_read_from_the_value_or_looked_for_in_the_body() {
        // The pre-authorisation answer's schema declares no is_succeed.
        assert!(!PreauthReversalResponse::declares_is_succeed());
        let body = br#"{"code": 0, "is_succeed": false}"#;
        let preauth: PreauthReversalResponse = serde_json::from_slice(body).unwrap();
        assert_eq!(is_succeed_of(&preauth, body), Ok(Some(false)));
        assert_eq!(
            is_succeed_of(&preauth, br#"{"is_succeed": "false"}"#),
            Ok(Some(false))
        );
        assert_eq!(
            is_succeed_of(&preauth, br#"{"is_succeed": null}"#),
            Ok(None)
        );
        assert_eq!(is_succeed_of(&preauth, br#"{"code": 0}"#), Ok(None));
        assert_eq!(
            is_succeed_of(&preauth, br#"{"is_succeed": "maybe"}"#),
            Err(UnreadableFlag)
        );
        // Where the schema declares it, the decoded value decides.
        assert!(CaptureReversalResponse::declares_is_succeed());
        let capture: CaptureReversalResponse =
            serde_json::from_slice(br#"{"code": 0, "is_succeed": true}"#).unwrap();
        assert_eq!(
            is_succeed_of(&capture, br#"{"is_succeed": false}"#),
            Ok(Some(true))
        );
    }
}
