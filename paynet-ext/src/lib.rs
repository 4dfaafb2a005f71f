//! What a Rust service needs to move money through Paynet: credentials,
//! environments, and one error type for Paynet's result codes, bank
//! declines and error bodies, on top of the generated `paynet-api` client.
//!
//! ```no_run
//! use paynet_ext::{CallExt, ClientBuilder, Environment, SecretKey};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ClientBuilder::new(Environment::Sandbox)
//!     .secret_key(SecretKey::from_env()?)
//!     .build()?;
//! match client.capture_reversal().body_map(|b| b.xact_id("xk_...")).call().await {
//!     Ok(reversal) => println!("reversed {:?} TRY", reversal.amount),
//!     Err(e) if e.is_outcome_unknown() => println!("check the transaction first: {e}"),
//!     Err(e) => println!("not reversed: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Everything here is generic over the operations `cargo xtask generate`
//! produced: which operation gets the merchant secret key is read from the
//! spec's security requirements, and [`CallExt::call`] maps any operation's
//! answer by the same rules. A new endpoint added to `spec/` works without a
//! change to this crate.
//!
//! The generated builders' own `send()` is there too; it fails closed (a
//! decline is an `Err`), but keeps neither the raw body nor the reasons:
//! use `.call()`.
//!
//! TLS: one of the features `rustls-aws-lc` (the default), `rustls-ring` or
//! `native-tls` chooses the stack; the README's "Choosing a TLS stack" says
//! what each costs.
#![deny(missing_docs)]

#[cfg(not(any(
    feature = "rustls-aws-lc",
    feature = "rustls-ring",
    feature = "native-tls"
)))]
compile_error!(
    "paynet-ext needs a TLS stack to reach Paynet: enable one of its features `rustls-aws-lc` (the default), `rustls-ring` or `native-tls`"
);

mod check;
mod credentials;
mod environment;
mod error;
mod mapping;
#[cfg(feature = "receiver")]
mod receiver;
mod refund;
mod resend;
mod session;

pub use check::{CheckExt, TransactionRef};
/// A calendar date, as the refund list's range takes it; and the date and
/// time, and the UTC offset, that [`LocalDateTime::local`] and
/// [`LocalDateTime::offset`] give: re-exported so that no dependency of
/// your own is needed.
pub use chrono::{FixedOffset, NaiveDate, NaiveDateTime};
pub use credentials::{SecretKey, SessionKey};
pub use environment::{ClientBuilder, ConfigError, Environment};
pub use error::{
    Body, DeclineReason, DecodedResponse, Error, ErrorAnswer, ErrorType, SNIPPET_BYTES,
    UndecodedField,
};
pub use mapping::{CallExt, Reply, call, map_body};
/// The generated client crate, for its raw `send()` (whose error type is
/// `paynet_ext::api::Error`) and anything else `paynet-ext` does not name.
pub use paynet_api as api;
pub use paynet_api::runtime::Verdict;
pub use paynet_api::wire::{Amount, Code, Flag, LocalDateTime, ResultCode, SecretText, Text};
pub use paynet_api::{Client, KeyedByTransaction, PaynetRequest, types};
#[cfg(feature = "receiver")]
pub use receiver::{NOTICE_BODY_LIMIT, refund_notice_route};
pub use refund::{
    Kurus, NoticeConfirmation, NoticeError, PendingRefund, RefundAmount, RefundDates,
    RefundDecision, RefundExt, RefundNotice, RefundQuery, RefundRequest, RefundRows,
};
pub use resend::{ResendExt, ResendPolicy};
/// The decimal type behind [`Amount`], re-exported so that reading or
/// building an amount needs no dependency of your own.
pub use rust_decimal::Decimal;
pub use session::{PAYNET_MOBILE, SessionKeyExt};

/// `use paynet_ext::prelude::*;` brings `.call()`, `.call_resending(..)`,
/// `.obtain_session_key(..)`, the check and the refunds into scope.
pub mod prelude {
    pub use crate::{CallExt, CheckExt, RefundExt, ResendExt, SessionKeyExt};
}
