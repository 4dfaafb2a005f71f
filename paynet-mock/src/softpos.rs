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
use crate::spec::SpecOperation;
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
        return trigger.answer(body, op.error_style, state.slow_delay).await;
    }
    if let Some(response) = plain_id(op, xact_id) {
        return response;
    }
    match state.store.check_reversible(xact_id) {
        Ok(transaction) => reply::json(StatusCode::OK, &body(state.serial(), &transaction)),
        Err(refusal) => refusals::refused(op, REFUSAL, xact_id, refusal),
    }
}

/// The SoftPOS start takes "the encrypted form of the transaction's id"
/// (işlemin Id'sinin şifrelenmiş hali), and its page says no more. The
/// simulator's assumption, from the transaction check page, which calls the
/// `xk_...` `xact_id` the encrypted transaction number (işlem numarası,
/// şifreli) beside the plain number `id` (`2318890`): an id of digits only
/// is plainly the plain number, not the encrypted one, and is refused with
/// the SoftPOS 400 body and result code 11 (bad_request), so that a test
/// catches a service that sends it. Paynet's own answer to it is not
/// documented.
fn plain_id(op: &SpecOperation, xact_id: &str) -> Option<Response> {
    let plain = !xact_id.is_empty() && xact_id.bytes().all(|b| b.is_ascii_digit());
    plain.then(|| {
        reply::error(
            op.error_style,
            StatusCode::BAD_REQUEST,
            "invalid_request_error",
            ResultCode::BadRequest,
            "xact_id bir işlem numarası; işlemin şifrelenmiş id'si bekleniyor (a plain transaction number: the SoftPOS start takes the encrypted transaction id, the xk_... xact_id)",
        )
    })
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
