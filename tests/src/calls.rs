//! Fixtures, clients pointed at a loopback server, one call helper per
//! operation, and the request shape the snapshots record.

use std::collections::BTreeMap;

use paynet_api::types::{CaptureReversalResponse, InitReversalResponse, PreauthReversalResponse};
use paynet_ext::{
    CallExt, ClientBuilder, Environment, Error, ErrorAnswer, ErrorType, Reply, ResultCode,
    SecretKey,
};
use serde_json::{Value, json};

/// The secret key every test client uses. The tests assert that it appears
/// in no snapshot, error message, `Debug` output or log line.
pub const SECRET: &str = "sck_TEST_c0ffee_must_never_leak";

/// The session key the SoftPOS tests use; as secret as [`SECRET`].
pub const SESSION: &str = "sess_TEST_must_never_leak_either";

/// The text of `tests/fixtures/<name>`.
pub fn fixture(name: &str) -> Vec<u8> {
    let path = crate::scratch::repo_root()
        .join("tests/fixtures")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A loopback wiremock server that answers every request with `answer`.
pub async fn answering(answer: wiremock::ResponseTemplate) -> wiremock::MockServer {
    let server = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::any())
        .respond_with(answer)
        .mount(&server)
        .await;
    server
}

/// A loopback wiremock server that answers everything with an HTML 500: an
/// answer that leaves the outcome unknown.
pub async fn answering_unknown() -> wiremock::MockServer {
    answering(
        wiremock::ResponseTemplate::new(500)
            .set_body_raw("<html>Internal Server Error</html>", "text/html"),
    )
    .await
}

/// How many requests `server` has received.
pub async fn request_count(server: &wiremock::MockServer) -> usize {
    server.received_requests().await.unwrap_or_default().len()
}

/// An answer with `status` and the fixture `name` as its JSON body.
pub fn json_answer(status: u16, name: &str) -> wiremock::ResponseTemplate {
    wiremock::ResponseTemplate::new(status).set_body_raw(fixture(name), "application/json")
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

/// Asserts that `error` is Paynet's "nothing matched" answer, as Paynet
/// documents it and the simulator gives it for an unknown transaction:
/// HTTP 404, `no_data_error`, result code 12 (no_data).
#[track_caller]
pub fn assert_no_data(error: &Error) {
    crate::assert_matches!(
        error,
        Error::Http(ErrorAnswer {
            status: 404,
            error_type: ErrorType::NoDataError,
            result_code: Some(ResultCode::NoData),
            ..
        })
    );
}

/// Starts an in-process simulator for one test: its slow triggers answer
/// after `slow_delay`, and shutting it down waits at most 100 ms for open
/// connections (a test's own, already done with).
pub async fn simulator(slow_delay: std::time::Duration) -> paynet_mock::MockServer {
    paynet_mock::MockServer::start(paynet_mock::Config {
        slow_delay,
        shutdown_timeout: std::time::Duration::from_millis(100),
        ..paynet_mock::Config::default()
    })
    .await
    .expect("the simulator starts on loopback")
}

/// A client for an in-process simulator, with the secret key it accepts.
pub fn simulator_client(mock: &paynet_mock::MockServer) -> paynet_api::Client {
    simulator_builder(mock).build().expect("client")
}

/// A builder for an in-process simulator, with the secret key it accepts.
pub fn simulator_builder(mock: &paynet_mock::MockServer) -> ClientBuilder {
    ClientBuilder::new(Environment::custom(&mock.base_url()).expect("loopback URL"))
        .secret_key(SecretKey::new(mock.secret_key()).expect("the simulator's key"))
}

/// The shape of a request as the server received it: method, path, every
/// header but `host` (its port changes from run to run), and the JSON body.
/// Credentials are replaced by `[redacted]`, so the snapshot shows that they
/// were there and in which form, never their value; a credential with a value
/// other than the test's, or a `content-length` other than the body's length,
/// makes this panic.
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
            "content-length" => {
                // Snapshots may redact it; here it must match the body.
                assert_eq!(
                    value,
                    request.body.len().to_string(),
                    "content-length header"
                );
                value.to_string()
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

/// A capture reversal of `xact_id`, mapped (`.call()`).
pub async fn capture_reversal(
    client: &paynet_api::Client,
    xact_id: &str,
) -> Result<Reply<CaptureReversalResponse>, Error> {
    client
        .capture_reversal()
        .body_map(|b| b.xact_id(xact_id))
        .call()
        .await
}

/// A pre-authorisation reversal of `xact_id`, mapped (`.call()`).
pub async fn preauth_reversal(
    client: &paynet_api::Client,
    xact_id: &str,
) -> Result<Reply<PreauthReversalResponse>, Error> {
    client
        .preauth_reversal()
        .body_map(|b| b.xact_id(xact_id))
        .call()
        .await
}

/// A SoftPOS reversal start for the encrypted `xact_id` with `session_key`
/// and no optional field, mapped (`.call()`).
pub async fn init_reversal(
    client: &paynet_api::Client,
    session_key: &str,
    xact_id: &str,
) -> Result<Reply<InitReversalResponse>, Error> {
    init_reversal_with(client, session_key, xact_id, None, None).await
}

/// [`init_reversal`] with the optional `reference_no` and `callback_url`
/// set where given.
pub async fn init_reversal_with(
    client: &paynet_api::Client,
    session_key: &str,
    xact_id: &str,
    reference_no: Option<&str>,
    callback_url: Option<&str>,
) -> Result<Reply<InitReversalResponse>, Error> {
    client
        .init_reversal_transaction()
        .session_key(session_key)
        .body_map(|mut b| {
            b = b.xact_id(xact_id.to_string());
            if let Some(r) = reference_no {
                b = b.reference_no(r.to_string());
            }
            if let Some(c) = callback_url {
                b = b.callback_url(c.to_string());
            }
            b
        })
        .call()
        .await
}
