//! Refunds and cancels of a sale (İade), the decision Paynet posts later,
//! and the refund list (İade Listesi).
//!
//! İade (`POST /v1/transaction/reversed_request`) does not move money when
//! it answers: its success means Paynet **created a request**, which its
//! operations team approves or rejects later. The decision reaches the
//! merchant in two ways: Paynet posts it, unsigned, to the request's
//! `succeedUrl` ([`RefundNotice`]), and the refund list shows the request
//! ([`RefundExt::refunds`]). So the success of [`RefundExt::request_refund`]
//! is a [`PendingRefund`], never "refunded", and a notice is confirmed
//! against the list ([`RefundExt::confirm_refund_notice`]) before anything
//! is done on it.
//!
//! İade is never sent twice by this crate: partial refunds of one sale are
//! several requests with the same `xact_id`, and Paynet does not document
//! what a repeat does, so a repeat may refund twice. The spec leaves the
//! operation unkeyed, and `.call_resending(..)` does not compile for it.
//! After an unknown outcome (a timeout, a dropped connection), read the
//! refund list before anything else.
//!
//! Each helper here goes through the generic [`CallExt::call`]: the
//! answers are mapped by the same rules as every other operation.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use chrono::NaiveDate;
use futures_core::Stream;
use paynet_api::Client;
use paynet_api::types::{
    RefundDecisionNotice, RefundListResponse, RefundListRow, RefundRequestPending, XactId,
};
use paynet_api::wire::{Amount, ResultCode};
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde_json::Value;

use crate::error::Error;
use crate::mapping::{CallExt, Reply};

/// The name the refusals before sending carry, as the other operations'
/// do: the operation id.
const REFUND: &str = "reversed_request";
const LIST: &str = "reversal_list";

fn invalid(operation: &str, message: impl fmt::Display) -> Error {
    Error::InvalidRequest {
        message: format!("{operation}: {message}"),
    }
}

/// An amount in kuruş (one hundredth of a lira), as İade's `amount` takes
/// it: 10.00 TRY is `"1000"`. Made only from an exact [`Amount`], never
/// from a float, and never zero: Paynet reads `"0"` as "the whole sale".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Kurus(u64);

impl Kurus {
    /// The most this client sends: 9 999 999 999 999.99 TRY, the spec's
    /// bound for an amount (`Amount`, below 10^13 lira), as 15 digits of
    /// kuruş. The page gives the field no bound; a larger amount is surely
    /// a mistake, and is refused before sending.
    pub const MAX: u64 = 999_999_999_999_999;

    /// Converts an exact amount in lira to kuruş, without rounding.
    /// Refused, as [`Error::InvalidRequest`] naming the reason, before
    /// anything is sent: a fraction of a kuruş (10.005), zero, a negative
    /// amount, or one over [`Kurus::MAX`]. Trailing zeros are no fraction:
    /// 10.000 is 1000 kuruş.
    pub fn from_amount(amount: Amount) -> Result<Kurus, Error> {
        let lira: Decimal = amount.value();
        if lira.is_zero() {
            return Err(invalid(
                REFUND,
                "a partial refund of zero: Paynet reads an amount of 0 as the whole sale; ask for a whole refund instead (RefundAmount::Whole; from the command line, leave out --amount)",
            ));
        }
        if lira.is_sign_negative() {
            return Err(invalid(
                REFUND,
                format!("the amount {lira} is negative: give the amount to refund, above zero"),
            ));
        }
        let too_large = || {
            invalid(
                REFUND,
                format!(
                    "the amount {lira} is too large for the field (at most {} TRY)",
                    Kurus(Kurus::MAX).to_amount().value()
                ),
            )
        };
        let kurus = lira
            .checked_mul(Decimal::ONE_HUNDRED)
            .ok_or_else(too_large)?;
        if !kurus.fract().is_zero() {
            return Err(invalid(
                REFUND,
                format!(
                    "the amount {lira} has a fraction of a kuruş: Paynet takes whole kuruş (two decimal places)"
                ),
            ));
        }
        match kurus.trunc().to_u64() {
            Some(n) if n <= Kurus::MAX => Ok(Kurus(n)),
            _ => Err(too_large()),
        }
    }

    /// The number of kuruş.
    pub fn get(self) -> u64 {
        self.0
    }

    /// The same amount in lira, with two decimal places.
    pub fn to_amount(self) -> Amount {
        // MAX is below i64::MAX, so the cast keeps the value.
        Amount::new(self.0 as i64, 2)
    }
}

/// The digits Paynet's `amount` field takes: `1000` for 10.00 TRY.
impl fmt::Display for Kurus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// How much of the sale to give back. Explicit, because Paynet reads an
/// absent `amount` (or `"0"`) as the whole sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundAmount {
    /// The whole sale: a cancel (iptal) on the day of the sale, a full
    /// refund (iade) later. No `amount` is sent.
    Whole,
    /// Part of it, in kuruş; only on a later day than the sale's (Paynet
    /// refuses a partial refund on the day of the sale).
    Part(Kurus),
}

impl RefundAmount {
    /// Part of the sale, converted exactly to kuruş; see
    /// [`Kurus::from_amount`] for what is refused.
    pub fn part(amount: Amount) -> Result<RefundAmount, Error> {
        Kurus::from_amount(amount).map(RefundAmount::Part)
    }

    /// The `amount` İade sends: `None` for the whole sale.
    pub fn wire(self) -> Option<String> {
        match self {
            RefundAmount::Whole => None,
            RefundAmount::Part(kurus) => Some(kurus.to_string()),
        }
    }
}

impl fmt::Display for RefundAmount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefundAmount::Whole => f.write_str("the whole sale"),
            RefundAmount::Part(kurus) => write!(f, "{} TRY", kurus.to_amount().value()),
        }
    }
}

/// What to ask İade for: which sale, how much of it, and where Paynet
/// posts the decision.
///
/// ```
/// # use paynet_ext::{Amount, RefundAmount, RefundRequest};
/// let half = RefundRequest::part("xk_1", "10.00".parse::<Amount>()?)?
///     .succeed_url("https://shop.example/paynet/refunds");
/// assert_eq!(half.amount().wire().as_deref(), Some("1000"));
/// assert_eq!(RefundRequest::whole("xk_1").amount(), RefundAmount::Whole);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundRequest {
    xact_id: String,
    amount: RefundAmount,
    succeed_url: Option<String>,
}

impl RefundRequest {
    /// The whole sale `xact_id` (Paynet's transaction number): a cancel on
    /// the day of the sale, a full refund later.
    pub fn whole(xact_id: impl Into<String>) -> RefundRequest {
        RefundRequest {
            xact_id: xact_id.into(),
            amount: RefundAmount::Whole,
            succeed_url: None,
        }
    }

    /// Part of the sale `xact_id`, `amount` in lira (exact): refused before
    /// sending when it is zero, negative, too large or has a fraction of a
    /// kuruş ([`Kurus::from_amount`]).
    pub fn part(xact_id: impl Into<String>, amount: Amount) -> Result<RefundRequest, Error> {
        Ok(RefundRequest {
            xact_id: xact_id.into(),
            amount: RefundAmount::part(amount)?,
            succeed_url: None,
        })
    }

    /// With the amount given as a [`RefundAmount`].
    pub fn new(xact_id: impl Into<String>, amount: RefundAmount) -> RefundRequest {
        RefundRequest {
            xact_id: xact_id.into(),
            amount,
            succeed_url: None,
        }
    }

    /// Where Paynet posts the decision (`succeedUrl`): an absolute `http`
    /// or `https` URL, checked before sending. Without one, nothing is
    /// posted and the refund list is the only way to learn it.
    pub fn succeed_url(mut self, url: impl Into<String>) -> RefundRequest {
        self.succeed_url = Some(url.into());
        self
    }

    /// The sale's transaction number.
    pub fn xact_id(&self) -> &str {
        &self.xact_id
    }

    /// How much of it.
    pub fn amount(&self) -> RefundAmount {
        self.amount
    }
}

/// A refund or cancel request Paynet **accepted for review**: nothing has
/// been refunded yet. Paynet's operations team approves or rejects it
/// later; the decision comes to the request's `succeedUrl`
/// ([`RefundNotice`]) and shows in the refund list
/// ([`RefundExt::refunds`]).
#[derive(Debug, Clone)]
pub struct PendingRefund {
    xact_id: String,
    amount: RefundAmount,
    reply: Reply<RefundRequestPending>,
}

impl PendingRefund {
    /// The sale the request is for.
    pub fn xact_id(&self) -> &str {
        &self.xact_id
    }

    /// How much was asked for.
    pub fn amount(&self) -> RefundAmount {
        self.amount
    }

    /// Paynet's message (`Başarılı İşlem`: the request was created).
    pub fn message(&self) -> Option<&str> {
        self.reply.message.as_deref()
    }

    /// The mapped answer: result code, status, raw body.
    pub fn reply(&self) -> &Reply<RefundRequestPending> {
        &self.reply
    }
}

/// The calendar days a refund list covers, first and last included. Sent
/// as `yyyy-MM-dd` (`datab`, `datbi`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundDates {
    from: NaiveDate,
    to: NaiveDate,
}

impl RefundDates {
    /// From `from` to `to`, both included; a range that ends before it
    /// starts is refused ([`Error::InvalidRequest`]), nothing sent.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<RefundDates, Error> {
        if to < from {
            return Err(invalid(
                LIST,
                format!("the date range ends ({to}) before it starts ({from})"),
            ));
        }
        Ok(RefundDates { from, to })
    }

    /// One day.
    pub fn day(day: NaiveDate) -> RefundDates {
        RefundDates { from: day, to: day }
    }

    /// The first day.
    pub fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last day.
    pub fn to(&self) -> NaiveDate {
        self.to
    }
}

/// Which refund requests to list, and how to page through them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundQuery {
    dates: RefundDates,
    page_size: u32,
    max_pages: u32,
    agent_id: Option<String>,
    bank_id: Option<String>,
}

impl RefundQuery {
    /// Rows asked for per page unless [`RefundQuery::page_size`] says
    /// otherwise (Paynet's own default is 10).
    pub const PAGE_SIZE: u32 = 100;
    /// Pages read at most unless [`RefundQuery::max_pages`] says otherwise.
    pub const MAX_PAGES: u32 = 10_000;

    /// Every refund request of `dates`.
    pub fn new(dates: RefundDates) -> RefundQuery {
        RefundQuery {
            dates,
            page_size: Self::PAGE_SIZE,
            max_pages: Self::MAX_PAGES,
            agent_id: None,
            bank_id: None,
        }
    }

    /// Rows per page (`limit`), at least 1.
    pub fn page_size(mut self, rows: u32) -> RefundQuery {
        self.page_size = rows.max(1);
        self
    }

    /// A guard against an answer that never ends: after this many pages
    /// the list stops with an error rather than ask again.
    pub fn max_pages(mut self, pages: u32) -> RefundQuery {
        self.max_pages = pages.max(1);
        self
    }

    /// Only one dealer's requests (`agent_id`, bayi kodu).
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> RefundQuery {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Only one bank's (`bank_id`, banka kodu).
    pub fn bank_id(mut self, bank_id: impl Into<String>) -> RefundQuery {
        self.bank_id = Some(bank_id.into());
        self
    }

    /// The days covered.
    pub fn dates(&self) -> RefundDates {
        self.dates
    }
}

type Page = Pin<Box<dyn Future<Output = Result<Reply<RefundListResponse>, Error>> + Send>>;

/// Every row of a refund list, page by page: a [`Stream`], with an
/// inherent [`RefundRows::next`] for callers without a stream library.
///
/// The next page is asked for while Paynet says `has_more`, with
/// `starting_after` set to the rows read so far. The list stops with an
/// error (and asks nothing more) when an answer says `has_more` but brings
/// no row, or after [`RefundQuery::max_pages`] pages: an answer that never
/// ends does not make the caller loop forever. The first error ends it.
pub struct RefundRows {
    client: Client,
    query: RefundQuery,
    buffered: VecDeque<RefundListRow>,
    read: u64,
    pages: u32,
    more: bool,
    pending: Option<Page>,
}

impl fmt::Debug for RefundRows {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RefundRows")
            .field("query", &self.query)
            .field("read", &self.read)
            .field("pages", &self.pages)
            .field("more", &self.more)
            .finish_non_exhaustive()
    }
}

impl RefundRows {
    fn new(client: Client, query: RefundQuery) -> RefundRows {
        RefundRows {
            client,
            query,
            buffered: VecDeque::new(),
            read: 0,
            pages: 0,
            more: true,
            pending: None,
        }
    }

    /// The next row, `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<RefundListRow, Error>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every remaining row, or the first error.
    pub async fn collect_rows(mut self) -> Result<Vec<RefundListRow>, Error> {
        let mut rows = Vec::new();
        while let Some(row) = self.next().await {
            rows.push(row?);
        }
        Ok(rows)
    }

    fn request(&self) -> Page {
        let query = self.query.clone();
        let client = self.client.clone();
        let starting_after = (self.read > 0).then_some(self.read);
        Box::pin(async move {
            client
                .reversal_list()
                .body_map(|b| {
                    b.datab(query.dates.from)
                        .datbi(query.dates.to)
                        .limit(u64::from(query.page_size))
                        .starting_after(starting_after)
                        .agent_id(query.agent_id)
                        .bank_id(query.bank_id)
                })
                .call()
                .await
        })
    }

    fn stop(&mut self, error: Error) -> Poll<Option<Result<RefundListRow, Error>>> {
        self.more = false;
        self.buffered.clear();
        Poll::Ready(Some(Err(error)))
    }
}

impl Stream for RefundRows {
    type Item = Result<RefundListRow, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if let Some(row) = this.buffered.pop_front() {
                return Poll::Ready(Some(Ok(row)));
            }
            if !this.more {
                return Poll::Ready(None);
            }
            if this.pending.is_none() {
                if this.pages >= this.query.max_pages {
                    let pages = this.pages;
                    return this.stop(invalid(
                        LIST,
                        format!(
                            "stopped after {pages} pages with Paynet still saying has_more (RefundQuery::max_pages)"
                        ),
                    ));
                }
                this.pending = Some(this.request());
            }
            let page = this.pending.as_mut().expect("set above");
            let answer = match page.as_mut().poll(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(answer) => answer,
            };
            this.pending = None;
            this.pages += 1;
            let answer = match answer {
                Ok(reply) => reply.into_inner(),
                Err(error) => return this.stop(error),
            };
            let has_more = answer.has_more.map(|f| f.get()).unwrap_or(false);
            let rows = answer.data;
            if has_more && rows.is_empty() {
                let read = this.read;
                return this.stop(Error::Undecodable {
                    status: 200,
                    reason: format!(
                        "the refund list said has_more but sent no rows after {read} rows; stopped rather than ask for the same page forever"
                    ),
                    body: bytes::Bytes::new().into(),
                });
            }
            this.read += rows.len() as u64;
            this.more = has_more;
            this.buffered.extend(rows);
        }
    }
}

/// Paynet's decision on a refund request (İade talebinin sonucu), as it
/// posts it to `succeedUrl`.
///
/// The POST carries no signature: anyone who knows the URL can send one.
/// Treat it as a hint, and confirm it against the refund list
/// ([`RefundExt::confirm_refund_notice`]) before acting. Decoded as
/// tolerantly as answers are: `code` as a string or a number, an unknown
/// code kept as its value, fields the page does not list kept in `extra`.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RefundNotice {
    /// The refund transaction's number (iade işleminin Paynet işlem
    /// numarası): the `reversed_xact_id` of its row in the refund list.
    pub xact_id: String,
    /// The decision's code: 0 approved, 1 not approved; any other value
    /// kept as sent.
    pub code: ResultCode,
    /// The refund's state (durum), as Paynet words it.
    pub status: Option<String>,
    /// A note on the outcome.
    pub message: Option<String>,
    /// Fields the page does not list, by name, as they arrived.
    pub extra: BTreeMap<String, Value>,
}

/// What a notice says was decided. A notice's word only: see
/// [`NoticeConfirmation`] for what the refund list confirms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundDecision {
    /// Code 0: the refund or cancel request was approved (onaylandı).
    Approved,
    /// Code 1: it was not approved (onaylanmadı).
    NotApproved,
    /// A code the page does not document, kept.
    Other(ResultCode),
}

/// Why a body is not a refund notice. Each maps to a 4xx of the receiver.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NoticeError {
    /// Nothing was sent.
    #[error("the notice's body is empty")]
    Empty,
    /// The body is not JSON (or not a JSON object).
    #[error("the notice's body is not a JSON object")]
    NotJson,
    /// JSON, but not a notice: a field missing or of the wrong type.
    #[error("the notice is not Paynet's refund decision: {0}")]
    WrongShape(String),
}

impl RefundNotice {
    /// Decodes what Paynet posted. Nothing of the body is quoted in the
    /// error: it names the field and the problem.
    pub fn from_json(body: &[u8]) -> Result<RefundNotice, NoticeError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(NoticeError::Empty);
        }
        let value: Value = serde_json::from_slice(body).map_err(|_| NoticeError::NotJson)?;
        if !value.is_object() {
            return Err(NoticeError::NotJson);
        }
        let notice: RefundDecisionNotice =
            serde_path_to_error::deserialize(&value).map_err(|e| {
                let path = e.path().to_string();
                let what = if e.inner().to_string().starts_with("missing field") {
                    "missing"
                } else {
                    "of the wrong type"
                };
                if path == "." {
                    NoticeError::WrongShape(format!(
                        "a required field is {what} (xact_id and code are)"
                    ))
                } else {
                    NoticeError::WrongShape(format!("`{path}` is {what}"))
                }
            })?;
        // Every field of the generated type, by name: a field the spec
        // comes to document does not compile until it is carried over
        // (it would otherwise leave `extra` and be lost here).
        let RefundDecisionNotice {
            xact_id,
            code,
            status,
            message,
            extra,
        } = notice;
        if xact_id.trim().is_empty() {
            return Err(NoticeError::WrongShape("`xact_id` is empty".into()));
        }
        Ok(RefundNotice {
            xact_id,
            code,
            status,
            message,
            extra: extra.into_iter().collect(),
        })
    }

    /// What the notice says was decided.
    pub fn decision(&self) -> RefundDecision {
        match self.code {
            ResultCode::Successful => RefundDecision::Approved,
            ResultCode::Unsuccessful => RefundDecision::NotApproved,
            other => RefundDecision::Other(other),
        }
    }
}

/// A notice checked against the refund list, an authenticated call.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum NoticeConfirmation {
    /// The refund list, in the range asked, shows the refund the notice
    /// names (its `reversed_xact_id` or `reversed_id`). The list's
    /// documented columns do not carry the decision: what was decided is
    /// the notice's word, on a refund the list proves exists, and any
    /// field the page does not list is in `row.extra`.
    Listed {
        /// The notice.
        notice: RefundNotice,
        /// Its row in the refund list.
        row: Box<RefundListRow>,
    },
    /// The refund list does not show it: forged, or outside the dates
    /// asked. Act on nothing.
    Unconfirmed {
        /// The notice.
        notice: RefundNotice,
    },
}

impl NoticeConfirmation {
    /// True when the list shows the refund.
    pub fn is_listed(&self) -> bool {
        matches!(self, NoticeConfirmation::Listed { .. })
    }

    /// True only for a notice of approval (code 0) whose refund the list
    /// shows: an unconfirmed notice is never approved.
    pub fn is_approved(&self) -> bool {
        match self {
            NoticeConfirmation::Listed { notice, .. } => {
                notice.decision() == RefundDecision::Approved
            }
            NoticeConfirmation::Unconfirmed { .. } => false,
        }
    }

    /// The notice.
    pub fn notice(&self) -> &RefundNotice {
        match self {
            NoticeConfirmation::Listed { notice, .. }
            | NoticeConfirmation::Unconfirmed { notice } => notice,
        }
    }

    /// Its row in the refund list, when listed.
    pub fn row(&self) -> Option<&RefundListRow> {
        match self {
            NoticeConfirmation::Listed { row, .. } => Some(row),
            NoticeConfirmation::Unconfirmed { .. } => None,
        }
    }
}

/// Refunds as calls on the client: request one, list them, confirm a
/// decision.
///
/// ```no_run
/// # use paynet_ext::{Amount, Client, Error, NaiveDate, RefundDates, RefundExt, RefundQuery, RefundRequest};
/// # async fn demo(client: Client) -> Result<(), Box<dyn std::error::Error>> {
/// let pending = client
///     .request_refund(
///         RefundRequest::part("xk_...", "10.00".parse::<Amount>()?)?
///             .succeed_url("https://shop.example/paynet/refunds"),
///     )
///     .await?;
/// println!("asked for {}; Paynet will decide later", pending.amount());
///
/// let day = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
/// let mut rows = client.refunds(RefundQuery::new(RefundDates::day(day)));
/// while let Some(row) = rows.next().await {
///     let row = row?;
///     println!("{:?} refunds {:?}", row.reversed_xact_id, row.xact_id);
/// }
/// # Ok(()) }
/// ```
///
/// İade is not keyed, so it has no `.call_resending(..)` (see
/// [`crate::ResendExt`]).
pub trait RefundExt {
    /// Asks Paynet to cancel or refund a sale, once: the whole sale, or
    /// part of it in exact kuruş. Its success is a [`PendingRefund`]: a
    /// request Paynet created and will decide on later, not money given
    /// back. Refused before sending ([`Error::InvalidRequest`]): an
    /// `xact_id` that is empty or over 100 characters, a `succeedUrl`
    /// that is not an absolute http(s) URL. Never sent again on its own:
    /// after an unknown outcome ([`Error::is_outcome_unknown`]), read the
    /// refund list before anything else.
    fn request_refund(
        &self,
        request: RefundRequest,
    ) -> impl Future<Output = Result<PendingRefund, Error>> + Send;

    /// Every refund and cancel request of a date range, as a stream of
    /// typed rows read page by page ([`RefundRows`]).
    fn refunds(&self, query: RefundQuery) -> RefundRows;

    /// Checks a notice posted to `succeedUrl` against the refund list of
    /// `dates` (from the day the refund was asked for to today): the
    /// answer says whether the list shows the refund the notice names. A
    /// notice the list does not show is [`NoticeConfirmation::Unconfirmed`],
    /// never approved.
    fn confirm_refund_notice(
        &self,
        notice: &RefundNotice,
        dates: RefundDates,
    ) -> impl Future<Output = Result<NoticeConfirmation, Error>> + Send;
}

impl RefundExt for Client {
    async fn request_refund(&self, request: RefundRequest) -> Result<PendingRefund, Error> {
        let xact_id = XactId::try_from(request.xact_id.clone())
            .map_err(|e| invalid(REFUND, format!("the xact_id is not valid: {e}")))?;
        if let Some(url) = &request.succeed_url {
            match url::Url::parse(url) {
                Ok(parsed) if matches!(parsed.scheme(), "http" | "https") => {}
                _ => {
                    return Err(invalid(
                        REFUND,
                        "the succeedUrl is not an absolute http or https URL",
                    ));
                }
            }
        }
        let amount = request.amount.wire();
        let succeed_url = request.succeed_url.clone();
        let reply = self
            .reversed_request()
            .body_map(|b| b.xact_id(xact_id).amount(amount).succeed_url(succeed_url))
            .call()
            .await?;
        Ok(PendingRefund {
            xact_id: request.xact_id,
            amount: request.amount,
            reply,
        })
    }

    fn refunds(&self, query: RefundQuery) -> RefundRows {
        RefundRows::new(self.clone(), query)
    }

    async fn confirm_refund_notice(
        &self,
        notice: &RefundNotice,
        dates: RefundDates,
    ) -> Result<NoticeConfirmation, Error> {
        let mut rows = self.refunds(RefundQuery::new(dates));
        while let Some(row) = rows.next().await {
            let row = row?;
            let names = |field: &Option<String>| field.as_deref() == Some(notice.xact_id.as_str());
            if names(&row.reversed_xact_id) || names(&row.reversed_id) {
                return Ok(NoticeConfirmation::Listed {
                    notice: notice.clone(),
                    row: Box::new(row),
                });
            }
        }
        Ok(NoticeConfirmation::Unconfirmed {
            notice: notice.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kurus(text: &str) -> Result<Kurus, Error> {
        Kurus::from_amount(text.parse().unwrap())
    }

    #[test]
    fn ten_lira_is_a_thousand_kurus() {
        assert_eq!(kurus("10.00").unwrap().to_string(), "1000");
        assert_eq!(kurus("10.000").unwrap().to_string(), "1000");
        assert_eq!(kurus("0.01").unwrap().get(), 1);
        assert_eq!(kurus("9999999999999.99").unwrap().get(), Kurus::MAX);
    }

    #[test]
    fn refusals_name_their_reason() {
        let reason = |text: &str| kurus(text).unwrap_err().to_string();
        assert!(
            reason("10.005").contains("fraction of a kuruş"),
            "{}",
            reason("10.005")
        );
        assert!(reason("0").contains("zero"));
        assert!(reason("0.00").contains("zero"));
        assert!(reason("-1.00").contains("negative"));
        assert!(reason("10000000000000").contains("too large"));
        assert!(reason("79228162514264337593543950335").contains("too large"));
    }

    #[test]
    fn a_range_ending_before_it_starts_is_refused() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d).unwrap();
        assert!(RefundDates::new(day(1), day(1)).is_ok());
        let error = RefundDates::new(day(2), day(1)).unwrap_err();
        assert!(matches!(error, Error::InvalidRequest { .. }));
        assert!(
            error
                .to_string()
                .contains("ends (2026-12-01) before it starts (2026-12-02)")
        );
    }

    #[test]
    fn notices_decode_tolerantly_and_refuse_what_is_not_one() {
        let notice = RefundNotice::from_json(
            br#"{"xact_id":"xk_r1","code":"0","status":"approved","message":"ok","reversed_amount":"10.00"}"#,
        )
        .unwrap();
        assert_eq!(notice.decision(), RefundDecision::Approved);
        assert_eq!(notice.extra["reversed_amount"], "10.00");
        let number = RefundNotice::from_json(br#"{"xact_id":"xk_r1","code":1}"#).unwrap();
        assert_eq!(number.decision(), RefundDecision::NotApproved);
        let unknown = RefundNotice::from_json(br#"{"xact_id":"xk_r1","code":42}"#).unwrap();
        assert_eq!(
            unknown.decision(),
            RefundDecision::Other(ResultCode::from_code(42))
        );
        assert_eq!(RefundNotice::from_json(b" "), Err(NoticeError::Empty));
        assert_eq!(
            RefundNotice::from_json(b"xact_id=1"),
            Err(NoticeError::NotJson)
        );
        assert_eq!(RefundNotice::from_json(b"[1]"), Err(NoticeError::NotJson));
        assert!(matches!(
            RefundNotice::from_json(br#"{"xact_id":7,"code":0}"#),
            Err(NoticeError::WrongShape(m)) if m.contains("xact_id")
        ));
        assert!(matches!(
            RefundNotice::from_json(br#"{"xact_id":"x","code":"yes"}"#),
            Err(NoticeError::WrongShape(m)) if m.contains("code")
        ));
        assert!(matches!(
            RefundNotice::from_json(br#"{"code":0}"#),
            Err(NoticeError::WrongShape(_))
        ));
    }
}
