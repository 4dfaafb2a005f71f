//! Helpers shared by the integration tests: fixtures, a client pointed at a
//! local wiremock server, and the request shape the snapshots record.

pub mod bench;
pub mod spec_gen;

use paynet_ext::CallExt;
use std::collections::BTreeMap;
use std::path::PathBuf;

use paynet_ext::{ClientBuilder, Environment, SecretKey};
use serde_json::{Value, json};

/// The secret key every test client uses. The tests assert that it appears
/// in no snapshot, error message, `Debug` output or log line.
pub const SECRET: &str = "sck_TEST_c0ffee_must_never_leak";

/// The session key the SoftPOS tests use; as secret as [`SECRET`].
pub const SESSION: &str = "sess_TEST_must_never_leak_either";

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A client for `base` (a loopback server) with the test secret key.
pub fn client(base: &str) -> paynet_api::Client {
    builder(base).build().expect("client")
}

/// A builder for `base` with the test secret key.
pub fn builder(base: &str) -> ClientBuilder {
    ClientBuilder::new(Environment::custom(base).expect("loopback URL"))
        .secret_key(SecretKey::new(SECRET).unwrap())
}

/// The shape of a request as the server received it: method, path, every
/// header but `host` (its port changes from run to run), and the JSON body.
/// Credentials are replaced by `[redacted]`, so the snapshot shows that they
/// were there and in which form, never their value; a credential with a value
/// other than the test's makes this panic.
pub fn shape(request: &wiremock::Request) -> Value {
    let mut headers = BTreeMap::new();
    for (name, value) in &request.headers {
        let name = name.as_str();
        if name == "host" {
            continue;
        }
        let value = value.to_str().expect("ASCII header");
        let shown = match name {
            "authorization" => {
                assert_eq!(
                    value,
                    format!("Basic {SECRET}"),
                    "authorization header form"
                );
                "Basic [redacted]".to_string()
            }
            "session-key" => {
                assert_eq!(value, SESSION, "session-key header");
                "[redacted]".to_string()
            }
            _ => value.to_string(),
        };
        headers.insert(name.to_string(), shown);
    }
    let body: Value = if request.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&request.body).expect("the client sends JSON")
    };
    json!({
        "method": request.method.as_str(),
        "path": request.url.path(),
        "headers": headers,
        "body": body,
    })
}

/// A capture reversal of `xact_id` through `paynet_ext::call`.
pub async fn capture_reversal(
    client: &paynet_api::Client,
    xact_id: &str,
) -> Result<paynet_ext::Reply<paynet_api::types::CaptureReversalResponse>, paynet_ext::Error> {
    client
        .capture_reversal()
        .body_map(|b| b.xact_id(xact_id))
        .call()
        .await
}

/// A pre-authorisation reversal of `xact_id` through `paynet_ext::call`.
pub async fn preauth_reversal(
    client: &paynet_api::Client,
    xact_id: &str,
) -> Result<paynet_ext::Reply<paynet_api::types::PreauthReversalResponse>, paynet_ext::Error> {
    client
        .preauth_reversal()
        .body_map(|b| b.xact_id(xact_id))
        .call()
        .await
}

/// The workspace README's examples compile as doctests of this crate, which
/// is never published and so may read a file outside its own directory.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
