//! The merchant secret key and the session key appear in no snapshot, no
//! error `Display` or `Debug`, no `Debug` of the client, and no `tracing`
//! output, whatever the call ends in.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_ext::{ClientBuilder, ConfigError, Environment, SecretKey, SessionKey};
use paynet_tests::{
    SECRET, SESSION, answering, assert_matches, builder, capture_reversal, client, fixture,
    init_reversal, preauth_reversal,
};
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Captured {
    /// Sends this thread's `tracing` output, every level, into a new
    /// `Captured` until the guard is dropped.
    fn install() -> (Captured, tracing::subscriber::DefaultGuard) {
        let logs = Captured::default();
        let writer = logs.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish();
        (logs, tracing::subscriber::set_default(subscriber))
    }

    /// Everything written so far.
    fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn assert_clean(what: &str, text: &str) {
    assert!(
        !text.contains(SECRET),
        "the secret key leaked into {what}: {text}"
    );
    assert!(
        !text.contains(SESSION),
        "the session key leaked into {what}: {text}"
    );
    // The raw key without its prefix, in case something strips `sck_`.
    assert!(
        !text.contains("c0ffee_must_never_leak"),
        "part of the secret key leaked into {what}: {text}"
    );
}

#[tokio::test]
async fn no_secret_in_errors_debug_output_or_logs() {
    let (logs, _guard) = Captured::install();

    let server = MockServer::start().await;
    for (route, status, body) in [
        (
            "/v1/transaction/capture_reversal",
            401,
            fixture("error_401.json"),
        ),
        (
            "/v1/transaction/preauth_reversal",
            200,
            fixture("preauth_reversal_example.json"),
        ),
        (
            "/v1/softpos/init_reversal_transaction",
            400,
            fixture("softpos_400.json"),
        ),
    ] {
        Mock::given(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&server)
            .await;
    }
    let client = client(&server.uri());
    let session = SessionKey::new(SESSION).unwrap();
    let mut texts = vec![
        format!("{client:?}"),
        format!("{:?}", builder(&server.uri())),
        format!("{:?}", SecretKey::new(SECRET).unwrap()),
        format!("{session:?}"),
    ];

    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    assert!(err.is_unauthorized());
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));

    preauth_reversal(&client, "xk_1").await.unwrap();

    let err = init_reversal(&client, session.expose_secret(), "enc")
        .await
        .unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));

    // Transport errors and timeouts carry reqwest's error, URL included.
    let slow = answering(ResponseTemplate::new(200).set_delay(Duration::from_secs(5))).await;
    let client = builder(&slow.uri())
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let err = capture_reversal(&client, "xk_1").await.unwrap_err();
    texts.push(err.to_string());
    texts.push(format!("{err:?}"));

    for (i, text) in texts.iter().enumerate() {
        assert_clean(&format!("text #{i}"), text);
    }
    let logs = logs.text();
    assert_clean("the tracing output", &logs);
    // The logs did capture the calls: one span per operation, named after it.
    for name in [
        "capture_reversal",
        "preauth_reversal",
        "init_reversal_transaction",
    ] {
        assert!(
            logs.contains(&format!("{name}{{")),
            "no span {name} in:\n{logs}"
        );
    }
    assert!(logs.contains("outcome=\"unauthorized\""), "{logs}");
    assert!(logs.contains("result_code=0"), "{logs}");
}

/// Tells whether a type implements `Display`, without requiring it to: the
/// inherent method wins when it applies, the trait method otherwise.
struct Probe<T>(T);

impl<T: std::fmt::Display> Probe<T> {
    fn is_display(&self) -> bool {
        true
    }
}

trait NotDisplay {
    fn is_display(&self) -> bool {
        false
    }
}

impl<T> NotDisplay for Probe<T> {}

/// Every public type of paynet-ext that can hold a credential, in `Debug`
/// and, where it has one, `Display`. The base URLs carry the secret key as
/// a password: Paynet takes credentials in headers only, so such a URL is
/// refused, and neither the refusal nor anything made from it repeats it.
#[test]
fn no_secret_in_the_configuration_types() {
    let mut texts = Vec::new();

    let key = SecretKey::new(SECRET).unwrap();
    let session = SessionKey::new(SESSION).unwrap();
    texts.push(format!("{key:?}"));
    texts.push(format!("{session:?}"));
    let dated = session.clone().with_expired_date("2026-11-30T12:00:00");
    texts.push(format!("{dated:?}"));
    texts.push(format!("{dated:#?}"));
    // Neither key can be printed with `{}` at all; nor can the types that
    // hold one, other than the errors.
    assert!(!Probe(&key).is_display(), "SecretKey implements Display");
    assert!(
        !Probe(&session).is_display(),
        "SessionKey implements Display"
    );
    assert!(!Probe(&Environment::Sandbox).is_display());
    assert!(!Probe(&ClientBuilder::new(Environment::Sandbox)).is_display());
    assert!(Probe(ConfigError::NoEnvironment).is_display());

    let mut errors: Vec<ConfigError> = Vec::new();
    for url in [
        format!("https://merchant:{SECRET}@paynet.example.com"),
        format!("https://{SECRET}@paynet.example.com"),
        format!("https://{SECRET}:@paynet.example.com"),
        format!("http://merchant:{SECRET}@127.0.0.1:8080"),
        format!("http://merchant:{SECRET}@192.0.2.1:8080"),
        format!("ftp://merchant:{SECRET}@localhost"),
        format!("https://merchant:{SECRET}@paynet.example.com:not_a_port"),
        format!("https://merchant:{SECRET}@paynet.example.com/?q=1"),
        format!("merchant:{SECRET}@paynet.example.com"),
    ] {
        let err = Environment::custom(&url).expect_err(&url);
        errors.push(err);
    }
    assert!(
        errors[..4]
            .iter()
            .all(|e| matches!(e, ConfigError::CredentialsInUrl { .. })),
        "{errors:?}"
    );
    // The same URL built by hand, past `Environment::custom`'s checks.
    let url =
        reqwest::Url::parse(&format!("https://merchant:{SECRET}@paynet.example.com")).unwrap();
    let environment = Environment::Custom(url);
    texts.push(format!("{environment:?}"));
    let builder = ClientBuilder::new(environment).secret_key(key.clone());
    texts.push(format!("{builder:?}"));
    let err = builder.build().expect_err("a base URL with a password");
    assert_matches!(err, ConfigError::CredentialsInUrl { .. });
    errors.push(err);

    errors.push(SecretKey::new(format!("{SECRET} {SECRET}")).unwrap_err());
    errors.push(SessionKey::new(format!("{SESSION}\u{7f}")).unwrap_err());
    for err in &errors {
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
        texts.push(format!("{err:#?}"));
    }

    let builder = ClientBuilder::new(Environment::Sandbox).secret_key(key);
    texts.push(format!("{builder:?}"));
    texts.push(format!("{builder:#?}"));
    let client = builder.build().unwrap();
    texts.push(format!("{client:?}"));
    texts.push(format!("{client:#?}"));

    for (i, text) in texts.iter().enumerate() {
        assert_clean(&format!("text #{i}"), text);
    }
}

#[test]
fn the_simulators_config_debug_redacts_both_keys() {
    let config = paynet_mock::Config {
        secret_key: SECRET.to_string(),
        session_key: SESSION.to_string(),
        ..paynet_mock::Config::default()
    };
    for text in [format!("{config:?}"), format!("{config:#?}")] {
        assert_clean("the simulator's Config Debug", &text);
        // Present, but redacted; the rest stays readable.
        assert!(text.contains("secret_key: [redacted]"), "{text}");
        assert!(text.contains("session_key: [redacted]"), "{text}");
        assert!(text.contains("127.0.0.1"), "{text}");
    }
}

#[test]
fn no_secret_in_any_snapshot() {
    let dir = paynet_tests::scratch::repo_root().join("tests/tests/snapshots");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert_clean(&path.display().to_string(), &text);
        seen += 1;
    }
    assert!(
        seen >= 6,
        "expected the request-shape snapshots in {}",
        dir.display()
    );
}

#[test]
fn generated_builders_redact_their_header_arguments() {
    let client = client("http://127.0.0.1:9");
    let softpos = client
        .init_reversal_transaction()
        .session_key(SESSION)
        .body_map(|b| b.xact_id("xk_visible".to_string()));
    let text = format!("{softpos:?}");
    assert_clean("the SoftPOS builder's Debug", &text);
    assert!(text.contains("session_key: \"[redacted]\""), "{text}");
    // The body is not a secret and stays visible for debugging.
    assert!(text.contains("xk_visible"), "{text}");
    for text in [
        format!(
            "{:?}",
            client.capture_reversal().body_map(|b| b.xact_id("xk_1"))
        ),
        format!(
            "{:?}",
            client.preauth_reversal().body_map(|b| b.xact_id("xk_1"))
        ),
    ] {
        assert_clean("a classic builder's Debug", &text);
        assert!(text.contains("xk_1"), "{text}");
    }
}

#[tokio::test]
async fn a_failed_call_logs_no_body() {
    let (logs, _guard) = Captured::install();
    let server = MockServer::start().await;
    // A truncated answer that names a card holder: an unreadable body.
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_raw(
            br#"{"code":0,"is_succeed":true,"card_holder":"AYSE YILMAZ","authorization_code":"A1B2"#
                .to_vec(),
            "application/json",
        ))
        .mount(&server)
        .await;
    let err = capture_reversal(&client(&server.uri()), "xk_1")
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    let text = logs.text();
    assert!(text.contains("outcome=\"undecodable\""), "{text}");
    assert!(text.contains("body_bytes=82"), "{text}");
    for private in ["AYSE", "A1B2"] {
        assert!(!text.contains(private), "the body reached the log: {text}");
        assert!(!err.to_string().contains(private), "{err}");
    }
    assert!(err.body_snippet().unwrap().contains("AYSE"));
}

/// `{err:?}` is what `unwrap()`, `?` out of `main` and a failed test print.
/// A body holds card holders' names and contact details: no error's or
/// reply's `Debug` may show its bytes (a new user's quick start printed a
/// whole decline, card holder included, through `?` in `main`).
#[test]
fn no_body_in_errors_or_replies_debug_output() {
    use paynet_api::types::CaptureReversalResponse;
    use paynet_ext::{Error, map_body};

    const MARK: &str = "Ayse Yilmaz PIIMARK";
    let declined = String::from_utf8(paynet_tests::fixture("capture_reversal_declined.json"))
        .unwrap()
        .replace("\"cardholder\"", &format!("\"{MARK}\""));
    let success = String::from_utf8(paynet_tests::fixture("capture_reversal_success.json"))
        .unwrap()
        .replace(
            "\"instalment\": 0",
            &format!("\"instalment\": {{\"holder\": \"{MARK}\"}}"),
        );
    let cases: Vec<(u16, String, &str)> = vec![
        (200, declined.clone(), "BankDeclined"),
        (
            200,
            declined
                .replace("\"is_succeed\": false", "\"is_succeed\": true")
                .replace("\"code\": 0", "\"code\": 1"),
            "Inconsistent",
        ),
        (
            500,
            format!("<html><body>{MARK}</body></html>"),
            "Undecodable",
        ),
        (
            200,
            declined[..declined.len() / 2].to_string(),
            "Undecodable",
        ),
        (
            401,
            format!("{{\"type\":\"authorization_error\",\"message\":\"m\",\"card\":\"{MARK}\"}}"),
            "Unauthorized",
        ),
        (
            400,
            format!("{{\"type\":\"invalid_request_error\",\"message\":\"m\",\"card\":\"{MARK}\"}}"),
            "Http",
        ),
    ];
    for (status, body, variant) in cases {
        let len = body.len();
        let err = map_body::<CaptureReversalResponse>(status, body.into()).unwrap_err();
        let text = format!("{err:?}");
        assert!(text.starts_with(variant), "{variant}: {text}");
        assert!(!text.contains("PIIMARK"), "{variant}: {text}");
        assert!(!text.contains("cardholder"), "{variant}: {text}");
        assert!(
            text.contains(&format!("body: <{len} bytes>")),
            "{variant}: {text}"
        );
        assert!(matches!(
            err,
            Error::BankDeclined { .. }
                | Error::Inconsistent { .. }
                | Error::Undecodable { .. }
                | Error::Unauthorized { .. }
                | Error::Http { .. }
        ));
    }
    // A field that did not decode is kept, and its text is not printed.
    let reply = map_body::<CaptureReversalResponse>(200, success.clone().into()).unwrap();
    assert_eq!(reply.undecoded_fields().len(), 1, "{success}");
    let text = format!("{reply:?}");
    assert!(!text.contains("PIIMARK"), "{text}");
    assert!(
        text.contains(&format!("body: <{} bytes>", success.len())),
        "{text}"
    );
    assert!(text.contains("field: \"instalment\""), "{text}");
}

/// A session key obtained from `get_auth_key`: its `SessionKey`, the
/// helper's errors (whose answers carried the key) and the tracing output
/// never show it.
#[tokio::test]
async fn no_session_key_from_get_auth_key_in_its_type_errors_or_logs() {
    use paynet_ext::SessionKeyExt;
    let (logs, _guard) = Captured::install();
    let mut texts = Vec::new();

    let good = format!(
        r#"{{"session_key":"{SESSION}","expired_date":"2026-11-30T12:00:00.000","code":0,"message":"ok"}}"#
    );
    let server = answering(ResponseTemplate::new(200).set_body_raw(good, "application/json")).await;
    let session = client(&server.uri())
        .obtain_session_key("1234", "kasiyer1")
        .await
        .unwrap();
    assert_eq!(session.expose_secret(), SESSION);
    texts.push(format!("{session:?}"));
    texts.push(format!("{session:#?}"));
    assert!(texts[0].contains("2026-11-30T12:00:00.000"), "{}", texts[0]);
    assert!(!Probe(&session).is_display());

    // Answers that carry a key but are not a success: a failing code, a
    // body cut short, an HTTP error body.
    for (status, body) in [
        (
            200,
            format!(r#"{{"session_key":"{SESSION}","code":1,"message":"no"}}"#),
        ),
        (200, format!(r#"{{"code":0,"session_key":"{SESSION}"#)),
        (
            400,
            format!(r#"{{"object_name":"e","code":7,"message":"m","session_key":"{SESSION}"}}"#),
        ),
    ] {
        let server =
            answering(ResponseTemplate::new(status).set_body_raw(body, "application/json")).await;
        let err = client(&server.uri())
            .obtain_session_key("1234", "kasiyer1")
            .await
            .unwrap_err();
        texts.push(err.to_string());
        texts.push(format!("{err:?}"));
        texts.push(format!("{err:#?}"));
        texts.push(err.body_snippet().unwrap_or_default());
        texts.push(String::from_utf8_lossy(err.raw_body().unwrap_or_default()).into_owned());
        if let Some(answer) = err.response::<paynet_api::types::AuthResponse>() {
            texts.push(format!("{answer:?}"));
        }
        // What remains of the body still says what happened.
        assert!(
            String::from_utf8_lossy(err.raw_body().unwrap()).contains("[redacted]"),
            "{err:?}"
        );
    }
    for (i, text) in texts.iter().enumerate() {
        assert_clean(&format!("text #{i}"), text);
    }
    let logs = logs.text();
    assert_clean("the tracing output", &logs);
    assert!(logs.contains("get_auth_key{"), "{logs}");
}

/// `client.get_auth_key()...call()` gives the answer as generated: its
/// `session_key` is a `SecretText`, so `{:?}` of the reply shows no key.
#[test]
fn the_raw_get_auth_key_reply_debug_hides_the_key() {
    use paynet_api::types::AuthResponse;
    let body = format!(
        r#"{{"session_key":"{SESSION}","expired_date":"2026-11-30T12:00:00.000","code":0,"message":"ok"}}"#
    );
    let reply = paynet_ext::map_body::<AuthResponse>(200, body.into()).unwrap();
    assert_eq!(reply.session_key.as_ref().unwrap().expose_secret(), SESSION);
    let text = format!("{reply:?} {:?}", reply.clone().into_inner());
    assert_clean("the get_auth_key reply's Debug", &text);
    assert!(
        text.contains("session_key: Some(SecretText([redacted]))"),
        "{text}"
    );
}

/// The SoftPOS start's `encryption_key` (the payment session's key) is a
/// `SecretText` too: `{:?}` of the reply does not show it.
#[test]
fn the_softpos_start_reply_debug_hides_the_encryption_key() {
    use paynet_api::types::InitReversalResponse;
    let body = paynet_tests::fixture("softpos_init_success.json");
    let key = serde_json::from_slice::<serde_json::Value>(&body).unwrap()["encryption_key"]
        .as_str()
        .unwrap()
        .to_string();
    let reply = paynet_ext::map_body::<InitReversalResponse>(200, body.into()).unwrap();
    assert_eq!(reply.encryption_key.as_ref().unwrap().expose_secret(), key);
    let text = format!("{reply:?}");
    assert!(!text.contains(&key), "{text}");
    assert!(
        text.contains("encryption_key: Some(SecretText([redacted]))"),
        "{text}"
    );
}
