//! The merchant secret key and the session key appear in no snapshot, no
//! error `Display` or `Debug`, no `Debug` of the client, and no `tracing`
//! output, whatever the call ends in.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_ext::{SecretKey, SessionKey};
use paynet_tests::{
    SECRET, SESSION, builder, capture_reversal, client, fixture, init_reversal, preauth_reversal,
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
    let slow = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_delay(Duration::from_secs(5)))
        .mount(&slow)
        .await;
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

#[test]
fn no_secret_in_any_snapshot() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots");
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
