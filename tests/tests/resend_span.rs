//! The re-send policy's log: one event per attempt, inside the
//! `paynet_resend` span.
//!
//! Alone in its test binary on purpose. The test captures log output with
//! a thread-local subscriber (`set_default`); tracing caches whether a
//! log line's call site is wanted, and when another test of the same
//! binary reaches the same call site first, on another thread with no
//! subscriber, that cache can say "not wanted" and the event is lost (a
//! known race between scoped subscribers and the cache). With no other
//! test here, nothing else reaches the call site.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_ext::{Error, ResendExt, ResendPolicy};
use paynet_tests::client;

/// Waits short enough for a test, long enough to be a backoff.
fn quick(deadline: Duration) -> ResendPolicy {
    ResendPolicy::until(deadline).backoff(Duration::from_millis(20), Duration::from_millis(80))
}

fn client_for(server: &wiremock::MockServer) -> paynet_api::Client {
    client(&server.uri())
}

#[tokio::test]
async fn every_attempt_is_an_event_in_the_resend_span() {
    let logs = Arc::new(Mutex::new(Vec::<u8>::new()));
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || Captured(writer.clone()))
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let server = paynet_tests::answering_unknown().await;
    let err = client_for(&server)
        .capture_reversal()
        .body_map(|b| b.xact_id("xk_1"))
        .call_resending(quick(Duration::from_millis(200)))
        .await
        .unwrap_err();
    let Error::Unresolved { attempts, .. } = err else {
        panic!("{err:?}");
    };
    let text = String::from_utf8(logs.lock().unwrap().clone()).unwrap();
    let events: Vec<&str> = text
        .lines()
        .filter(|l| l.contains("paynet resend attempt"))
        .collect();
    assert_eq!(events.len(), attempts as usize, "{text}");
    for (n, line) in events.iter().enumerate() {
        assert!(
            line.contains("paynet_resend{operation=\"capture_reversal\""),
            "{line}"
        );
        assert!(line.contains(&format!("attempt={}", n + 1)), "{line}");
        assert!(line.contains("outcome=\"undecodable\""), "{line}");
    }
}

struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
