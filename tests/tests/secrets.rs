//! The merchant secret key and the session key appear in no snapshot, no
//! error `Display` or `Debug`, no `Debug` of the client, and no `tracing`
//! output, whatever the call ends in.

use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_ext::{SecretKey, SessionKey};
use paynet_tests::{SECRET, SESSION, builder, capture_reversal, client, fixture, preauth_reversal};
use wiremock::matchers::{any, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A `tracing` writer that keeps everything in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

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
    let logs = Captured::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

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

    let err = paynet_ext::call(
        client
            .init_reversal_transaction()
            .session_key(session.expose_secret())
            .body_map(|b| b.xact_id("enc".to_string()))
            .send(),
    )
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
    let logs = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
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
