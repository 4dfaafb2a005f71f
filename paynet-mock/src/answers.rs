//! What each operation answers once its request is admitted: one
//! [`Behaviour`] per operation of the spec, chosen once at start from the
//! operation's id, and handed to the module that answers for it.
//!
//! A new operation's behaviour is a variant of [`Behaviour`], its row in
//! [`Behaviour::BY_OPERATION`] and its arm in `Behaviour::answer` (which
//! does not compile without it). Until then the operation answers its
//! documented example ([`Behaviour::Documented`]).

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use crate::spec::SpecOperation;
use crate::state::State;
use crate::store::Kind;
use crate::{check, refunds, reply, reversals, softpos};

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
    /// İade: a pending refund or cancel request of a sale, by the page's
    /// rules, decided later and posted to its `succeedUrl`.
    RefundRequest,
    /// İade Listesi: the refund requests of a date range, paged.
    RefundList,
    /// An operation the simulator has no behaviour for: HTTP 200 with a
    /// body made from its page's success answer (its example, or else one
    /// built from its schema), after the same checks as every request.
    Documented,
}

impl Behaviour {
    /// Which operation (by `operationId`) each behaviour serves: the one
    /// place that names operations. An operation missing here is
    /// [`Behaviour::Documented`].
    pub const BY_OPERATION: [(&'static str, Behaviour); 7] = [
        ("capture_reversal", Behaviour::CaptureReversal),
        ("preauth_reversal", Behaviour::PreauthReversal),
        ("init_reversal_transaction", Behaviour::SoftPosStart),
        ("transaction_check", Behaviour::TransactionCheck),
        ("get_auth_key", Behaviour::IssueSessionKey),
        ("reversed_request", Behaviour::RefundRequest),
        ("reversal_list", Behaviour::RefundList),
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
            Behaviour::TransactionCheck => check::answer(state, op, body),
            Behaviour::CaptureReversal => {
                reversals::reverse(state, op, Kind::Captured, xact_id).await
            }
            Behaviour::PreauthReversal => {
                reversals::reverse(state, op, Kind::Preauthorized, xact_id).await
            }
            Behaviour::SoftPosStart => softpos::start(state, op, xact_id).await,
            Behaviour::RefundRequest => refunds::request(state, op, body).await,
            Behaviour::RefundList => refunds::list(state, op, body),
            Behaviour::Documented => match &op.example_answer {
                Some((status, body)) => reply::json(
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::OK),
                    body,
                ),
                None => reply::json(StatusCode::OK, &json!({})),
            },
        }
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
}
