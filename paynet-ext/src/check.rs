//! The transaction check (Ödeme Kontrol): what Paynet says about one
//! transaction, by its `xact_id` or by the `reference_no` sent with the
//! payment.

use std::future::Future;

use paynet_api::Client;
use paynet_api::types::{TransactionCheckResponse, XactId};

use crate::error::Error;
use crate::mapping::{CallExt, Reply};

/// Which transaction a check asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum TransactionRef {
    /// Paynet's transaction id (`xk_...`).
    XactId(String),
    /// The reference number the merchant sent with the payment.
    ReferenceNo(String),
}

/// `client.check_transaction(..)`: the transaction check as one call.
///
/// ```no_run
/// # use paynet_ext::{CheckExt, Client, Error, TransactionRef};
/// # async fn demo(client: Client) -> Result<(), Error> {
/// let answer = client
///     .check_transaction(TransactionRef::XactId("xk_...".into()))
///     .await?;
/// for row in &answer.data {
///     println!("{:?} {:?} succeeded: {:?}", row.xact_id, row.amount, row.is_succeed);
/// }
/// # Ok(()) }
/// ```
pub trait CheckExt {
    /// Asks Paynet for the summary of one transaction and returns its
    /// answer as it came, typed: the rows of `Data` (`transaction_type` 1
    /// sale, 2 pre-authorisation; `is_succeed`; the amounts; the bank's
    /// codes). The answer carries no result code: HTTP 200 with a readable
    /// body is the success, and [`Reply::code`] is `None`. Paynet does not
    /// document how a reversal shows in it, so nothing here reads one into
    /// it. An unknown transaction is an error (Paynet's `no_data_error`).
    ///
    /// The same as `client.transaction_check().body_map(..).call()`, with
    /// the id checked against the spec's `XactId` first
    /// ([`Error::InvalidRequest`], nothing sent, when it is empty or over
    /// 100 characters).
    fn check_transaction(
        &self,
        which: TransactionRef,
    ) -> impl Future<Output = Result<Reply<TransactionCheckResponse>, Error>> + Send;
}

impl CheckExt for Client {
    async fn check_transaction(
        &self,
        which: TransactionRef,
    ) -> Result<Reply<TransactionCheckResponse>, Error> {
        let request = self.transaction_check();
        match which {
            TransactionRef::XactId(id) => {
                let id = XactId::try_from(id).map_err(|e| Error::InvalidRequest {
                    message: format!("transaction_check: the xact_id is not valid: {e}"),
                })?;
                request.body_map(|b| b.xact_id(id)).call().await
            }
            TransactionRef::ReferenceNo(reference) => {
                request.body_map(|b| b.reference_no(reference)).call().await
            }
        }
    }
}
