//! A SoftPOS session key for a server, in one call: Oturum Anahtarı
//! (`POST /v1/agent/get_auth_key`).
//!
//! The merchant's server, whose IP address Paynet has registered, asks for
//! a mobile session key with its secret key, and hands it to its app, or
//! uses it itself for the SoftPOS operations (`Session-Key`). This helper
//! knows that one operation by name; its answer is mapped by the same
//! generic rules as every other call ([`crate::call`]).

use std::future::Future;

use bytes::Bytes;
use paynet_api::Client;
use paynet_api::types::AuthResponse;
use serde_json::Value;

use crate::error::ErrorAnswer;
use crate::{CallExt, Error, SessionKey};

/// The value this client sends in `get_auth_key`'s required `PaynetMobile`
/// header. Paynet's page marks the header required and gives `2` as its
/// example, and Paynet's description of the SoftPOS flow sends
/// `PaynetMobile: 2`; the page does not make the value certain (no `enum`),
/// so the generated builder leaves it to its caller, and this helper gives
/// this one.
pub const PAYNET_MOBILE: &str = "2";

/// Obtaining a session key: `client.obtain_session_key(agent_id, user_id)`.
///
/// The client must hold the merchant secret key (`ClientBuilder::secret_key`):
/// `get_auth_key` requires it, and without it nothing is sent
/// ([`Error::InvalidRequest`]).
pub trait SessionKeyExt {
    /// Asks Paynet for a mobile session key for the dealer `agent_id`
    /// (bayi kodu) and its user `user_id` (kullanıcı kodu), and returns it
    /// with its `expired_date`. Refusals map as every call does: a wrong
    /// secret key, or an IP address Paynet has not registered, is
    /// [`Error::Unauthorized`]. A success without a usable `session_key` is
    /// [`Error::Undecodable`]. No error, and no `Debug`, shows the key: a
    /// body that carried one keeps it as `[redacted]`.
    fn obtain_session_key(
        &self,
        agent_id: &str,
        user_id: &str,
    ) -> impl Future<Output = Result<SessionKey, Error>> + Send;
}

impl SessionKeyExt for Client {
    async fn obtain_session_key(&self, agent_id: &str, user_id: &str) -> Result<SessionKey, Error> {
        let reply = self
            .get_auth_key()
            .paynet_mobile(PAYNET_MOBILE)
            .body_map(|b| b.agent_id(agent_id).user_id(user_id))
            .call()
            .await
            .map_err(redact)?;
        let status = reply.status();
        let answer = reply.into_inner();
        let unusable = |reason: &str| Error::Undecodable {
            status,
            reason: reason.to_string(),
            body: Bytes::new().into(),
        };
        let key = answer
            .session_key
            .ok_or_else(|| unusable("a success without a session_key"))?;
        let key = SessionKey::new(key.expose_secret())
            .map_err(|_| unusable("its session_key is empty or cannot travel in a header"))?;
        Ok(match answer.expired_date {
            Some(date) => key.with_expired_date(date.as_str()),
            None => key,
        })
    }
}

/// The field of `get_auth_key`'s answer that holds the key.
const FIELD: &str = "session_key";

/// `body` with the value of any `session_key` replaced by `[redacted]`; a
/// body that does not read as JSON is cut where the field begins.
fn redact_body(body: &[u8]) -> Bytes {
    let needle = FIELD.as_bytes();
    let Some(at) = body.windows(needle.len()).position(|w| w == needle) else {
        return Bytes::copy_from_slice(body);
    };
    if let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(body)
        && map.contains_key(FIELD)
    {
        map.insert(FIELD.into(), Value::String("[redacted]".into()));
        return Bytes::from(Value::Object(map).to_string());
    }
    let mut cut = body[..at].to_vec();
    cut.extend_from_slice(b"[redacted]");
    Bytes::from(cut)
}

/// An error of `get_auth_key` without the session key an answer may have
/// carried: in its raw body, its decoded response, its undecoded fields.
fn redact(mut error: Error) -> Error {
    match &mut error {
        Error::Paynet { body, response, .. }
        | Error::BankDeclined { body, response, .. }
        | Error::Inconsistent { body, response, .. } => {
            *body = redact_body(body).into();
            if let Some(answer) = response.value.downcast_mut::<AuthResponse>() {
                answer.session_key = answer
                    .session_key
                    .as_ref()
                    .map(|_| paynet_api::wire::SecretText::new("[redacted]"));
            }
            response.undecoded.retain(|u| u.field != FIELD);
        }
        Error::Unauthorized(ErrorAnswer { body, .. })
        | Error::Http(ErrorAnswer { body, .. })
        | Error::Undecodable { body, .. } => *body = redact_body(body).into(),
        _ => {}
    }
    error
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_keeps_everything_but_the_key() {
        let json = Bytes::from_static(br#"{"code":1,"session_key":"sk_live_1","message":"m"}"#);
        let redacted = redact_body(&json);
        let value: Value = serde_json::from_slice(&redacted).unwrap();
        assert_eq!(value["session_key"], "[redacted]");
        assert_eq!(value["code"], 1);
        let broken = Bytes::from_static(br#"{"code":0,"session_key":"sk_live_1","#);
        assert_eq!(&redact_body(&broken)[..], br#"{"code":0,"[redacted]"#);
        let none = Bytes::from_static(br#"{"code":7}"#);
        assert_eq!(redact_body(&none), none);
    }
}
