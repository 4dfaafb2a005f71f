//! The refund and cancel requests (İade) a simulator keeps, Paynet's rules
//! for them, and how each is decided: after a delay or by a test's
//! command, the decision then posted to its `succeedUrl`. The requests'
//! HTTP side (İade and İade Listesi) is in `refunds.rs`.
//!
//! The rules follow Paynet's page: the sale's date decides. On the day of
//! the sale only the whole sale is cancelled; a sale of an earlier day is
//! refunded whole or in part; a partial refund on the day of the sale is
//! refused, and so is one larger than what remains. The page does not say
//! which result codes Paynet uses for those refusals; this simulator's
//! choices are assumptions (see [`RefundRefusal`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use paynet_api::wire::ResultCode;
use rust_decimal::Decimal;
use serde_json::json;

use crate::store::{Kind, Transaction};

/// The refund requests, the numbers they get, and how they are decided:
/// shared with the tasks that decide them later.
#[derive(Debug)]
pub(crate) struct RefundDesk {
    pub(crate) book: RefundBook,
    numbers: AtomicU64,
    decision_delay: Option<Duration>,
    notice_timeout: Duration,
}

impl RefundDesk {
    pub(crate) fn new(decision_delay: Option<Duration>, notice_timeout: Duration) -> RefundDesk {
        RefundDesk {
            book: RefundBook::default(),
            numbers: AtomicU64::new(0),
            decision_delay,
            notice_timeout,
        }
    }

    /// The number of the next request.
    pub(crate) fn next_number(&self) -> u64 {
        self.numbers.fetch_add(1, Ordering::Relaxed) + 1
    }
}

/// Where a refund request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RefundStatus {
    /// Waiting for Paynet's decision.
    Pending,
    /// Approved: the money goes back.
    Approved,
    /// Not approved: nothing is refunded, and its amount is free again.
    Rejected,
}

impl RefundStatus {
    pub(crate) fn wire(self) -> &'static str {
        match self {
            RefundStatus::Pending => "Beklemede",
            RefundStatus::Approved => "Onaylandı",
            RefundStatus::Rejected => "Onaylanmadı",
        }
    }
}

/// What became of the POST of a decision to `succeedUrl`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum NoticeDelivery {
    /// The request had no `succeedUrl`: nothing was posted.
    NoUrl,
    /// Posted; the receiver answered this HTTP status.
    Answered(u16),
    /// The POST failed or timed out (logged); the request still shows in
    /// the refund list.
    Failed(String),
}

/// One refund or cancel request, as the simulator holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RefundRecord {
    /// The refund's own number (`reversed_xact_id`; the `xact_id` of the
    /// decision posted to `succeedUrl`).
    pub refund_xact_id: String,
    /// Its plain number (`reversed_id`).
    pub reversed_id: String,
    /// The sale it refunds.
    pub sale_xact_id: String,
    /// How much, in kuruş.
    pub kurus: u64,
    /// True for a cancel (iptal): the whole sale on the day of the sale.
    pub cancel: bool,
    /// The day the sale was made.
    pub sale_date: NaiveDate,
    /// The day the request was made (Turkish time).
    pub entry_date: NaiveDate,
    /// Where it stands.
    pub status: RefundStatus,
    /// Where the decision is posted.
    pub succeed_url: Option<String>,
    /// What became of that POST, once made.
    pub delivery: Option<NoticeDelivery>,
}

/// Why İade refused a request. Codes the page does not name are this
/// simulator's assumptions, chosen from Paynet's table of result codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefundRefusal {
    /// A partial refund on the day of the sale: result code 11
    /// (bad_request), an assumption.
    PartialOnSaleDay,
    /// More than what remains of the sale: result code 11 (bad_request),
    /// an assumption.
    MoreThanRemains,
    /// Nothing remains (refunded or cancelled in full, or reversed):
    /// result code 5 (duplicate_data), an assumption, the code the
    /// simulator's SoftPOS start gives a reversed transaction.
    NothingRemains,
    /// Not a sale (a pre-authorisation): result code 19
    /// (wrong_transaction_type), as the reversals answer.
    NotASale,
}

impl RefundRefusal {
    pub(crate) fn code(self) -> ResultCode {
        match self {
            RefundRefusal::PartialOnSaleDay | RefundRefusal::MoreThanRemains => {
                ResultCode::BadRequest
            }
            RefundRefusal::NothingRemains => ResultCode::DuplicateData,
            RefundRefusal::NotASale => ResultCode::WrongTransactionType,
        }
    }

    pub(crate) fn message(self) -> &'static str {
        match self {
            RefundRefusal::PartialOnSaleDay => {
                "İşlemle aynı gün kısmi iade yapılamaz (no partial refund on the day of the sale)"
            }
            RefundRefusal::MoreThanRemains => {
                "İade tutarı işlemin kalan tutarından büyük (more than remains of the sale)"
            }
            RefundRefusal::NothingRemains => {
                "İşlemin tamamı iade ya da iptal edilmiş (nothing remains to refund)"
            }
            RefundRefusal::NotASale => {
                "İşlem bir satış değil (not a sale: a pre-authorisation is cancelled with preauth_reversal)"
            }
        }
    }
}

/// The refund requests, under one lock: checking what remains and adding
/// a request are one step, so concurrent partial refunds of one sale never
/// add up to more than the sale.
#[derive(Debug, Default)]
pub struct RefundBook {
    records: Mutex<Vec<RefundRecord>>,
}

/// Today in Turkey (UTC+3), the day Paynet's rules count in.
pub fn turkish_today() -> NaiveDate {
    (chrono::Utc::now() + chrono::Duration::hours(3)).date_naive()
}

fn kurus_of(lira: Decimal) -> u64 {
    use rust_decimal::prelude::ToPrimitive;
    (lira * Decimal::ONE_HUNDRED).trunc().to_u64().unwrap_or(0)
}

pub(crate) fn lira(kurus: u64) -> Decimal {
    Decimal::new(kurus as i64, 2)
}

impl RefundBook {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<RefundRecord>> {
        self.records
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Applies the page's rules and, when they allow, adds a pending
    /// request. `kurus` is `None` (or 0) for the whole sale.
    pub fn request(
        &self,
        sale: &Transaction,
        kurus: Option<u64>,
        succeed_url: Option<String>,
        today: NaiveDate,
        number: u64,
    ) -> Result<RefundRecord, RefundRefusal> {
        if sale.kind != Kind::Captured {
            return Err(RefundRefusal::NotASale);
        }
        let sale_date = sale.date.unwrap_or(today);
        let same_day = sale_date >= today;
        let partial = kurus.filter(|k| *k > 0);
        if same_day && partial.is_some() {
            return Err(RefundRefusal::PartialOnSaleDay);
        }
        let mut records = self.lock();
        let taken = taken(&records, &sale.xact_id);
        let remaining = if sale.reversed {
            0
        } else {
            kurus_of(sale.amount).saturating_sub(taken)
        };
        if remaining == 0 {
            return Err(RefundRefusal::NothingRemains);
        }
        let amount = match partial {
            Some(k) if k > remaining => return Err(RefundRefusal::MoreThanRemains),
            Some(k) => k,
            None => remaining,
        };
        let record = RefundRecord {
            refund_xact_id: format!("xk_mock_refund_{number:06}"),
            reversed_id: format!("{}", 9_000_000 + number),
            sale_xact_id: sale.xact_id.clone(),
            kurus: amount,
            cancel: same_day,
            sale_date,
            entry_date: today,
            status: RefundStatus::Pending,
            succeed_url,
            delivery: None,
        };
        records.push(record.clone());
        Ok(record)
    }

    /// Decides a pending request; `None` when there is no such request or
    /// it was decided already.
    pub fn decide(&self, refund_xact_id: &str, approve: bool) -> Option<RefundRecord> {
        let mut records = self.lock();
        let record = records
            .iter_mut()
            .find(|r| r.refund_xact_id == refund_xact_id && r.status == RefundStatus::Pending)?;
        record.status = if approve {
            RefundStatus::Approved
        } else {
            RefundStatus::Rejected
        };
        Some(record.clone())
    }

    fn delivered(&self, refund_xact_id: &str, delivery: NoticeDelivery) {
        if let Some(record) = self
            .lock()
            .iter_mut()
            .find(|r| r.refund_xact_id == refund_xact_id)
        {
            record.delivery = Some(delivery);
        }
    }

    /// Every request, in the order they were made.
    pub fn all(&self) -> Vec<RefundRecord> {
        self.lock().clone()
    }

    /// The sum of a sale's requests that were not rejected, in kuruş.
    pub fn requested(&self, sale_xact_id: &str) -> u64 {
        taken(&self.lock(), sale_xact_id)
    }
}

/// The kuruş of a sale that its requests not rejected have taken.
fn taken(records: &[RefundRecord], sale_xact_id: &str) -> u64 {
    records
        .iter()
        .filter(|r| r.sale_xact_id == sale_xact_id && r.status != RefundStatus::Rejected)
        .map(|r| r.kurus)
        .sum()
}

/// Approves `record` after the configured delay, if one is set.
pub(crate) fn schedule(desk: &Arc<RefundDesk>, record: &RefundRecord) {
    if let Some(delay) = desk.decision_delay {
        let desk = desk.clone();
        let id = record.refund_xact_id.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            decide(&desk, &id, true).await;
        });
    }
}

/// Decides a pending request and posts the decision to its `succeedUrl`;
/// `None` when there is no pending request of that number.
pub(crate) async fn decide(
    desk: &RefundDesk,
    refund_xact_id: &str,
    approve: bool,
) -> Option<NoticeDelivery> {
    let record = desk.book.decide(refund_xact_id, approve)?;
    let delivery = match &record.succeed_url {
        None => NoticeDelivery::NoUrl,
        Some(url) => post_notice(url, &record, desk.notice_timeout).await,
    };
    desk.book.delivered(refund_xact_id, delivery.clone());
    Some(delivery)
}

async fn post_notice(url: &str, record: &RefundRecord, timeout: Duration) -> NoticeDelivery {
    let approved = record.status == RefundStatus::Approved;
    let notice = json!({
        "xact_id": record.refund_xact_id,
        "code": if approved { "0" } else { "1" },
        "status": record.status.wire(),
        "message": if approved {
            "İade talebi onaylandı"
        } else {
            "İade talebi onaylanmadı"
        },
    });
    let client = match reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
    {
        Ok(client) => client,
        Err(e) => return NoticeDelivery::Failed(e.to_string()),
    };
    match client.post(url).json(&notice).send().await {
        Ok(response) => {
            let status = response.status().as_u16();
            if !response.status().is_success() {
                tracing::warn!(
                    refund = record.refund_xact_id,
                    status,
                    "the succeedUrl refused the refund decision"
                );
            }
            NoticeDelivery::Answered(status)
        }
        Err(e) => {
            let why = if e.is_timeout() {
                "timed out".to_string()
            } else {
                e.to_string()
            };
            tracing::warn!(
                refund = record.refund_xact_id,
                error = %why,
                "could not post the refund decision to succeedUrl; the request stays in the refund list"
            );
            NoticeDelivery::Failed(why)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sale(amount: &str, date: Option<NaiveDate>) -> Transaction {
        let mut t = Transaction::captured("xk_sale_0000001");
        t.amount = amount.parse().unwrap();
        t.date = date;
        t
    }

    #[test]
    fn the_pages_rules() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        let yesterday = today.pred_opt().unwrap();
        let book = RefundBook::default();
        let same_day = sale("20.00", None);
        assert_eq!(
            book.request(&same_day, Some(1000), None, today, 1),
            Err(RefundRefusal::PartialOnSaleDay)
        );
        let cancel = book.request(&same_day, Some(0), None, today, 2).unwrap();
        assert!(cancel.cancel);
        assert_eq!(cancel.kurus, 2000);
        assert_eq!(
            book.request(&same_day, None, None, today, 3),
            Err(RefundRefusal::NothingRemains)
        );

        let older = Transaction {
            xact_id: "xk_sale_0000002".into(),
            ..sale("20.00", Some(yesterday))
        };
        let half = book.request(&older, Some(1000), None, today, 4).unwrap();
        assert!(!half.cancel);
        assert_eq!(
            book.request(&older, Some(1001), None, today, 5),
            Err(RefundRefusal::MoreThanRemains)
        );
        book.decide(&half.refund_xact_id, false).unwrap();
        assert!(
            book.decide(&half.refund_xact_id, true).is_none(),
            "decided once"
        );
        let rest = book.request(&older, None, None, today, 6).unwrap();
        assert_eq!(rest.kurus, 2000, "a rejected request frees its amount");
        assert_eq!(book.requested(&older.xact_id), 2000);

        let preauth = Transaction::preauthorized("xk_pre_000000001");
        assert_eq!(
            book.request(&preauth, None, None, today, 7),
            Err(RefundRefusal::NotASale)
        );
    }
}
