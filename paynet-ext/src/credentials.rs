//! The two secrets Paynet uses. Neither `Debug` nor any error shows them,
//! and the header values made from them are marked sensitive.
//!
//! What is zeroed: the key's own copy inside [`SecretKey`] and
//! [`SessionKey`] (a `secrecy::SecretString`), when they are dropped. What
//! is not: the `Authorization` header value a client builds once from the
//! secret key and keeps for its lifetime (and the copy in each request),
//! and the `String` handed to a generated builder's `.session_key(..)`.
//! reqwest and `http` do not zero memory.

use std::fmt;
use std::time::{Duration, SystemTime};

use paynet_api::wire::LocalDateTime;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};

use crate::ConfigError;

/// The merchant secret key (gizli anahtar, `sck_...`). It authenticates the
/// classic `/v1/transaction/*` operations as `Authorization: Basic
/// <secret_key>`: the raw key, not base64, no trailing colon.
#[derive(Clone)]
pub struct SecretKey(SecretString);

impl SecretKey {
    /// The environment variable [`SecretKey::from_env`] reads.
    pub const ENV: &'static str = "PAYNET_SECRET_KEY";

    /// Wraps a key. Surrounding white space (a trailing newline from a file
    /// or a variable) is removed; an empty key or one that cannot travel in
    /// an HTTP header is refused.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::InvalidSecretKey("it is empty"));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidSecretKey(
                "it holds characters that cannot travel in an HTTP header",
            ));
        }
        Ok(SecretKey(SecretString::from(trimmed.to_string())))
    }

    /// Reads `PAYNET_SECRET_KEY`.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(Self::ENV) {
            Ok(value) if value.trim().is_empty() => Err(ConfigError::InvalidSecretKey(
                "PAYNET_SECRET_KEY is set but empty",
            )),
            Ok(value) => SecretKey::new(value),
            Err(_) => Err(ConfigError::MissingVariable(Self::ENV)),
        }
    }

    /// The `Authorization` header value, marked sensitive.
    pub(crate) fn header_value(&self) -> HeaderValue {
        let mut value = HeaderValue::try_from(format!("Basic {}", self.0.expose_secret()))
            .expect("checked in SecretKey::new: visible ASCII only");
        value.set_sensitive(true);
        value
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey([redacted])")
    }
}

/// A mobile session key (mobil oturum anahtarı) for the SoftPOS
/// operations, which take it as their `Session-Key` argument. A merchant
/// backend gets one from `POST /v1/agent/get_auth_key` with its secret key:
/// [`SessionKeyExt::obtain_session_key`](crate::SessionKeyExt::obtain_session_key)
/// does that in one call and keeps the answer's `expired_date`.
#[derive(Clone)]
pub struct SessionKey {
    key: SecretString,
    expired_date: Option<LocalDateTime>,
}

/// The offset of Turkish time, in which Paynet writes dates without one:
/// UTC+3 all year since 2016.
const TURKISH_TIME_SECONDS: i32 = 3 * 3600;

impl SessionKey {
    /// The environment variable [`SessionKey::from_env`] reads.
    pub const ENV: &'static str = "PAYNET_SESSION_KEY";

    /// Wraps a session key; surrounding white space is removed, an empty key
    /// is refused. Its expiry is unknown until
    /// [`SessionKey::with_expired_date`] gives it.
    pub fn new(key: impl Into<String>) -> Result<Self, ConfigError> {
        let key: String = key.into();
        let trimmed = key.trim();
        if trimmed.is_empty() {
            return Err(ConfigError::InvalidSessionKey("it is empty"));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ConfigError::InvalidSessionKey(
                "it holds characters that cannot travel in an HTTP header",
            ));
        }
        Ok(SessionKey {
            key: SecretString::from(trimmed.to_string()),
            expired_date: None,
        })
    }

    /// Reads `PAYNET_SESSION_KEY` (its expiry unknown).
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(Self::ENV) {
            Ok(value) if value.trim().is_empty() => Err(ConfigError::InvalidSessionKey(
                "PAYNET_SESSION_KEY is set but empty",
            )),
            Ok(value) => SessionKey::new(value),
            Err(_) => Err(ConfigError::MissingVariable(Self::ENV)),
        }
    }

    /// The same key, with the end of its validity as Paynet wrote it
    /// (`expired_date` of `get_auth_key`'s answer).
    pub fn with_expired_date(mut self, expired_date: impl Into<String>) -> Self {
        self.expired_date = Some(LocalDateTime::new(expired_date));
        self
    }

    /// The end of its validity as Paynet wrote it, if known.
    pub fn expired_date(&self) -> Option<&LocalDateTime> {
        self.expired_date.as_ref()
    }

    /// The end of its validity as an instant: read in the layouts of
    /// [`LocalDateTime`], in Turkish time (UTC+3) unless the text carries
    /// an offset. `None` when Paynet gave no date, or one in no known
    /// layout.
    pub fn expires_at(&self) -> Option<SystemTime> {
        let date = self.expired_date.as_ref()?;
        let local = date.local()?;
        let offset = date.offset().unwrap_or(
            chrono::FixedOffset::east_opt(TURKISH_TIME_SECONDS).expect("a valid offset"),
        );
        let utc = local.and_local_timezone(offset).single()?.to_utc();
        let seconds = u64::try_from(utc.timestamp()).ok()?;
        Some(SystemTime::UNIX_EPOCH + Duration::new(seconds, utc.timestamp_subsec_nanos()))
    }

    /// Whether its validity has ended by `now`. A key whose expiry is not
    /// known is not expired: Paynet will say so (result code 7,
    /// [`Error::Unauthorized`](crate::Error::Unauthorized)).
    pub fn is_expired_at(&self, now: SystemTime) -> bool {
        self.expires_at().is_some_and(|end| now >= end)
    }

    /// Whether its validity has ended ([`SessionKey::is_expired_at`] now).
    /// A server that hands keys to its app can obtain a new one when this
    /// is true, or a little before (`is_expired_at(now + margin)`).
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(SystemTime::now())
    }

    /// The key, for the generated `.session_key(..)` argument. The client
    /// marks that header sensitive before sending it.
    pub fn expose_secret(&self) -> &str {
        self.key.expose_secret()
    }
}

impl fmt::Debug for SessionKey {
    /// The key as `[redacted]`; its expiry, which is no secret, as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.expired_date {
            None => f.write_str("SessionKey([redacted])"),
            Some(date) => write!(
                f,
                "SessionKey([redacted], expired_date: {:?})",
                date.as_str()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_trimmed_checked_and_never_shown() {
        let key = SecretKey::new(" sck_abc\n").unwrap();
        assert_eq!(format!("{key:?}"), "SecretKey([redacted])");
        let header = key.header_value();
        assert!(header.is_sensitive());
        assert_eq!(header.to_str().unwrap(), "Basic sck_abc");
        assert_eq!(format!("{header:?}"), "Sensitive");
        assert!(matches!(
            SecretKey::new("  "),
            Err(ConfigError::InvalidSecretKey(_))
        ));
        assert!(matches!(
            SecretKey::new("sck a"),
            Err(ConfigError::InvalidSecretKey(_))
        ));
        let session = SessionKey::new("sk_1").unwrap();
        assert_eq!(format!("{session:?}"), "SessionKey([redacted])");
        assert_eq!(session.expose_secret(), "sk_1");
        assert!(session.expires_at().is_none());
        assert!(!session.is_expired());
    }

    #[test]
    fn the_expiry_is_read_in_turkish_time_unless_it_says_otherwise() {
        let at = |text: &str| SessionKey::new("sk_1").unwrap().with_expired_date(text);
        let epoch = |s: u64| SystemTime::UNIX_EPOCH + Duration::from_secs(s);
        // 2026-11-30 12:00:00 in Türkiye is 09:00:00 UTC.
        let noon = 1_796_029_200;
        let key = at("2026-11-30T12:00:00");
        assert_eq!(key.expires_at(), Some(epoch(noon)));
        assert_eq!(
            format!("{key:?}"),
            "SessionKey([redacted], expired_date: \"2026-11-30T12:00:00\")"
        );
        assert!(!key.is_expired_at(epoch(noon - 1)));
        assert!(key.is_expired_at(epoch(noon)));
        assert_eq!(at("2026-11-30T09:00:00Z").expires_at(), Some(epoch(noon)));
        assert_eq!(at("30.11.2026 12:00:00").expires_at(), Some(epoch(noon)));
        assert_eq!(
            at("2026-11-30T12:00:00.250").expires_at(),
            Some(epoch(noon) + Duration::from_millis(250))
        );
        // An unreadable date is kept as written, and says nothing.
        let unknown = at("yarın");
        assert_eq!(unknown.expired_date().unwrap().as_str(), "yarın");
        assert_eq!(unknown.expires_at(), None);
        assert!(!unknown.is_expired_at(epoch(u32::MAX as u64)));
    }
}
