//! A redirect is never followed. reqwest follows up to ten by default, and on
//! a 307 or 308 it sends the POST again, body and all, to the new address: a
//! second reversal. On a change of host it drops `Authorization` but keeps
//! `Session-Key`. The client `ClientBuilder` makes sends each request once,
//! to the base URL only; the 3xx comes back as `Error::Redirected`, naming
//! the status and where it pointed.

use paynet_ext::SessionKey;
use paynet_tests::{SESSION, answering, assert_matches, capture_reversal, client, json_answer};
use wiremock::matchers::{any, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A server that answers every request with a success, so that a followed
/// redirect would end in `Ok`.
async fn target() -> MockServer {
    answering(json_answer(200, "capture_reversal_success.json")).await
}

/// A server that redirects the capture reversal to `location` with `status`,
/// and answers anything else with a success.
async fn redirecting(status: u16, location: impl Fn(&str) -> String) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/transaction/capture_reversal"))
        .respond_with(
            ResponseTemplate::new(status)
                .insert_header("location", location(&server.uri()).as_str()),
        )
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(json_answer(200, "capture_reversal_success.json"))
        .mount(&server)
        .await;
    server
}

fn assert_redirect_refused(err: &paynet_ext::Error, status: u16, to: &str) {
    assert_matches!(err, paynet_ext::Error::Redirected { status: s, location: Some(l), .. } if *s == status && l == to);
    assert_eq!(err.status(), Some(status), "{err}");
    let text = err.to_string();
    assert!(text.contains(&format!("HTTP {status}")), "{text}");
    assert!(text.contains(to), "{text}");
    // The server answered, but not with an outcome: check the transaction.
    assert!(err.is_outcome_unknown(), "{err}");
    assert!(!err.is_retry_safe(), "{err}");
}

#[tokio::test]
async fn a_redirect_to_the_same_host_is_not_followed() {
    for status in [307, 308, 301, 302, 303] {
        let server = redirecting(status, |base| format!("{base}/v1/elsewhere")).await;
        let err = capture_reversal(&client(&server.uri()), "xk_1")
            .await
            .expect_err("a redirect is not an answer");
        assert_redirect_refused(&err, status, &format!("{}/v1/elsewhere", server.uri()));
        let seen = server.received_requests().await.unwrap();
        assert_eq!(
            seen.len(),
            1,
            "HTTP {status}: the server saw {} requests: {:?}",
            seen.len(),
            seen.iter().map(|r| r.url.path()).collect::<Vec<_>>()
        );
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_sends_nothing_there() {
    for status in [307, 308] {
        let elsewhere = target().await;
        let uri = elsewhere.uri();
        let location = format!("{uri}/v1/transaction/capture_reversal");
        let server = redirecting(status, |_| location.clone()).await;
        let err = capture_reversal(&client(&server.uri()), "xk_1")
            .await
            .expect_err("a redirect is not an answer");
        assert_redirect_refused(&err, status, &location);
        assert_eq!(server.received_requests().await.unwrap().len(), 1);
        let leaked = elsewhere.received_requests().await.unwrap();
        assert!(
            leaked.is_empty(),
            "HTTP {status}: {} request(s) reached the other host",
            leaked.len()
        );
    }
}

#[tokio::test]
async fn a_softpos_redirect_does_not_carry_the_session_key_elsewhere() {
    let elsewhere = target().await;
    let location = format!("{}/v1/softpos/init_reversal_transaction", elsewhere.uri());
    let server =
        answering(ResponseTemplate::new(307).insert_header("location", location.as_str())).await;
    let session = SessionKey::new(SESSION).unwrap();
    let err = paynet_ext::call(
        client(&server.uri())
            .init_reversal_transaction()
            .session_key(session.expose_secret())
            .body_map(|b| b.xact_id("enc".to_string())),
    )
    .await
    .expect_err("a redirect is not an answer");
    assert_redirect_refused(&err, 307, &location);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
}
