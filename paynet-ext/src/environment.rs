//! Where the client talks to, and how it is built.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use paynet_api::runtime::{ClientState, DEFAULT_MAX_BODY_BYTES};
use reqwest::Url;

use crate::credentials::SecretKey;

/// The scheme name of the merchant secret key in `spec/paynet.json`.
const SECRET_KEY_SCHEME: &str = paynet_api::schemes::SECRET_KEY;

/// Why a client could not be built. Messages never contain a key, and a
/// base URL is shown with any user name and password replaced by
/// `[redacted]`.
///
/// Its `Debug` is its sentence too, so that `main` returning one prints
/// `Error: set PAYNET_ENV to ...`, not `Error: NoEnvironment`.
#[derive(thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A base URL that does not parse, or is not http(s).
    #[error("the base URL {url:?} is not usable: {reason}")]
    InvalidUrl {
        /// The URL as given, user info redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// Plain HTTP to a host other than this machine.
    #[error(
        "the base URL {url:?} uses plain http to a host that is not loopback; Paynet only answers over https, and a secret key must not cross a network unencrypted"
    )]
    PlainHttp {
        /// The URL as given, user info redacted.
        url: String,
    },
    /// A base URL with a user name or password (`https://user:pass@host`).
    /// Paynet takes credentials in headers only, and a URL is printed,
    /// logged and copied far more freely than a key.
    #[error(
        "the base URL {url:?} carries a user name or password; Paynet takes credentials in headers only: give the secret key with ClientBuilder::secret_key"
    )]
    CredentialsInUrl {
        /// The URL as given, user info redacted.
        url: String,
    },
    /// `PAYNET_ENV` holds something other than `production` or `sandbox`
    /// (aliases such as `prod`, `live` or `test` included).
    #[error("PAYNET_ENV is {value:?}; expected production or sandbox")]
    UnknownEnvironment {
        /// The value found.
        value: String,
    },
    /// A required environment variable is not set.
    #[error("the environment variable {0} is not set")]
    MissingVariable(&'static str),
    /// Neither `PAYNET_ENV` nor `PAYNET_BASE_URL` is set.
    #[error(
        "set PAYNET_ENV to production or sandbox, or PAYNET_BASE_URL to a Paynet-compatible server"
    )]
    NoEnvironment,
    /// The secret key given cannot be used, found before anything is sent
    /// (its value is not shown).
    #[error("the secret key given cannot be used ({0}); nothing was sent")]
    InvalidSecretKey(&'static str),
    /// The session key given cannot be used, found before anything is
    /// sent (its value is not shown).
    #[error("the session key given cannot be used ({0}); nothing was sent")]
    InvalidSessionKey(&'static str),
    /// reqwest could not build its client (for example no TLS backend).
    #[error("the HTTP client could not be built: {0}")]
    HttpClient(#[source] reqwest::Error),
}

impl fmt::Debug for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A Paynet environment.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Environment {
    /// Production (Canlı Sistem), `https://api.paynet.com.tr`: real money.
    Production,
    /// Sandbox (Test Sistemi), `https://pts-api.paynet.com.tr`.
    Sandbox,
    /// Any other base URL: a proxy, a local simulator. Plain `http://` is
    /// accepted only for loopback hosts.
    Custom(Url),
}

impl fmt::Debug for Environment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Environment::Production => f.write_str("Production"),
            Environment::Sandbox => f.write_str("Sandbox"),
            Environment::Custom(url) => write!(f, "Custom({})", redact_userinfo(url.as_str())),
        }
    }
}

impl Environment {
    /// The production base URL.
    pub const PRODUCTION_URL: &'static str = "https://api.paynet.com.tr";
    /// The sandbox base URL.
    pub const SANDBOX_URL: &'static str = "https://pts-api.paynet.com.tr";

    /// A custom base URL, checked: http(s) only, plain http only to loopback
    /// (`localhost`, `127.0.0.0/8`, `[::1]`), no user name or password, no
    /// query or fragment.
    pub fn custom(url: &str) -> Result<Self, ConfigError> {
        let shown = redact_userinfo(url);
        let parsed = Url::parse(url).map_err(|e| ConfigError::InvalidUrl {
            url: shown.clone(),
            reason: match e {
                url::ParseError::RelativeUrlWithoutBase => {
                    "it has no scheme: write https:// (or http:// for this machine) before the host"
                        .to_string()
                }
                other => other.to_string(),
            },
        })?;
        if !parsed.username().is_empty() || parsed.password().is_some() {
            return Err(ConfigError::CredentialsInUrl { url: shown });
        }
        match parsed.scheme() {
            "https" => {}
            "http" if is_loopback(&parsed) => {}
            "http" => {
                return Err(ConfigError::PlainHttp { url: shown });
            }
            other => {
                return Err(ConfigError::InvalidUrl {
                    url: shown,
                    reason: format!(
                        "the scheme {other:?} is not http or https (a host and port without a scheme, such as localhost:8080, reads as one: write http://localhost:8080)"
                    ),
                });
            }
        }
        if parsed.query().is_some() || parsed.fragment().is_some() {
            return Err(ConfigError::InvalidUrl {
                url: shown,
                reason: "a base URL takes no query or fragment".to_string(),
            });
        }
        // Every operation's path starts with /v1 (/v1/transaction/...): a
        // base URL ending in /v1 sends /v1/v1/..., which Paynet answers with
        // a bare 404.
        if parsed.path().trim_end_matches('/').ends_with("/v1") {
            return Err(ConfigError::InvalidUrl {
                url: shown,
                reason: "the operations' paths already start with /v1: give the server's address without it, as https://api.paynet.com.tr".to_string(),
            });
        }
        Ok(Environment::Custom(parsed))
    }

    /// Reads `PAYNET_BASE_URL` (any server, checked as by
    /// [`Environment::custom`]) or else `PAYNET_ENV` (`production` or
    /// `sandbox`, in any case; nothing else, not even `prod` or `test`).
    /// Neither set is an error: the client never picks an environment,
    /// least of all production, on its own or from a guess.
    pub fn from_env() -> Result<Self, ConfigError> {
        if let Ok(url) = std::env::var("PAYNET_BASE_URL") {
            return Environment::custom(url.trim());
        }
        match std::env::var("PAYNET_ENV") {
            Ok(value) => value.parse(),
            Err(_) => Err(ConfigError::NoEnvironment),
        }
    }

    /// Whether the base URL names this machine (`localhost`, `127.0.0.0/8`,
    /// `[::1]`).
    fn is_loopback(&self) -> bool {
        match self {
            Environment::Production | Environment::Sandbox => false,
            Environment::Custom(url) => is_loopback(url),
        }
    }

    /// The base URL, without a trailing slash.
    pub fn base_url(&self) -> String {
        match self {
            Environment::Production => Self::PRODUCTION_URL.to_string(),
            Environment::Sandbox => Self::SANDBOX_URL.to_string(),
            Environment::Custom(url) => url.as_str().trim_end_matches('/').to_string(),
        }
    }
}

impl std::str::FromStr for Environment {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            // No aliases: a value that merely looks like one of these names
            // (`prod`, `live`, `test`) could be a typo for the other, and a
            // payment client must never guess production.
            "production" => Ok(Environment::Production),
            "sandbox" => Ok(Environment::Sandbox),
            _ => Err(ConfigError::UnknownEnvironment {
                value: s.to_string(),
            }),
        }
    }
}

/// `url` with everything between `scheme://` and the last `@` replaced by
/// `[redacted]`. Textual, so that it also covers a URL that does not parse
/// (a password may hold characters that end the host early); an `@` later
/// in the path costs some of the path, never the password.
fn redact_userinfo(url: &str) -> String {
    let start = url.find("://").map_or(0, |i| i + 3);
    match url[start..].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &url[..start], &url[start + at..]),
        None => url.to_string(),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

/// Builds a ready [`paynet_api::Client`]: base URL, credentials, timeouts,
/// `User-Agent`, body limit.
///
/// Defaults: connect timeout 10 s, whole-request timeout 30 s, bodies up to
/// 1 MiB, `User-Agent: paynet-ext/<version>`. The client never follows a
/// redirect (a 3xx is [`crate::Error::Redirected`]), and never sends a request
/// for a loopback base URL through a proxy from the environment; an https
/// base URL may use one.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    environment: Environment,
    secret_key: Option<SecretKey>,
    connect_timeout: Duration,
    timeout: Duration,
    max_body_bytes: usize,
    http_client: Option<reqwest::Client>,
}

impl ClientBuilder {
    /// The default connect timeout.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The default timeout of a whole request.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// The `User-Agent` the client sends.
    pub const USER_AGENT: &'static str = concat!("paynet-ext/", env!("CARGO_PKG_VERSION"));

    /// A builder for `environment`, with no credential yet.
    pub fn new(environment: Environment) -> Self {
        ClientBuilder {
            environment,
            secret_key: None,
            connect_timeout: Self::DEFAULT_CONNECT_TIMEOUT,
            timeout: Self::DEFAULT_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            http_client: None,
        }
    }

    /// A builder from the environment: [`Environment::from_env`] and
    /// `PAYNET_SECRET_KEY`, which must be set: without it, the first classic
    /// call would fail instead. A client for the SoftPOS operations alone
    /// comes from [`ClientBuilder::from_env_without_secret_key`].
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::from_env_without_secret_key()?.secret_key(SecretKey::from_env()?))
    }

    /// A builder from [`Environment::from_env`] alone, with no secret key:
    /// for a service that calls only the operations that need none (the
    /// SoftPOS operations, which take the mobile session key per call).
    /// `PAYNET_SECRET_KEY` is not read, even when set; a classic operation
    /// on the client is refused before anything is sent.
    pub fn from_env_without_secret_key() -> Result<Self, ConfigError> {
        Ok(ClientBuilder::new(Environment::from_env()?))
    }

    /// The merchant secret key, for the operations whose spec requires it.
    pub fn secret_key(mut self, key: SecretKey) -> Self {
        self.secret_key = Some(key);
        self
    }

    /// How long to wait for a connection.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long a whole request may take, answer included.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest response body read; a larger one is refused with
    /// [`crate::Error::BodyTooLarge`] without being read whole.
    pub fn max_body_bytes(mut self, limit: usize) -> Self {
        self.max_body_bytes = limit;
        self
    }

    /// Use this reqwest client instead of the builder's own: its timeouts,
    /// TLS roots, `User-Agent`, proxies and redirect policy then apply, and
    /// none of them can be read back from a `reqwest::Client` to be checked.
    /// So build it as the builder's own is built:
    ///
    /// - `.redirect(reqwest::redirect::Policy::none())`: reqwest follows
    ///   redirects by default, and on a 307 or 308 sends the reversal again,
    ///   `Session-Key` included, to wherever it points;
    /// - `.no_proxy()` when the base URL is loopback: reqwest otherwise sends
    ///   a plain-http request, secret key included, to the proxy named in
    ///   `HTTP_PROXY`.
    ///
    /// Without this method the builder's own client does both.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Builds the client. A base URL is checked again as by
    /// [`Environment::custom`], since `Environment::Custom` can be made by
    /// hand.
    pub fn build(self) -> Result<paynet_api::Client, ConfigError> {
        // `Environment::Custom` can be built by hand, past the checks of
        // `Environment::custom`: a URL with a password or plain http to
        // another host never becomes a client.
        if let Environment::Custom(url) = &self.environment {
            Environment::custom(url.as_str())?;
        }
        let http = match self.http_client {
            Some(client) => client,
            None => {
                ensure_crypto_provider();
                let builder = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout)
                    .timeout(self.timeout)
                    .user_agent(Self::USER_AGENT)
                    // A 307 or 308 would make reqwest send the reversal again
                    // to wherever it points (and `Session-Key` with it, to any
                    // host): every request goes to the base URL, once.
                    .redirect(reqwest::redirect::Policy::none());
                // reqwest takes proxies from `HTTP_PROXY` and friends and does
                // not exempt loopback: a plain-http simulator's `Authorization`
                // would cross to the proxy in clear text. An https base URL
                // may go through one (it then sees only a `CONNECT`).
                let builder = if self.environment.is_loopback() {
                    builder.no_proxy()
                } else {
                    builder
                };
                builder.build().map_err(ConfigError::HttpClient)?
            }
        };
        let mut state = ClientState::default().with_max_body_bytes(self.max_body_bytes);
        if let Some(key) = &self.secret_key {
            state = state
                .with_credential(SECRET_KEY_SCHEME, key.header_value())
                .expect("spec/paynet.json defines the secret_key scheme");
        }
        Ok(paynet_api::Client::new_with_client(
            &self.environment.base_url(),
            http,
            state,
        ))
    }
}

/// With `rustls-ring` alone, reqwest has no rustls crypto provider of its
/// own and panics building a client unless the process has a default one:
/// install ring as that default, unless something else was installed first
/// (then that one is used). With aws-lc or native-tls, nothing to do.
#[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
fn ensure_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // An error means another thread installed one in between: fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

#[cfg(not(all(feature = "rustls-ring", not(feature = "rustls-aws-lc"))))]
fn ensure_crypto_provider() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_environments_have_paynets_hosts() {
        assert_eq!(
            Environment::Production.base_url(),
            "https://api.paynet.com.tr"
        );
        assert_eq!(
            Environment::Sandbox.base_url(),
            "https://pts-api.paynet.com.tr"
        );
        assert_eq!(
            "Sandbox".parse::<Environment>().unwrap(),
            Environment::Sandbox
        );
        assert_eq!(
            "production".parse::<Environment>().unwrap(),
            Environment::Production
        );
        assert_eq!(
            " PRODUCTION\n".parse::<Environment>().unwrap(),
            Environment::Production
        );
        let err = "staging".parse::<Environment>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "PAYNET_ENV is \"staging\"; expected production or sandbox"
        );
        for alias in ["prod", "live", "test", "sand", "production-eu", ""] {
            assert!(
                matches!(
                    alias.parse::<Environment>(),
                    Err(ConfigError::UnknownEnvironment { .. })
                ),
                "{alias:?} was accepted"
            );
        }
    }

    #[test]
    fn a_config_error_debugs_as_its_sentence() {
        // What `main` returning `Err(ConfigError)` prints after `Error: `.
        for err in [
            ConfigError::NoEnvironment,
            ConfigError::MissingVariable("PAYNET_SECRET_KEY"),
            "prod".parse::<Environment>().unwrap_err(),
        ] {
            assert_eq!(format!("{err:?}"), err.to_string());
            assert_eq!(format!("{err:#?}"), err.to_string());
        }
        assert_eq!(
            format!("{:?}", ConfigError::MissingVariable("PAYNET_SECRET_KEY")),
            "the environment variable PAYNET_SECRET_KEY is not set"
        );
    }

    #[test]
    fn plain_http_is_only_for_loopback() {
        for ok in [
            "http://127.0.0.1:8080",
            "http://localhost:1/",
            "http://[::1]:9",
            "http://127.5.0.1",
            "https://paynet.example.com/proxy/",
        ] {
            assert!(Environment::custom(ok).is_ok(), "{ok}");
        }
        assert_eq!(
            Environment::custom("https://paynet.example.com/proxy/")
                .unwrap()
                .base_url(),
            "https://paynet.example.com/proxy"
        );
        let err = Environment::custom("http://10.0.0.5:8080").unwrap_err();
        assert!(matches!(err, ConfigError::PlainHttp { .. }));
        assert_eq!(
            err.to_string(),
            "the base URL \"http://10.0.0.5:8080\" uses plain http to a host that is not loopback; Paynet only answers over https, and a secret key must not cross a network unencrypted"
        );
        assert!(matches!(
            Environment::custom("http://localhost.evil.com"),
            Err(ConfigError::PlainHttp { .. })
        ));
        assert!(matches!(
            Environment::custom("ftp://localhost"),
            Err(ConfigError::InvalidUrl { .. })
        ));
        assert!(matches!(
            Environment::custom("not a url"),
            Err(ConfigError::InvalidUrl { .. })
        ));
    }

    #[test]
    fn a_base_url_with_user_info_is_refused_without_repeating_it() {
        for url in [
            "https://merchant:hunter2@paynet.example.com",
            "https://merchant@paynet.example.com",
            "https://:hunter2@paynet.example.com",
            "http://merchant:hunter2@127.0.0.1:8080",
        ] {
            let err = Environment::custom(url).unwrap_err();
            assert!(
                matches!(err, ConfigError::CredentialsInUrl { .. }),
                "{url}: {err}"
            );
            assert!(!err.to_string().contains("hunter2"), "{err}");
            assert!(!err.to_string().contains("merchant"), "{err}");
        }
        assert_eq!(
            Environment::custom("https://merchant:hunter2@paynet.example.com")
                .unwrap_err()
                .to_string(),
            "the base URL \"https://[redacted]@paynet.example.com\" carries a user name or password; Paynet takes credentials in headers only: give the secret key with ClientBuilder::secret_key"
        );
        // Other refusals redact it too, even of a URL that does not parse.
        assert_eq!(
            redact_userinfo("https://u:p/ss@host:1/base"),
            "https://[redacted]@host:1/base"
        );
        assert_eq!(redact_userinfo("u:p@host"), "[redacted]@host");
        assert_eq!(redact_userinfo("https://host/x"), "https://host/x");
        let err = Environment::custom("http://u:hunter2@10.0.0.5").unwrap_err();
        assert!(!format!("{err} {err:?}").contains("hunter2"), "{err:?}");
        // A hand-made environment prints and builds no better.
        let by_hand = Environment::Custom(Url::parse("https://u:hunter2@example.com").unwrap());
        assert_eq!(
            format!("{by_hand:?}"),
            "Custom(https://[redacted]@example.com/)"
        );
        assert!(matches!(
            ClientBuilder::new(by_hand).build(),
            Err(ConfigError::CredentialsInUrl { .. })
        ));
    }

    /// Run by CI once per TLS feature (`--no-default-features --features
    /// ...`): building an https client must not panic for lack of a
    /// crypto provider, and must give a client whose base URL is Paynet's.
    #[test]
    fn an_https_client_builds_with_the_chosen_tls_stack() {
        let client = ClientBuilder::new(Environment::Sandbox)
            .secret_key(SecretKey::new("sck_tls").unwrap())
            .build()
            .unwrap();
        assert_eq!(
            paynet_api::ClientInfo::baseurl(&client),
            "https://pts-api.paynet.com.tr"
        );
        #[cfg(all(feature = "rustls-ring", not(feature = "rustls-aws-lc")))]
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
    }

    #[test]
    fn a_base_url_says_what_to_write_instead() {
        let reason = |url: &str| match Environment::custom(url) {
            Err(ConfigError::InvalidUrl { reason, .. }) => reason,
            other => panic!("{url}: {other:?}"),
        };
        assert!(reason("127.0.0.1:18080").starts_with("it has no scheme: write https://"));
        assert!(reason("localhost:8080").contains("write http://localhost:8080"));
        for url in ["https://api.paynet.com.tr/v1", "http://127.0.0.1:18080/v1/"] {
            assert!(reason(url).starts_with("the operations' paths already start with /v1"));
        }
        // a prefix before /v1 of the operations stays possible (a gateway)
        assert!(Environment::custom("https://gateway.example/paynet").is_ok());
    }

    #[test]
    fn the_builder_debug_output_hides_the_key() {
        let builder = ClientBuilder::new(Environment::Sandbox)
            .secret_key(SecretKey::new("sck_hidden").unwrap());
        let text = format!("{builder:?}");
        assert!(!text.contains("sck_hidden"), "{text}");
        assert!(text.contains("SecretKey([redacted])"), "{text}");
        let client = builder.build().unwrap();
        let text = format!("{client:?}");
        assert!(!text.contains("sck_hidden"), "{text}");
        assert!(text.contains("secret_key"), "{text}");
    }
}
