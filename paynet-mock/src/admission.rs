//! Admission: what a request must be before any operation answers it (the
//! credential, the required headers, a body that arrives in full, is JSON
//! and matches the spec's schema), and the one [`Rejection`] type that says
//! why not, in the error style of the operation's own page.

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http_body_util::{BodyExt, LengthLimitError, Limited};
use serde_json::Value;

use paynet_api::wire::ResultCode;

use crate::reply;
use crate::session_keys::SessionRefusal;
use crate::spec::{ErrorStyle, SecurityScheme, SpecOperation};
use crate::state::State;

/// Why a request is not answered by its operation.
#[derive(Debug)]
pub(crate) enum Rejection {
    /// No operation has this path: 404, classic body.
    NoSuchPath(String),
    /// The path exists, the method does not: 405 with `Allow`.
    MethodNotAllowed {
        method: Method,
        path: String,
        allowed: String,
    },
    /// The credential the operation needs was presented, and is wrong: the
    /// classic 401 "API anahtarınız yanlış"; a page in the SoftPOS style
    /// documents only its 400 body, so it gets that with result code 7.
    WrongCredential { style: ErrorStyle },
    /// The credential the operation needs is missing: answered as a wrong
    /// one, in the operation's own style.
    MissingCredential { style: ErrorStyle, header: String },
    /// The `Session-Key` is missing, unknown or expired: 400 with result
    /// code 7 (SoftPOS has no 401).
    SessionKey {
        style: ErrorStyle,
        header: String,
        refusal: SessionRefusal,
    },
    /// Another required header is missing: 400 with result code 11.
    MissingHeader { style: ErrorStyle, header: String },
    /// The body could not be read (too large 413, broken 400, too slow
    /// 408); the connection is closed after the answer.
    UnreadableBody {
        style: ErrorStyle,
        status: StatusCode,
        message: String,
    },
    /// The body is not JSON or breaks the spec's schema: 400, result code 11.
    InvalidBody { style: ErrorStyle, message: String },
}

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let invalid = |style, status, message: &str| {
            reply::error(
                style,
                status,
                "invalid_request_error",
                ResultCode::BadRequest,
                message,
            )
        };
        let unauthorized = |style, status, message: &str| {
            reply::error(
                style,
                status,
                "authorization_error",
                ResultCode::Unauthorized,
                message,
            )
        };
        match self {
            Rejection::NoSuchPath(path) => invalid(
                ErrorStyle::Classic,
                StatusCode::NOT_FOUND,
                &format!("no such path: {path}"),
            ),
            Rejection::MethodNotAllowed {
                method,
                path,
                allowed,
            } => {
                let mut response = invalid(
                    ErrorStyle::Classic,
                    StatusCode::METHOD_NOT_ALLOWED,
                    &format!("{method} is not allowed on {path}; use {allowed}"),
                );
                if let Ok(value) = HeaderValue::from_str(&allowed) {
                    response.headers_mut().insert(header::ALLOW, value);
                }
                response
            }
            Rejection::WrongCredential {
                style: ErrorStyle::Classic,
            }
            | Rejection::MissingCredential {
                style: ErrorStyle::Classic,
                ..
            } => unauthorized(
                ErrorStyle::Classic,
                StatusCode::UNAUTHORIZED,
                "API anahtarınız yanlış",
            ),
            Rejection::WrongCredential {
                style: style @ ErrorStyle::SoftPos,
            } => unauthorized(
                style,
                StatusCode::BAD_REQUEST,
                "API anahtarınız yanlış (wrong API key)",
            ),
            Rejection::MissingCredential {
                style: style @ ErrorStyle::SoftPos,
                header,
            } => unauthorized(
                style,
                StatusCode::BAD_REQUEST,
                &format!("eksik {header} başlığı (missing {header} header)"),
            ),
            Rejection::SessionKey {
                style,
                header,
                refusal,
            } => unauthorized(
                style,
                StatusCode::BAD_REQUEST,
                &match refusal {
                    SessionRefusal::Expired => {
                        "oturum anahtarının süresi dolmuş (the session key has expired)".to_string()
                    }
                    SessionRefusal::Unknown => format!(
                        "geçersiz veya eksik {header} başlığı (missing or invalid {header} header)"
                    ),
                },
            ),
            Rejection::MissingHeader { style, header } => invalid(
                style,
                StatusCode::BAD_REQUEST,
                &format!("eksik {header} başlığı (missing {header} header)"),
            ),
            Rejection::UnreadableBody {
                style,
                status,
                message,
            } => reply::closing(invalid(style, status, &message)),
            Rejection::InvalidBody { style, message } => {
                invalid(style, StatusCode::BAD_REQUEST, &message)
            }
        }
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

/// The credential check: `Ok` when one alternative of the operation's
/// security requirement is presented in full.
fn credential(state: &State, op: &SpecOperation, headers: &HeaderMap) -> Result<(), Rejection> {
    if op.admits(|scheme| presents(state, headers, scheme)) {
        return Ok(());
    }
    // Nothing of any alternative was sent: the credential is missing.
    let sent_any = op
        .security
        .iter()
        .flatten()
        .any(|scheme| headers.contains_key(scheme.header.as_str()));
    if sent_any {
        return Err(Rejection::WrongCredential {
            style: op.error_style,
        });
    }
    let header = op
        .security
        .first()
        .and_then(|all| all.first())
        .map_or_else(String::new, |scheme| scheme.header.clone());
    Err(Rejection::MissingCredential {
        style: op.error_style,
        header,
    })
}

/// The required headers: the session key is a credential, refused as one
/// (result code 7); any other that is missing is a bad request (11). A
/// header that is there passes with any value, as the spec's schema for
/// each (a plain string) allows, an empty one included.
fn required_headers(
    state: &State,
    op: &SpecOperation,
    headers: &HeaderMap,
) -> Result<(), Rejection> {
    for name in &op.required_headers {
        let value = headers.get(name.as_str()).and_then(|v| v.to_str().ok());
        if name == paynet_api::headers::SESSION_KEY {
            state
                .session_keys
                .check(value)
                .map_err(|refusal| Rejection::SessionKey {
                    style: op.error_style,
                    header: name.clone(),
                    refusal,
                })?;
        } else if !headers.contains_key(name.as_str()) {
            return Err(Rejection::MissingHeader {
                style: op.error_style,
                header: name.clone(),
            });
        }
    }
    Ok(())
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

fn truncate(text: &mut String, max: usize) {
    if text.len() > max {
        let mut cut = max;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
    }
}

/// The request's JSON body once the credential, the required headers, the
/// size, the syntax and the spec's schema are satisfied.
pub(crate) async fn admit(
    state: &State,
    op: &SpecOperation,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, Rejection> {
    credential(state, op, headers)?;
    required_headers(state, op, headers)?;
    let style = op.error_style;
    let bytes = read_body(state, headers, body)
        .await
        .map_err(|(status, message)| Rejection::UnreadableBody {
            style,
            status,
            message,
        })?;
    let json: Value = serde_json::from_slice(&bytes).map_err(|e| Rejection::InvalidBody {
        style,
        message: format!("the body is not JSON: {e}"),
    })?;
    let problems = op.body_errors(&json);
    if !problems.is_empty() {
        let mut message = format!("the body does not match the spec: {}", problems.join("; "));
        truncate(&mut message, 500);
        return Err(Rejection::InvalidBody { style, message });
    }
    Ok(json)
}
