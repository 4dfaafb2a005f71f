//! Finansallaştırma İptal and Ön Otorizasyon İptal: reversing a captured
//! or pre-authorised transaction of the store, once; a repeat is answered
//! `code` 100; the scenario and state triggers apply.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

use crate::refusals::{self, RefusalForm};
use crate::reply::{self, with_transaction};
use crate::spec::SpecOperation;
use crate::state::State;
use crate::store::{Kind, Refusal, Transaction};
use crate::triggers::Trigger;

/// The reversal of a transaction of `kind` named by `xact_id`.
pub(crate) async fn reverse(
    state: &State,
    op: &SpecOperation,
    kind: Kind,
    xact_id: &str,
) -> Response {
    if let Some(trigger) = Trigger::scenario(xact_id) {
        let body = success(kind, &Transaction::captured(xact_id));
        return trigger.answer(body, op.error_style, state.slow_delay).await;
    }
    match state.store.reverse(xact_id, kind) {
        Ok(transaction) => {
            Trigger::answer_applied(xact_id, &success(kind, &transaction), state.slow_delay).await
        }
        // The same reversal again: Paynet's answer to a repeat of a request
        // that had succeeded is 100 (Önceki Başarılı İşlem), and nothing is
        // reversed a second time.
        Err(Refusal::AlreadyReversed) => {
            let transaction = state.store.get(xact_id).expect("it was just found");
            let mut body = success(kind, &transaction);
            if let Value::Object(map) = &mut body {
                map.insert("code".into(), json!(ResultCode::OldSuccessful));
                map.insert("message".into(), json!("Önceki Başarılı İşlem"));
            }
            reply::json(StatusCode::OK, &body)
        }
        Err(refusal) => refusals::refused(op, refusal_form(kind), xact_id, refusal),
    }
}

/// The page's success answer for `t`.
fn success(kind: Kind, t: &Transaction) -> Value {
    match kind {
        Kind::Captured => capture_body(t),
        Kind::Preauthorized => preauth_body(),
    }
}

/// The form of its answers that refuse a reversal.
fn refusal_form(kind: Kind) -> RefusalForm {
    match kind {
        Kind::Captured => RefusalForm {
            object_name: "transaction",
            echoes_xact_id: true,
        },
        Kind::Preauthorized => RefusalForm {
            object_name: "transaction_preauth_reversed_request",
            echoes_xact_id: false,
        },
    }
}

/// The capture reversal page's answer for a reversed transaction, in
/// Turkish local time without an offset, as Paynet sends it.
fn capture_body(t: &Transaction) -> Value {
    with_transaction(
        t,
        json!({
            "xact_date": crate::session_keys::turkish_time(chrono::Utc::now()),
            "transaction_type": 6,
            "user_id": "PaynetApi",
            "card_no_masked": t.card_no_masked,
            "paynet_error_id": "",
            "paynet_error_message": "",
            "bank_error_id": "",
            "bank_error_message": "",
            "bank_error_short_desc": "",
            "bank_error_long_desc": "",
            "object_name": "transaction",
            "code": ResultCode::Successful,
            "message": "Başarılı İşlem",
        }),
    )
}

fn preauth_body() -> Value {
    json!({
        "object_name": "transaction_preauth_reversed_request",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}
