//! Refunds and cancels of a sale (İade) and the refund list (İade
//! Listesi), as HTTP: the request that waits for a decision, and the list
//! that pages through the requests. What is kept, Paynet's rules and the
//! decisions are in `refund_desk.rs`.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use paynet_api::wire::ResultCode;
use serde_json::{Value, json};

use crate::refund_desk::{RefundRecord, lira, schedule, turkish_today};
use crate::refusals::{self, RefusalForm};
use crate::reply::{self, error, money};
use crate::spec::SpecOperation;
use crate::state::State;
use crate::store::Transaction;
use crate::triggers::Trigger;

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

/// İade's refusals in its answer (HTTP 200), as the page's example
/// shapes its answer: no `xact_id` echoed.
const REFUSAL: RefusalForm = RefusalForm {
    object_name: "transaction_reversed_request",
    echoes_xact_id: false,
};

/// İade.
pub(crate) async fn request(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let text = |key: &str| body.get(key).and_then(Value::as_str);
    let xact_id = text("xact_id").unwrap_or_default();
    if let Some(trigger) = Trigger::scenario(xact_id) {
        return trigger
            .answer(pending_body(), op.error_style, state.slow_delay)
            .await;
    }
    let kurus = match text("amount") {
        None | Some("") => None,
        Some(digits) if digits.bytes().all(|b| b.is_ascii_digit()) && digits.len() <= 15 => {
            digits.parse::<u64>().ok()
        }
        // The spec's `amount` is any string; what Paynet answers to one
        // that is not kuruş is not documented: a refusal in the answer
        // (code 11, an assumption), as for the page's other rules.
        Some(_) => {
            return refusals::refusal_answer(
                REFUSAL,
                xact_id,
                ResultCode::BadRequest,
                "amount must be kuruş as a string of digits (\"1000\" for 10.00 TL)",
            );
        }
    };
    let Some(sale) = state.store.get(xact_id) else {
        return refusals::not_found(op);
    };
    let succeed_url = text("succeedUrl")
        .filter(|u| !u.is_empty())
        .map(str::to_string);
    let desk = &state.refunds;
    let number = desk.next_number();
    match desk
        .book
        .request(&sale, kurus, succeed_url, turkish_today(), number)
    {
        Ok(record) => {
            schedule(desk, &record);
            // State triggers: the request is made, then its answer is
            // lost or late.
            Trigger::answer_applied(xact_id, &pending_body(), state.slow_delay).await
        }
        Err(refusal) => {
            refusals::refusal_answer(REFUSAL, xact_id, refusal.code(), refusal.message())
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
    let parsed = (|| -> Result<_, String> {
        let from = date_of(body, "datab")?;
        let to = date_of(body, "datbi")?;
        // 0, like an absent limit, is Paynet's default of 10 rows.
        let limit = int_of(body, "limit")?.filter(|l| *l > 0).unwrap_or(10);
        let after = int_of(body, "starting_after")?;
        let before = int_of(body, "ending_before")?;
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
    reply::json(
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
        "id": record.reversed_id,
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
        "bank_id": sale.map(|s| s.bank_id.clone()).unwrap_or_default(),
        "bank_name": "Simülatör Bankası",
        "card_no": sale.map(|s| s.card_no_masked.clone()).unwrap_or_default(),
        "card_holder": sale.map(|s| s.card_holder.clone()).unwrap_or_default(),
        "amount": money(lira(record.kurus)),
        "status": record.status.wire(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_the_ends() {
        assert_eq!(masked("xk_EAAAAAh7VYf9HG4"), "xk_EAAA****9HG4");
        assert_eq!(masked("short"), "*****");
    }
}
