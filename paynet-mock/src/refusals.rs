//! How an operation answers a transaction it cannot act on: not found, or
//! found and refused (already reversed, the wrong kind), in the form its
//! page documents.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Map, Value, json};

use paynet_api::wire::ResultCode;

use crate::reply;
use crate::spec::{ErrorStyle, SpecOperation};
use crate::store::{Kind, Refusal};

/// The shape of an operation's HTTP 200 answer that is not a success.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RefusalForm {
    /// Its `object_name`.
    pub(crate) object_name: &'static str,
    /// Whether it repeats the request's `xact_id`.
    pub(crate) echoes_xact_id: bool,
}

/// "No such transaction": 404 `no_data_error` where the operation documents
/// a 404, its 400 otherwise (SoftPOS), both with result code 12.
pub(crate) fn not_found(op: &SpecOperation) -> Response {
    let status = if op.error_style == ErrorStyle::Classic {
        StatusCode::NOT_FOUND
    } else {
        StatusCode::BAD_REQUEST
    };
    reply::error(
        op.error_style,
        status,
        "no_data_error",
        ResultCode::NoData,
        "İşlem bulunamadı (transaction not found)",
    )
}

/// Why a transaction cannot be reversed, as the operation documents it.
pub(crate) fn refused(
    op: &SpecOperation,
    form: RefusalForm,
    xact_id: &str,
    refusal: Refusal,
) -> Response {
    let (result_code, message) = match refusal {
        // 404 with `no_data_error` is the pairing Paynet documents for
        // "nothing matched"; SoftPOS documents 400 only.
        Refusal::Unknown => return not_found(op),
        Refusal::AlreadyReversed => (
            ResultCode::DuplicateData,
            "İşlem daha önce iptal edilmiş (already reversed)",
        ),
        Refusal::WrongKind(Kind::Captured) => (
            ResultCode::WrongTransactionType,
            "İşlem finansallaştırılmış bir işlem (a captured transaction: use capture_reversal)",
        ),
        Refusal::WrongKind(Kind::Preauthorized) => (
            ResultCode::WrongTransactionType,
            "İşlem ön otorizasyonlu bir işlem (a pre-authorisation: use preauth_reversal)",
        ),
    };
    refusal_answer(form, xact_id, result_code, message)
}

/// An HTTP 200 answer in `form` that refuses with `result_code`.
pub(crate) fn refusal_answer(
    form: RefusalForm,
    xact_id: &str,
    result_code: ResultCode,
    message: &str,
) -> Response {
    let mut body = Map::new();
    if form.echoes_xact_id {
        body.insert("xact_id".into(), json!(xact_id));
    }
    body.insert("object_name".into(), json!(form.object_name));
    body.insert("code".into(), json!(result_code));
    body.insert("message".into(), json!(message));
    reply::json(StatusCode::OK, &Value::Object(body))
}
