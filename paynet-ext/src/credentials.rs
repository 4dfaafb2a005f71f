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
/// backend gets one from `POST /v1/agent/get_auth_key`.
#[derive(Clone)]
pub struct SessionKey(SecretString);

impl SessionKey {
    /// The environment variable [`SessionKey::from_env`] reads.
    pub const ENV: &'static str = "PAYNET_SESSION_KEY";

    /// Wraps a session key; surrounding white space is removed, an empty key
    /// is refused.
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
        Ok(SessionKey(SecretString::from(trimmed.to_string())))
    }

    /// Reads `PAYNET_SESSION_KEY`.
    pub fn from_env() -> Result<Self, ConfigError> {
        match std::env::var(Self::ENV) {
            Ok(value) => SessionKey::new(value),
            Err(_) => Err(ConfigError::MissingVariable(Self::ENV)),
        }
    }

    /// The key, for the generated `.session_key(..)` argument. The client
    /// marks that header sensitive before sending it.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SessionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionKey([redacted])")
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
    }
}
