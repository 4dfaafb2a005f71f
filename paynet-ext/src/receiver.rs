//! An axum route that receives the refund decisions Paynet posts to
//! `succeedUrl` (feature `receiver`).
//!
//! It answers Paynet at once and hands each notice to the service over a
//! channel, so that no slow work runs while Paynet waits: the service
//! confirms the notice against the refund list
//! ([`crate::RefundExt::confirm_refund_notice`]) and acts afterwards.
//! Bodies are bounded; an empty, non-JSON or ill-typed body is answered
//! with a 4xx and handed to nobody, and is logged without its content.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::routing::{MethodRouter, post};
use tokio::sync::mpsc;

use crate::refund::{NoticeError, RefundNotice};

/// The largest notice body read: Paynet's notice is four short fields, so
/// 16 KiB leaves room for fields the page does not list. A larger body is
/// answered 413 unread.
pub const NOTICE_BODY_LIMIT: usize = 16 * 1024;

/// A `POST` route for `succeedUrl`: mount it where the URL points,
/// `Router::new().route("/paynet/refunds", refund_notice_route(sender))`.
///
/// | what arrives | answer | handed to `sender` |
/// | --- | --- | --- |
/// | a notice (`xact_id`, `code` as a string or a number, `status`, `message`, any other field) | 200 | yes |
/// | an empty body, or one that is not a JSON object | 400 | no |
/// | JSON of the wrong shape (no `xact_id`, a `code` that is not a number) | 422 | no |
/// | over [`NOTICE_BODY_LIMIT`] | 413 | no |
/// | the channel full or closed | 503 | no (Paynet may post again) |
///
/// A 200 means received, not approved: the POST is unsigned, so confirm
/// each notice against the refund list before acting on it.
pub fn refund_notice_route<S>(sender: mpsc::Sender<RefundNotice>) -> MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
{
    post(receive)
        .with_state(sender)
        .layer(DefaultBodyLimit::max(NOTICE_BODY_LIMIT))
}

async fn receive(
    State(sender): State<mpsc::Sender<RefundNotice>>,
    body: Bytes,
) -> (StatusCode, &'static str) {
    let notice = match RefundNotice::from_json(&body) {
        Ok(notice) => notice,
        Err(error) => {
            let status = match error {
                NoticeError::WrongShape(_) => StatusCode::UNPROCESSABLE_ENTITY,
                _ => StatusCode::BAD_REQUEST,
            };
            tracing::warn!(%error, body_bytes = body.len(), "refused a refund notice");
            return (status, "not a refund notice");
        }
    };
    match sender.try_send(notice) {
        Ok(()) => (StatusCode::OK, "received"),
        Err(error) => {
            let why = match error {
                mpsc::error::TrySendError::Full(_) => "full",
                mpsc::error::TrySendError::Closed(_) => "closed",
            };
            tracing::warn!(
                channel = why,
                "could not hand a refund notice to the service"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "not received, try again")
        }
    }
}
