//! SoftPOS session keys (Oturum Anahtarı): the ones `get_auth_key` issues,
//! when each expires, and whether a `Session-Key` opens the SoftPOS
//! operations.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use paynet_api::wire::ResultCode;

/// The `user_id` for which `get_auth_key` issues a session key that has
/// already expired: the next SoftPOS call with it is refused (HTTP 400,
/// `code` 7), whatever [`Config::session_key_lifetime`](crate::Config) is.
pub const EXPIRED_SESSION_USER: &str = "mock_expired_session";

/// Why a `Session-Key` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionRefusal {
    /// One it issued, past its `expired_date`.
    Expired,
    /// Missing, or none it issued or was given.
    Unknown,
}

/// The session keys the simulator accepts.
pub(crate) struct SessionKeys {
    /// The configured key, always accepted.
    pub(crate) fixed: String,
    /// How long an issued key stays valid.
    lifetime: Duration,
    /// The keys `get_auth_key` issued, and when each expires.
    issued: Mutex<HashMap<String, DateTime<Utc>>>,
}

/// Turkish local time without an offset, as Paynet writes its dates.
pub(crate) fn turkish_time(at: DateTime<Utc>) -> String {
    (at + chrono::Duration::hours(3))
        .naive_utc()
        .format("%Y-%m-%dT%H:%M:%S%.3f")
        .to_string()
}

impl SessionKeys {
    pub(crate) fn new(fixed: String, lifetime: Duration) -> Self {
        SessionKeys {
            fixed,
            lifetime,
            issued: Mutex::new(HashMap::new()),
        }
    }

    /// `get_auth_key`'s answer: a new session key (serial `n`) and when it
    /// expires.
    pub(crate) fn issue(&self, n: u64, body: &Value) -> Value {
        let text = |key: &str| body.get(key).and_then(Value::as_str).unwrap_or_default();
        let (agent_id, user_id) = (text("agent_id"), text("user_id"));
        let now = Utc::now();
        let expires = if user_id == EXPIRED_SESSION_USER {
            now
        } else {
            now + chrono::Duration::from_std(self.lifetime).unwrap_or(chrono::Duration::MAX)
        };
        // Unguessable enough for a simulator: a counter and the clock.
        let key = format!("msk_mock_{n:06}_{:x}", now.timestamp_subsec_nanos());
        {
            let mut issued = self.issued.lock().expect("not poisoned");
            issued.retain(|_, until| *until > now);
            issued.insert(key.clone(), expires);
        }
        json!({
            "session_key": key,
            "expired_date": turkish_time(expires),
            "agent_id": agent_id,
            "company_code": "1000",
            "user_id": user_id,
            "user_unique_id": format!("{agent_id}-{user_id}"),
            "is_okc_inquiry": false,
            "object_name": "auth_key",
            "code": ResultCode::Successful,
            "message": "Başarılı İşlem",
        })
    }

    /// Whether `key` opens the SoftPOS operations: the configured key, or
    /// one issued by `get_auth_key` that has not expired.
    pub(crate) fn check(&self, key: Option<&str>) -> Result<(), SessionRefusal> {
        let key = key.ok_or(SessionRefusal::Unknown)?;
        if key == self.fixed {
            return Ok(());
        }
        match self.issued.lock().expect("not poisoned").get(key) {
            Some(until) if Utc::now() < *until => Ok(()),
            Some(_) => Err(SessionRefusal::Expired),
            None => Err(SessionRefusal::Unknown),
        }
    }
}
