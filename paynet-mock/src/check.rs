//! Ödeme Kontrol (the transaction check): what the store holds about one
//! transaction, found by `xact_id` or `reference_no`, in the page's shape.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::refusals;
use crate::reply::{self, money};
use crate::spec::SpecOperation;
use crate::state::State;
use crate::store::{Kind, Transaction};

/// A number for a transaction's `id`, stable for its `xact_id` (FNV-1a).
fn numeric_id(xact_id: &str) -> u64 {
    let hash = xact_id.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    1_000_000 + hash % 9_000_000
}

/// One row of the transaction check's `Data`, in the page's shape: the
/// transaction as it was made (1 sale, 2 pre-authorisation). The page does
/// not say how a reversal shows in it, so the simulator shows none.
fn check_row(t: &Transaction) -> Value {
    let id = numeric_id(&t.xact_id);
    json!({
        "xact_id": t.xact_id,
        "id": id,
        "xact_date": "2016-04-07T15:33:09.543",
        "transaction_type": match t.kind {
            Kind::Captured => 1,
            Kind::Preauthorized => 2,
        },
        "pos_type": 5,
        "is_tds": false,
        "agent_id": "1001",
        "note": "",
        "ratio": money(t.ratio),
        "agent_reference": t.reference_no.as_deref().unwrap_or(""),
        "bank_id": t.bank_id,
        "instalment": t.instalment,
        "card_type": "cc",
        "card_no": t.card_no_masked,
        "card_holder": t.card_holder,
        "amount": money(t.amount),
        "net_amount": money(t.net_amount),
        "comission": money(t.comission),
        "comission_tax": money(t.comission_tax),
        "currency": t.currency,
        "authorization_code": "123456",
        "reference_code": "ref-0001",
        "order_id": "ord-0001",
        "is_succeed": true,
        "xact_transaction_id": format!("00000000-0000-4000-8000-{id:012x}"),
        "email": "",
        "phone": "",
    })
}

/// The transaction check (Ödeme Kontrol): the transaction found by
/// `xact_id` or `reference_no`, in the page's shape, or 404 `no_data_error`.
pub(crate) fn answer(state: &State, op: &SpecOperation, body: &Value) -> Response {
    let field = |name: &str| body.get(name).and_then(Value::as_str);
    match state.store.find(field("xact_id"), field("reference_no")) {
        Some(transaction) => reply::json(
            StatusCode::OK,
            &json!({
                "Data": [check_row(&transaction)],
                "object_name": "transaction",
                "message": "",
            }),
        ),
        None => refusals::not_found(op),
    }
}
