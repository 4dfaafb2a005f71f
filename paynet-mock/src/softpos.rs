//! İptal / İade Başlatma (SoftPOS): starting a reversal on the merchant's
//! device. Everything the simulator checks in a SoftPOS start request
//! beyond the spec's schema and the session key (which admission checks)
//! belongs in [`start`], before the store is asked.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

use crate::refusals::{self, RefusalForm};
use crate::reply;
use crate::spec::{ErrorStyle, SpecOperation};
use crate::state::State;
use crate::store::Transaction;
use crate::triggers::Trigger;

/// What a query value may keep as it is: RFC 3986's unreserved characters.
/// Everything else (`&`, `#`, `=`, `+`, spaces, newlines) is percent-encoded,
/// so that an `xact_id` stays one parameter of the deep link.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// The answer to an admitted SoftPOS start for `xact_id`: a scenario
/// trigger's, or a payment session for a reversible transaction (nothing
/// is reversed yet), or why not.
pub(crate) async fn start(state: &State, op: &SpecOperation, xact_id: &str) -> Response {
    if let Some(trigger) = Trigger::scenario(xact_id) {
        let body = body(state.serial(), &Transaction::captured(xact_id));
        let classic = op.error_style == ErrorStyle::Classic;
        return trigger.answer(body, classic, state.slow_delay).await;
    }
    match state.store.check_reversible(xact_id) {
        Ok(transaction) => reply::json(StatusCode::OK, &body(state.serial(), &transaction)),
        Err(refusal) => refusals::refused(op, REFUSAL, xact_id, refusal),
    }
}

/// The form of its answers that refuse to start a reversal.
const REFUSAL: RefusalForm = RefusalForm {
    object_name: "softpos_reversal",
    echoes_xact_id: false,
};

/// The page's success answer: payment session `n` and its deep link.
pub(crate) fn body(n: u64, t: &Transaction) -> Value {
    let session = format!("ps_mock_{n:06}");
    json!({
        "payment_session_id": session,
        "deeplink_url": format!(
            "paypos://reversal?payment_session_id={session}&xact_id={}",
            percent_encoding::utf8_percent_encode(&t.xact_id, QUERY_VALUE)
        ),
        "encryption_key": format!("ek_mock_{n:06}"),
        "object_name": "softpos_reversal",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}
