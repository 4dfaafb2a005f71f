//! Re-sending a request keyed by its transaction until its outcome is
//! known: the opt-in answer to [`Error::is_outcome_unknown`].
//!
//! A reversal is keyed by the transaction's `xact_id`: the same reversal
//! sent twice cannot reverse twice, and Paynet answers the repeat of one
//! that had succeeded with result code 100 (Önceki Başarılı İşlem). So
//! after an answer that leaves the outcome unknown (no answer, a dropped
//! connection, a 5xx, an unreadable or contradictory answer), sending the
//! *same* request again is how a caller learns what happened. Which
//! operations are keyed so is data: the spec marks them with
//! `x-paynet-idempotent-by`, and the operations table carries the mark
//! ([`paynet_api::runtime::Operation::idempotent_by`]). No other operation
//! is ever sent twice.

use std::future::Future;
use std::time::Duration;

use paynet_api::KeyedByTransaction;
use tokio::time::Instant;
use tracing::Instrument;

use crate::error::Error;
use crate::mapping::{Reply, call};

/// How long, and how often, [`ResendExt::call_resending`] sends a request
/// again. The waits between attempts double from `first_wait` up to
/// `max_wait`; no attempt starts once waiting for it would pass the
/// deadline. An attempt in flight is bounded by the client's own timeout,
/// not by the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResendPolicy {
    deadline: Duration,
    first_wait: Duration,
    max_wait: Duration,
}

impl ResendPolicy {
    /// Re-send for at most `deadline` after the first attempt starts, with
    /// waits of 500 ms doubling up to 10 s. `Duration::ZERO` sends once.
    pub fn until(deadline: Duration) -> Self {
        ResendPolicy {
            deadline,
            first_wait: Duration::from_millis(500),
            max_wait: Duration::from_secs(10),
        }
    }

    /// Sets the first wait between attempts and the longest one.
    pub fn backoff(mut self, first_wait: Duration, max_wait: Duration) -> Self {
        self.first_wait = first_wait;
        self.max_wait = max_wait.max(first_wait);
        self
    }

    /// The deadline, counted from the first attempt.
    pub fn deadline(&self) -> Duration {
        self.deadline
    }
}

/// `.call_resending(policy)` on every request builder whose operation the
/// spec keys by its transaction (the capture and pre-authorisation
/// reversals): one expression, as `.call()` is.
///
/// ```no_run
/// # use std::time::Duration;
/// # use paynet_ext::{Client, Error, ResendExt, ResendPolicy};
/// # async fn demo(client: Client) -> Result<(), Error> {
/// let reversal = client
///     .capture_reversal()
///     .body_map(|b| b.xact_id("xk_..."))
///     .call_resending(ResendPolicy::until(Duration::from_secs(60)))
///     .await?;
/// if reversal.is_repeat() {
///     println!("it had been reversed already (attempt {})", reversal.attempts());
/// }
/// # Ok(()) }
/// ```
///
/// Any other operation does not compile: `.call_resending(..)` needs
/// [`KeyedByTransaction`](paynet_api::KeyedByTransaction), which the
/// generator implements only for the operations the spec marks.
///
/// ```compile_fail,E0599
/// # use std::time::Duration;
/// # use paynet_ext::{Client, Error, ResendExt, ResendPolicy};
/// # async fn demo(client: Client) -> Result<(), Error> {
/// // A SoftPOS start may act twice if sent again: refused by the compiler.
/// client
///     .init_reversal_transaction()
///     .session_key("a session key")
///     .body_map(|b| b.xact_id("enc"))
///     .call_resending(ResendPolicy::until(Duration::from_secs(60)))
///     .await?;
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0599
/// # use std::time::Duration;
/// # use paynet_ext::{Client, Error, ResendExt, ResendPolicy};
/// # async fn demo(client: Client) -> Result<(), Error> {
/// // The check is a query the spec does not mark: refused too.
/// client
///     .transaction_check()
///     .body_map(|b| b.xact_id("xk_1"))
///     .call_resending(ResendPolicy::until(Duration::from_secs(60)))
///     .await?;
/// # Ok(()) }
/// ```
///
/// ```compile_fail,E0599
/// # use std::time::Duration;
/// # use paynet_ext::{Client, Error, ResendExt, ResendPolicy};
/// # async fn demo(client: Client) -> Result<(), Error> {
/// // A refund (İade) is not keyed: partial refunds of one sale share its
/// // xact_id, and a repeat may refund twice. Refused too.
/// client
///     .reversed_request()
///     .body_map(|b| b.xact_id("xk_1"))
///     .call_resending(ResendPolicy::until(Duration::from_secs(60)))
///     .await?;
/// # Ok(()) }
/// ```
pub trait ResendExt: KeyedByTransaction + Clone {
    /// Sends the request, and while the outcome is unknown (or the
    /// connection could not be made) sends the same request again, with
    /// backoff, until a definite answer or the policy's deadline:
    ///
    /// - `Ok` with result code 0: done now; with 100
    ///   ([`Reply::is_repeat`]): done by an earlier attempt (or an earlier
    ///   call). [`Reply::attempts`] says which attempt answered.
    /// - A definite refusal ([`Error::is_refusal`]): returned as it is.
    ///   Paynet does not document how it answers the repeat of a reversal
    ///   other than with 100; any other answer is returned as it came.
    /// - The deadline reached: [`Error::Unresolved`] with the attempt count
    ///   and the last outcome.
    ///
    /// An operation the spec does not key by its transaction has no such
    /// method (see the trait). Each attempt
    /// runs in its own operation span, inside a `paynet_resend` span, and
    /// logs one event with its number and outcome.
    fn call_resending(
        self,
        policy: ResendPolicy,
    ) -> impl Future<Output = Result<Reply<Self::Response>, Error>> + Send;
}

impl<R: KeyedByTransaction + Clone> ResendExt for R {
    fn call_resending(
        self,
        policy: ResendPolicy,
    ) -> impl Future<Output = Result<Reply<Self::Response>, Error>> + Send {
        resend(self, policy)
    }
}

async fn resend<R: KeyedByTransaction + Clone>(
    request: R,
    policy: ResendPolicy,
) -> Result<Reply<R::Response>, Error> {
    let operation = R::operation();
    let key = R::KEYED_BY;
    let span = tracing::info_span!(
        "paynet_resend",
        operation = operation.id,
        keyed_by = key,
        attempts = tracing::field::Empty,
        outcome = tracing::field::Empty,
    );
    async move {
        let deadline = Instant::now() + policy.deadline;
        let mut wait = policy.first_wait;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let result = call(request.clone()).await;
            let outcome = match &result {
                Ok(reply) if reply.is_repeat() => "repeat_success",
                Ok(_) => "success",
                Err(e) => e.kind(),
            };
            tracing::info!(attempt, outcome, "paynet resend attempt");
            let span = tracing::Span::current();
            span.record("attempts", attempt);
            let error = match result {
                Ok(reply) => {
                    span.record("outcome", outcome);
                    return Ok(reply.with_attempts(attempt));
                }
                Err(e) if e.is_refusal() => {
                    span.record("outcome", outcome);
                    return Err(e);
                }
                Err(e) => e,
            };
            if Instant::now() + wait > deadline {
                span.record("outcome", "unresolved");
                return Err(Error::Unresolved {
                    attempts: attempt,
                    last: Box::new(error),
                });
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(policy.max_wait);
        }
    }
    .instrument(span)
    .await
}
