//! What each operation answers once its request is admitted: one
//! [`Behaviour`] per operation of the spec, chosen once at start from the
//! operation's id, and the bodies the pages document.
//!
//! A new operation's behaviour is a variant of [`Behaviour`], its row in
//! [`Behaviour::BY_OPERATION`] and its arm in `Behaviour::answer` (which
//! does not compile without it). Until then the operation answers its
//! documented example ([`Behaviour::Documented`]).

use axum::http::StatusCode;
use axum::response::Response;
use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use paynet_api::wire::ResultCode;

use crate::app::State;
use crate::reply;
use crate::softpos;
use crate::spec::{ErrorStyle, SpecOperation};
use crate::store::{Kind, Refusal, Transaction};
use crate::triggers::Trigger;

/// What the simulator does with an admitted request of one operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Behaviour {
    /// Finansallaştırma İptal: reverses a captured transaction of the
    /// store once; a repeat is answered `code` 100.
    CaptureReversal,
    /// Ön Otorizasyon İptal: reverses a pre-authorisation once; a repeat
    /// is answered `code` 100.
    PreauthReversal,
    /// İptal / İade Başlatma (SoftPOS): starts a reversal of a reversible
    /// transaction (a payment session and a deep link), changing nothing.
    SoftPosStart,
    /// Ödeme Kontrol: the transaction, found by `xact_id` or
    /// `reference_no`, in the page's shape.
    TransactionCheck,
    /// Oturum Anahtarı: issues a SoftPOS session key.
    IssueSessionKey,
    /// An operation the simulator has no behaviour for: HTTP 200 with a
    /// body made from its page's success answer (its example, or else one
    /// built from its schema), after the same checks as every request.
    Documented,
}

impl Behaviour {
    /// Which operation (by `operationId`) each behaviour serves: the one
    /// place that names operations. An operation missing here is
    /// [`Behaviour::Documented`].
    pub const BY_OPERATION: [(&'static str, Behaviour); 5] = [
        ("capture_reversal", Behaviour::CaptureReversal),
        ("preauth_reversal", Behaviour::PreauthReversal),
        ("init_reversal_transaction", Behaviour::SoftPosStart),
        ("transaction_check", Behaviour::TransactionCheck),
        ("get_auth_key", Behaviour::IssueSessionKey),
    ];

    /// The behaviour of the operation `operation_id`.
    pub fn of(operation_id: &str) -> Behaviour {
        Behaviour::BY_OPERATION
            .into_iter()
            .find(|(id, _)| *id == operation_id)
            .map_or(Behaviour::Documented, |(_, behaviour)| behaviour)
    }

    /// The answer to an admitted request with the JSON `body`.
    pub(crate) async fn answer(self, state: &State, op: &SpecOperation, body: &Value) -> Response {
        let xact_id = body
            .get("xact_id")
            .and_then(Value::as_str)
            .unwrap_or_default();
        match self {
            Behaviour::IssueSessionKey => reply::json(
                StatusCode::OK,
                &state.session_keys.issue(state.serial(), body),
            ),
            Behaviour::TransactionCheck => check(state, op, body),
            Behaviour::CaptureReversal => self.reversal(state, op, xact_id, Kind::Captured).await,
            Behaviour::PreauthReversal => {
                self.reversal(state, op, xact_id, Kind::Preauthorized).await
            }
            Behaviour::SoftPosStart => softpos::start(state, op, xact_id).await,
            Behaviour::Documented => match &op.example_answer {
                Some((status, body)) => reply::json(
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::OK),
                    body,
                ),
                None => reply::json(StatusCode::OK, &json!({})),
            },
        }
    }

    /// The answer of the operation for `t`, as a success; `None` for the
    /// operations that are not about one transaction's reversal.
    pub(crate) fn success_body(self, state: &State, t: &Transaction) -> Option<Value> {
        match self {
            Behaviour::CaptureReversal => Some(capture_body(t)),
            Behaviour::PreauthReversal => Some(preauth_body()),
            Behaviour::SoftPosStart => Some(softpos::body(state.serial(), t)),
            Behaviour::TransactionCheck | Behaviour::IssueSessionKey | Behaviour::Documented => {
                None
            }
        }
    }

    /// The answer of a scenario trigger that changes no state, if `xact_id`
    /// is one and the operation answers about a reversal.
    pub(crate) async fn scenario(
        self,
        state: &State,
        op: &SpecOperation,
        xact_id: &str,
    ) -> Option<Response> {
        let trigger = Trigger::find(xact_id).filter(|t| !t.acts_on_state())?;
        let body = self.success_body(state, &Transaction::captured(xact_id))?;
        let classic = op.error_style == ErrorStyle::Classic;
        Some(trigger.answer(body, classic, state.slow_delay).await)
    }

    /// A capture or pre-authorisation reversal.
    async fn reversal(
        self,
        state: &State,
        op: &SpecOperation,
        xact_id: &str,
        kind: Kind,
    ) -> Response {
        if let Some(response) = self.scenario(state, op, xact_id).await {
            return response;
        }
        let success = |t: &Transaction| self.success_body(state, t).unwrap_or_default();
        match state.store.reverse(xact_id, kind) {
            Ok(transaction) => {
                let body = success(&transaction);
                match Trigger::find(xact_id) {
                    Some(trigger) if trigger.acts_on_state() => {
                        trigger.after_reversal(&body, state.slow_delay).await
                    }
                    _ => reply::json(StatusCode::OK, &body),
                }
            }
            // The same reversal again: Paynet's answer to a repeat of a
            // request that had succeeded is 100 (Önceki Başarılı İşlem), and
            // nothing is reversed a second time.
            Err(Refusal::AlreadyReversed) => {
                let transaction = state.store.get(xact_id).expect("it was just found");
                let mut body = success(&transaction);
                if let Value::Object(map) = &mut body {
                    map.insert("code".into(), json!(ResultCode::OldSuccessful));
                    map.insert("message".into(), json!("Önceki Başarılı İşlem"));
                }
                reply::json(StatusCode::OK, &body)
            }
            Err(refusal) => self.refused(op, xact_id, refusal),
        }
    }

    /// The `object_name` of the operation's answers about a reversal.
    fn object_name(self) -> &'static str {
        match self {
            Behaviour::CaptureReversal => "transaction",
            Behaviour::PreauthReversal => "transaction_preauth_reversed_request",
            _ => "softpos_reversal",
        }
    }

    /// An answer that is not a success, in the operation's HTTP 200 form.
    fn refusal_body(self, xact_id: &str, result_code: ResultCode, message: &str) -> Response {
        let mut body = Map::new();
        if self == Behaviour::CaptureReversal {
            body.insert("xact_id".into(), json!(xact_id));
        }
        body.insert("object_name".into(), json!(self.object_name()));
        body.insert("code".into(), json!(result_code));
        body.insert("message".into(), json!(message));
        reply::json(StatusCode::OK, &Value::Object(body))
    }

    /// Why a transaction cannot be reversed, as the operation documents it.
    pub(crate) fn refused(self, op: &SpecOperation, xact_id: &str, refusal: Refusal) -> Response {
        match refusal {
            // 404 with `no_data_error` is the pairing Paynet documents for
            // "nothing matched"; SoftPOS documents 400 only.
            Refusal::Unknown => not_found(op),
            Refusal::AlreadyReversed => self.refusal_body(
                xact_id,
                ResultCode::DuplicateData,
                "İşlem daha önce iptal edilmiş (already reversed)",
            ),
            Refusal::WrongKind(kind) => self.refusal_body(
                xact_id,
                ResultCode::WrongTransactionType,
                match kind {
                    Kind::Captured => {
                        "İşlem finansallaştırılmış bir işlem (a captured transaction: use capture_reversal)"
                    }
                    Kind::Preauthorized => {
                        "İşlem ön otorizasyonlu bir işlem (a pre-authorisation: use preauth_reversal)"
                    }
                },
            ),
        }
    }
}

/// "No such transaction": 404 `no_data_error` where the operation documents
/// a 404, its 400 otherwise (SoftPOS), both with result code 12.
fn not_found(op: &SpecOperation) -> Response {
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

/// An amount in the form Paynet sends: a JSON number (15, 14.65) when a
/// client reading the number as a double gets exactly this decimal back,
/// and otherwise a string (`"12345678901234567.89"`), which the spec's
/// `Amount` allows. Exact decimals as numbers would need serde_json's
/// `arbitrary_precision`, which would change serde_json for every crate
/// built with this one.
fn money(value: Decimal) -> Value {
    let value = value.normalize();
    if value.scale() == 0
        && let Ok(whole) = i64::try_from(value)
    {
        return json!(whole);
    }
    let text = value.to_string();
    // `Display` of a double is the shortest text that reads back as it.
    let double = text
        .parse::<f64>()
        .ok()
        .filter(|d| d.is_finite() && Decimal::from_str_exact(&d.to_string()).ok() == Some(value));
    match double.and_then(serde_json::Number::from_f64) {
        Some(number) => Value::Number(number),
        None => Value::String(text),
    }
}

/// The capture reversal page's answer for a reversed transaction, in
/// Turkish local time without an offset, as Paynet sends it.
fn capture_body(t: &Transaction) -> Value {
    json!({
        "xact_id": t.xact_id,
        "xact_date": crate::session_keys::turkish_time(chrono::Utc::now()),
        "transaction_type": 6,
        "pos_type": 5,
        "is_tds": false,
        "agent_id": "1001",
        "user_id": "PaynetApi",
        "email": "",
        "phone": "",
        "bank_id": t.bank_id,
        "instalment": t.instalment,
        "ratio": money(t.ratio),
        "card_no_masked": t.card_no_masked,
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
        "paynet_error_id": "",
        "paynet_error_message": "",
        "bank_error_id": "",
        "bank_error_message": "",
        "bank_error_short_desc": "",
        "bank_error_long_desc": "",
        "object_name": "transaction",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}

fn preauth_body() -> Value {
    json!({
        "object_name": "transaction_preauth_reversed_request",
        "code": ResultCode::Successful,
        "message": "Başarılı İşlem",
    })
}

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
fn check(state: &State, op: &SpecOperation, body: &Value) -> Response {
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
        None => not_found(op),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_operation_is_in_the_spec_and_has_its_own_behaviour() {
        let ops = crate::spec::operations().unwrap();
        for (id, behaviour) in Behaviour::BY_OPERATION {
            assert!(ops.iter().any(|op| op.id == id), "{id} is not in the spec");
            assert_eq!(Behaviour::of(id), behaviour);
            assert_ne!(behaviour, Behaviour::Documented);
        }
        assert_eq!(Behaviour::of("a_new_page"), Behaviour::Documented);
    }

    #[test]
    fn money_is_a_number_only_where_a_double_holds_it_exactly() {
        for (text, expected) in [
            ("15", json!(15)),
            ("15.00", json!(15)),
            ("14.65", json!(14.65)),
            ("0.30", json!(0.3)),
            ("-2.5", json!(-2.5)),
            ("123456789012345", json!(123456789012345_i64)),
            ("1234567890123.45", json!(1234567890123.45)),
            ("12345678901234567.89", json!("12345678901234567.89")),
            ("0.1234567890123456789", json!("0.1234567890123456789")),
            (
                "79228162514264337593543950335",
                json!("79228162514264337593543950335"),
            ),
        ] {
            let value: Decimal = text.parse().unwrap();
            let answered = money(value);
            assert_eq!(answered, expected, "{text}");
            // Whatever form it takes, the decimal reads back exactly.
            let back: Decimal = match &answered {
                Value::String(s) => s.parse().unwrap(),
                Value::Number(n) => Decimal::from_str_exact(&n.as_f64().unwrap().to_string())
                    .or_else(|_| n.to_string().parse())
                    .unwrap(),
                other => panic!("{other}"),
            };
            assert_eq!(back, value, "{text}");
        }
    }
}
