//! The scenario triggers: chosen `xact_id`s that make an operation answer
//! in one chosen way, like a payment provider's test cards. Every trigger,
//! its `xact_id`, what it answers and what `.call()` makes of it is written
//! once, here, in [`Trigger`]; the README's trigger tables are checked
//! against it by a test, and [`TRIGGERS`], [`STATE_TRIGGERS`] and the named
//! constants are read from it.
//!
//! One scenario is chosen by `user_id` instead, since it concerns the
//! session key `get_auth_key` issues and not a transaction:
//! [`EXPIRED_SESSION_USER`](crate::EXPIRED_SESSION_USER), a key issued
//! already expired. The README names it beside `get_auth_key`, and the
//! same test checks that.
//!
//! A new trigger is a variant of [`Trigger`], its arms in the `const fn`s
//! below (a `match` that does not compile until the new variant has an
//! arm), an entry in [`Trigger::ALL`], and its effect in `Trigger::answer`
//! or `Trigger::after_reversal`.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

use crate::reply;
use crate::spec::ErrorStyle;

/// A scenario trigger. Its [`xact_id`](Trigger::xact_id) selects it: exactly
/// for the triggers that change no state, and as a prefix for the two that
/// act on a real transaction ([`Trigger::acts_on_state`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Trigger {
    /// [`BANK_DECLINE`]: the bank declines.
    BankDecline,
    /// [`DISAGREE`]: the verdicts contradict each other.
    Disagree,
    /// [`CODE_STRING`]: `code` as a string.
    CodeString,
    /// [`FLAG_STRING`]: `is_succeed` as a string.
    FlagString,
    /// [`MONEY_STRING`]: amounts as strings.
    MoneyString,
    /// [`REPEAT`]: code 100 (Önceki Başarılı İşlem).
    Repeat,
    /// [`SLOW`]: a success after the slow delay.
    Slow,
    /// [`HTML_500`]: a proxy's HTML error page.
    Html500,
    /// [`TRUNCATED`]: a JSON body that stops halfway.
    Truncated,
    /// [`DROP`]: no answer at all.
    Drop,
    /// [`LOST_ANSWER`]: the reversal is applied and its answer lost.
    LostAnswer,
    /// [`LATE_ANSWER`]: the reversal is applied and answered late.
    LateAnswer,
}

/// `xk_mock_bank_decline`: see [`Trigger::BankDecline`].
pub const BANK_DECLINE: &str = Trigger::BankDecline.xact_id();
/// `xk_mock_disagree`: see [`Trigger::Disagree`].
pub const DISAGREE: &str = Trigger::Disagree.xact_id();
/// `xk_mock_code_string`: see [`Trigger::CodeString`].
pub const CODE_STRING: &str = Trigger::CodeString.xact_id();
/// `xk_mock_flag_string`: see [`Trigger::FlagString`].
pub const FLAG_STRING: &str = Trigger::FlagString.xact_id();
/// `xk_mock_money_string`: see [`Trigger::MoneyString`].
pub const MONEY_STRING: &str = Trigger::MoneyString.xact_id();
/// `xk_mock_repeat`: see [`Trigger::Repeat`].
pub const REPEAT: &str = Trigger::Repeat.xact_id();
/// `xk_mock_slow`: see [`Trigger::Slow`].
pub const SLOW: &str = Trigger::Slow.xact_id();
/// `xk_mock_html_500`: see [`Trigger::Html500`].
pub const HTML_500: &str = Trigger::Html500.xact_id();
/// `xk_mock_truncated`: see [`Trigger::Truncated`].
pub const TRUNCATED: &str = Trigger::Truncated.xact_id();
/// `xk_mock_drop`: see [`Trigger::Drop`].
pub const DROP: &str = Trigger::Drop.xact_id();
/// The prefix of an `xact_id` whose first reversal is applied and whose
/// answer is then lost: the connection is dropped after the state changed.
pub const LOST_ANSWER: &str = Trigger::LostAnswer.xact_id();
/// The prefix of an `xact_id` whose first reversal is applied and answered
/// only after the simulator's slow delay, longer than a client's timeout.
pub const LATE_ANSWER: &str = Trigger::LateAnswer.xact_id();

/// The triggers that change no state, as `(xact_id, answer)`: each gives
/// the same chosen answer on every reversal operation.
pub const TRIGGERS: [(&str, &str); 10] = table::<10>(false);

/// The triggers that act on a real transaction, as `(prefix, answer)`: an
/// `xact_id` that starts with one of these prefixes, added to the store
/// first (as captured or pre-authorised), has its first reversal applied
/// and then answered badly. A repeat of that reversal is answered as any
/// repeat is: `code` 100.
pub const STATE_TRIGGERS: [(&str, &str); 2] = table::<2>(true);

/// The `(xact_id, answer)` pairs of the triggers that act on state (or
/// not), in [`Trigger::ALL`]'s order; `N` must be their number, or the
/// constant does not compile.
const fn table<const N: usize>(on_state: bool) -> [(&'static str, &'static str); N] {
    let mut out = [("", ""); N];
    let (mut i, mut n) = (0, 0);
    while i < Trigger::ALL.len() {
        let t = Trigger::ALL[i];
        if t.acts_on_state() == on_state {
            out[n] = (t.xact_id(), t.answer_text());
            n += 1;
        }
        i += 1;
    }
    assert!(
        n == N,
        "the table's length is not the number of its triggers"
    );
    out
}

impl Trigger {
    /// Every trigger, in the README's order.
    pub const ALL: [Trigger; 12] = [
        Trigger::BankDecline,
        Trigger::Disagree,
        Trigger::CodeString,
        Trigger::FlagString,
        Trigger::MoneyString,
        Trigger::Repeat,
        Trigger::Slow,
        Trigger::Html500,
        Trigger::Truncated,
        Trigger::Drop,
        Trigger::LostAnswer,
        Trigger::LateAnswer,
    ];

    /// The `xact_id` that selects it (a prefix, for the triggers that act
    /// on state).
    pub const fn xact_id(self) -> &'static str {
        match self {
            Trigger::BankDecline => "xk_mock_bank_decline",
            Trigger::Disagree => "xk_mock_disagree",
            Trigger::CodeString => "xk_mock_code_string",
            Trigger::FlagString => "xk_mock_flag_string",
            Trigger::MoneyString => "xk_mock_money_string",
            Trigger::Repeat => "xk_mock_repeat",
            Trigger::Slow => "xk_mock_slow",
            Trigger::Html500 => "xk_mock_html_500",
            Trigger::Truncated => "xk_mock_truncated",
            Trigger::Drop => "xk_mock_drop",
            Trigger::LostAnswer => "xk_mock_lost_answer",
            Trigger::LateAnswer => "xk_mock_late_answer",
        }
    }

    /// Whether it acts on a real transaction (selected by prefix, its
    /// first reversal applied) rather than answering alone (selected by
    /// the exact `xact_id`, changing nothing).
    pub const fn acts_on_state(self) -> bool {
        matches!(self, Trigger::LostAnswer | Trigger::LateAnswer)
    }

    /// What the simulator answers (the README's "answer" column).
    pub const fn answer_text(self) -> &'static str {
        match self {
            Trigger::BankDecline => {
                "200, `is_succeed` false, `code` 0, bank reason `05` Red-Onaylanmadı"
            }
            Trigger::Disagree => {
                "200, the vendor example's verdicts: `code` 1 with `is_succeed` true"
            }
            Trigger::CodeString => {
                "200, success with `code` `\"0\"` (classic operations; SoftPOS answers its documented integer)"
            }
            Trigger::FlagString => "200, success with `is_succeed` `\"true\"` (classic operations)",
            Trigger::MoneyString => "200, success with amounts as strings (`\"14.65\"`)",
            Trigger::Repeat => "200, `code` 100 (Önceki Başarılı İşlem)",
            Trigger::Slow => {
                "a success after `--slow-seconds` (`Config::slow_delay`; default 60 s, over the client's 30 s)"
            }
            Trigger::Html500 => "500 with an HTML page",
            Trigger::Truncated => "200 whose JSON stops halfway",
            Trigger::Drop => "the connection is dropped mid-answer",
            Trigger::LostAnswer => "applied, then the connection is dropped without an answer",
            Trigger::LateAnswer => "applied, then answered after `--slow-seconds`",
        }
    }

    /// What `paynet_ext`'s `.call()` makes of the answer.
    pub const fn call_gives(self) -> &'static str {
        match self {
            Trigger::BankDecline => "`Error::BankDeclined`",
            Trigger::Disagree => "`Error::Inconsistent`",
            Trigger::CodeString | Trigger::FlagString => "`Ok`",
            Trigger::MoneyString => "`Ok`, amounts exact",
            Trigger::Repeat => "`Ok`, `is_repeat()`",
            Trigger::Slow => "`Error::Timeout`",
            Trigger::Html500 | Trigger::Truncated => "`Error::Undecodable`",
            Trigger::Drop => "`Error::Transport` (not retry-safe)",
            Trigger::LostAnswer => "`Error::Transport` (outcome unknown)",
            Trigger::LateAnswer => "`Error::Timeout` (outcome unknown)",
        }
    }

    /// What `.call_resending(..)` makes of it, for the triggers that act
    /// on state (a re-send is what learns their outcome).
    pub const fn resend_gives(self) -> Option<&'static str> {
        match self {
            Trigger::LostAnswer => Some("`Ok`, `is_repeat()`, `attempts()` 2"),
            Trigger::LateAnswer => {
                Some("the same, once the client's timeout is shorter than the delay")
            }
            _ => None,
        }
    }

    /// The trigger an `xact_id` selects, if any.
    pub fn find(xact_id: &str) -> Option<Trigger> {
        Trigger::ALL.into_iter().find(|t| {
            if t.acts_on_state() {
                xact_id.starts_with(t.xact_id())
            } else {
                xact_id == t.xact_id()
            }
        })
    }

    /// The trigger that changes no state that `xact_id` is, if any.
    pub fn scenario(xact_id: &str) -> Option<Trigger> {
        Trigger::find(xact_id).filter(|t| !t.acts_on_state())
    }

    /// The answer of a trigger that changes no state, made from the
    /// operation's success `body`, in the operation's `style` (the
    /// table-versus-example type variants exist on the classic pages
    /// only; SoftPOS documents its own types and answers in
    /// them).
    pub(crate) async fn answer(
        self,
        mut body: Value,
        style: ErrorStyle,
        slow: Duration,
    ) -> Response {
        let classic = style == ErrorStyle::Classic;
        let set = |body: &mut Value, key: &str, value: Value| {
            if let Value::Object(map) = body {
                map.insert(key.to_string(), value);
            }
        };
        match self {
            Trigger::CodeString | Trigger::FlagString | Trigger::MoneyString if !classic => {}
            Trigger::BankDecline => {
                set(&mut body, "is_succeed", json!(false));
                set(&mut body, "bank_error_id", json!("05"));
                set(&mut body, "bank_error_message", json!("Red-Onaylanmadı"));
                set(&mut body, "bank_error_short_desc", json!("Do not honour"));
                set(&mut body, "message", json!("Banka işlemi onaylamadı"));
            }
            Trigger::Disagree => {
                set(&mut body, "code", json!(ResultCode::Unsuccessful));
                set(&mut body, "is_succeed", json!(true));
                set(&mut body, "bank_error_id", json!("6000"));
                set(
                    &mut body,
                    "bank_error_message",
                    json!("Invalid Ip Address : "),
                );
                set(&mut body, "message", json!(""));
            }
            Trigger::CodeString => set(&mut body, "code", json!("0")),
            Trigger::FlagString => set(&mut body, "is_succeed", json!("true")),
            Trigger::MoneyString => {
                for key in ["amount", "net_amount", "comission", "comission_tax"] {
                    if let Some(Value::Number(n)) = body.get(key).cloned() {
                        set(&mut body, key, Value::String(n.to_string()));
                    }
                }
            }
            Trigger::Repeat => {
                set(&mut body, "code", json!(ResultCode::OldSuccessful));
                set(&mut body, "message", json!("Önceki Başarılı İşlem"));
            }
            Trigger::Slow => tokio::time::sleep(slow).await,
            Trigger::Html500 => {
                let mut response = (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "<html><head><title>500 Internal Server Error</title></head><body><h1>Internal Server Error</h1></body></html>",
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
                return response;
            }
            Trigger::Truncated => {
                let text = body.to_string();
                let half = text
                    .char_indices()
                    .nth(text.chars().count() / 2)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                let mut response = (StatusCode::OK, text[..half].to_string()).into_response();
                response.headers_mut().insert(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/json"),
                );
                return response;
            }
            Trigger::Drop => {
                return reply::dropped_connection("xk_mock_drop: dropping the connection");
            }
            // Acting on state, they answer after the reversal.
            Trigger::LostAnswer | Trigger::LateAnswer => {}
        }
        reply::json(StatusCode::OK, &body)
    }

    /// The answer to a request that was applied (a reversal made, a
    /// refund requested), `body` its success: as a state trigger's prefix
    /// in `xact_id` says (lost, or late), or at once.
    pub(crate) async fn answer_applied(xact_id: &str, body: &Value, slow: Duration) -> Response {
        match Trigger::find(xact_id) {
            Some(trigger) if trigger.acts_on_state() => trigger.after_reversal(body, slow).await,
            _ => reply::json(StatusCode::OK, body),
        }
    }

    /// The answer to the first, applied reversal of a transaction whose
    /// `xact_id` starts with this trigger's prefix; `body` is the success.
    pub(crate) async fn after_reversal(self, body: &Value, slow: Duration) -> Response {
        match self {
            Trigger::LostAnswer => {
                return reply::dropped_connection("xk_mock_lost_answer: dropping the connection");
            }
            Trigger::LateAnswer => tokio::time::sleep(slow).await,
            _ => {}
        }
        reply::json(StatusCode::OK, body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_xact_id_selects_its_trigger_exactly_or_by_prefix() {
        for t in Trigger::ALL {
            assert_eq!(Trigger::find(t.xact_id()), Some(t));
            let longer = format!("{}_1", t.xact_id());
            let by_prefix = Trigger::find(&longer);
            assert_eq!(by_prefix, t.acts_on_state().then_some(t), "{longer}");
            assert_eq!(t.resend_gives().is_some(), t.acts_on_state());
        }
        assert_eq!(Trigger::find("xk_my_test"), None);
        assert_eq!(
            TRIGGERS[0],
            (BANK_DECLINE, Trigger::BankDecline.answer_text())
        );
        assert_eq!(STATE_TRIGGERS.map(|(id, _)| id), [LOST_ANSWER, LATE_ANSWER]);
    }
}
