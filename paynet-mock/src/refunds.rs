//! Refunds and cancels of a sale (İade) and the refund list (İade
//! Listesi): requests that wait for a decision, the decision posted to
//! `succeedUrl`, and the list that pages through them.
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

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use paynet_api::wire::ResultCode;
use rust_decimal::Decimal;
use serde_json::{Value, json};

use crate::reply::{self, error, money};
use crate::spec::{ErrorStyle, SpecOperation};
use crate::state::State;
use crate::store::{Kind, Transaction};
use crate::triggers::Trigger;

fn json_response(status: StatusCode, body: &Value) -> Response {
    reply::json(status, body)
}

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
    fn wire(self) -> &'static str {
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
    fn code(self) -> ResultCode {
        match self {
            RefundRefusal::PartialOnSaleDay | RefundRefusal::MoreThanRemains => {
                ResultCode::BadRequest
            }
            RefundRefusal::NothingRemains => ResultCode::DuplicateData,
            RefundRefusal::NotASale => ResultCode::WrongTransactionType,
        }
    }

    fn message(self) -> &'static str {
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

fn lira(kurus: u64) -> Decimal {
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
        let taken: u64 = records
            .iter()
            .filter(|r| r.sale_xact_id == sale.xact_id && r.status != RefundStatus::Rejected)
            .map(|r| r.kurus)
            .sum();
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
        self.lock()
            .iter()
            .filter(|r| r.sale_xact_id == sale_xact_id && r.status != RefundStatus::Rejected)
            .map(|r| r.kurus)
            .sum()
    }
}

/// The answer of a request created: pending, as the page's example.
pub fn pending_body() -> Value {
    json!({
        "object_name": "transaction_reversed_request",
        "message": "Başarılı İşlem",
        "code": ResultCode::Successful,
    })
}

fn bad_request(op: &SpecOperation, message: &str) -> Response {
    error(
        op.error_style,
        StatusCode::BAD_REQUEST,
        "invalid_request_error",
        ResultCode::BadRequest,
        message,
    )
}

/// İade.
pub(crate) async fn request(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let xact_id = text("xact_id").unwrap_or_default();
    if let Some(trigger) = Trigger::scenario(xact_id) {
        let classic = op.error_style == ErrorStyle::Classic;
        return trigger
            .answer(pending_body(), classic, state.slow_delay)
            .await;
    }
    let kurus = match text("amount") {
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 15 => {
            digits.parse::<u64>().ok()
        }
        Some(_) => {
            return bad_request(
                op,
                "amount must be kuruş as a string of digits (\"1000\" for 10.00 TL)",
            );
        }
    };
    let Some(sale) = state.store.get(xact_id) else {
        return error(
            op.error_style,
            StatusCode::NOT_FOUND,
            "no_data_error",
            ResultCode::NoData,
            "İşlem bulunamadı (transaction not found)",
        );
    };
    let succeed_url = text("succeedUrl")
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    let desk = &state.refunds;
    let number = desk.numbers.fetch_add(1, Ordering::Relaxed) + 1;
    match desk
        .book
        .request(&sale, kurus, succeed_url, turkish_today(), number)
    {
        Ok(record) => {
            schedule(desk, &record);
            let body = pending_body();
            // State triggers: the request is made, then its answer is
            // lost or late.
            match Trigger::find(xact_id) {
                Some(trigger) if trigger.acts_on_state() => {
                    trigger.after_reversal(&body, state.slow_delay).await
                }
                _ => json_response(StatusCode::OK, &body),
            }
        }
        Err(refusal) => json_response(
            StatusCode::OK,
            &json!({
                "object_name": "transaction_reversed_request",
                "code": refusal.code(),
                "message": refusal.message(),
            }),
        ),
    }
}

/// Approves `record` after the configured delay, if one is set.
fn schedule(desk: &Arc<RefundDesk>, record: &RefundRecord) {
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

fn masked(xact_id: &str) -> String {
    let chars: Vec<char> = xact_id.chars().collect();
    if chars.len() <= 11 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..7].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}****{tail}")
}

fn date_of(body: &Value, key: &str) -> Result<NaiveDate, String> {
    let text = body.get(key).and_then(Value::as_str).unwrap_or_default();
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| format!("{key} must be a date, yyyy-MM-dd"))
}

fn int_of(body: &Value, key: &str) -> Result<Option<u64>, String> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(Some)
            .ok_or_else(|| format!("{key} must be a whole number, 0 or more")),
    }
}

/// İade Listesi.
pub(crate) fn list(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let parsed = (|| {
        let from = date_of(body, "datab")?;
        let to = date_of(body, "datbi")?;
        let limit = int_of(body, "limit")?.unwrap_or(10);
        let after = int_of(body, "starting_after")?;
        let before = int_of(body, "ending_before")?;
        if limit == 0 {
            return Err("limit must be 1 or more".to_string());
        }
        Ok((from, to, limit as usize, after, before))
    })();
    let (from, to, limit, after, before) = match parsed {
        Ok(parsed) => parsed,
        Err(message) => return bad_request(op, &message),
    };
    let agent = body.get("agent_id").and_then(Value::as_str);
    let bank = body.get("bank_id").and_then(Value::as_str);
    let matching: Vec<(RefundRecord, Option<Transaction>)> = state
        .refunds
        .book
        .all()
        .into_iter()
        .filter(|r| r.entry_date >= from && r.entry_date <= to)
        .map(|r| {
            let sale = state.store.get(&r.sale_xact_id);
            (r, sale)
        })
        .filter(|(_, sale)| {
            let bank_ok = bank.is_none_or(|b| sale.as_ref().is_some_and(|s| s.bank_id == b));
            agent.is_none_or(|a| a == AGENT_ID) && bank_ok
        })
        .collect();
    let total = matching.len();
    let (start, end, has_more) = match (after, before) {
        (Some(after), _) => {
            let start = (after as usize).min(total);
            let end = start.saturating_add(limit).min(total);
            (start, end, end < total)
        }
        (None, Some(before)) => {
            let end = (before as usize).min(total);
            let start = end.saturating_sub(limit);
            (start, end, start > 0)
        }
        (None, None) => {
            let end = limit.min(total);
            (0, end, end < total)
        }
    };
    let total_amount: u64 = matching.iter().map(|(r, _)| r.kurus).sum();
    let rows: Vec<Value> = matching[start..end]
        .iter()
        .map(|(record, sale)| row(record, sale.as_ref()))
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "companyCode": COMPANY_CODE,
            "companyName": COMPANY_NAME,
            "total": total,
            "total_count": rows.len(),
            "total_amount": money(lira(total_amount)),
            "limit": limit,
            "ending_before": before.unwrap_or(0),
            "starting_after": after.unwrap_or(0),
            "object_name": "transaction_reversal_list",
            "has_more": has_more,
            "Data": rows,
        }),
    )
}

const COMPANY_CODE: &str = "1000";
const COMPANY_NAME: &str = "Paynet Simülatör A.Ş.";
const AGENT_ID: &str = "1234";

/// One row, with the page's fields and two it does not list (`amount`,
/// `status`): Paynet's longer table goes on past `card_holder`, and these
/// names are the simulator's assumption.
fn row(record: &RefundRecord, sale: Option<&Transaction>) -> Value {
    json!({
        "id": record.reversed_id.parse::<u64>().ok(),
        "xact_date": record.sale_date.format("%d.%m.%Y").to_string(),
        "company_code": COMPANY_CODE,
        "entry_date": record.entry_date.format("%d.%m.%Y").to_string(),
        "agent_id": AGENT_ID,
        "user_id": "mock_user",
        "company_name": COMPANY_NAME,
        "agent_name": "Merkez",
        "xact_id": masked(&record.sale_xact_id),
        "reversed_xact_id": record.refund_xact_id,
        "reversed_id": record.reversed_id,
        "bank_id": sale.map(|s| s.bank_id.clone()),
        "bank_name": "Simülatör Bankası",
        "card_no": sale.map(|s| s.card_no_masked.clone()),
        "card_holder": sale.map(|s| s.card_holder.clone()),
        "amount": money(lira(record.kurus)),
        "status": record.status.wire(),
    })
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

    #[test]
    fn masking_keeps_the_ends() {
        assert_eq!(masked("xk_EAAAAAh7VYf9HG4"), "xk_EAAA****9HG4");
        assert_eq!(masked("short"), "*****");
    }
}
