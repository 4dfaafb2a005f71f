//! A loopback base URL never goes through a proxy from the environment.
//!
//! reqwest reads `HTTP_PROXY` and friends and does not exempt loopback, so a
//! client for the local simulator (plain http) sent `Authorization: Basic
//! <secret key>` in clear text to whatever proxy the shell had set. An https
//! base URL may still use one: there the proxy only sees a `CONNECT`.
//!
//! The proxy variables are set for a child process (this test binary run
//! again) rather than in this one: setting them here would take `unsafe`
//! code, which the workspace forbids, and would reach the other tests.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use paynet_ext::{ClientBuilder, Environment, SecretKey};
use paynet_mock::{CAPTURE_EXAMPLE_XACT_ID, Config, MockServer};
use paynet_tests::capture_reversal;
use paynet_tests::process::run_ignored_test_in_child;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// A loopback listener standing in for a proxy: it keeps the head of every
/// request it receives and answers 502.
async fn proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let log = log.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                    match socket.read(&mut buf).await {
                        Ok(0) | Err(_) => break,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                log.lock()
                    .unwrap()
                    .push(String::from_utf8_lossy(&head).into_owned());
                let _ = socket
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    (url, seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_loopback_base_url_never_goes_through_a_proxy() {
    let (proxy_url, seen) = proxy().await;
    let mut vars = Vec::new();
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"] {
        vars.push((name, Some(proxy_url.as_str())));
    }
    for name in ["ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"] {
        vars.push((name, None));
    }
    // The stand-in proxy keeps answering on the other worker meanwhile.
    tokio::task::block_in_place(|| run_ignored_test_in_child("calls_through_the_proxy", &vars));

    // The two loopback clients' calls never reached it; the https one's
    // did, as a CONNECT that names the host and carries no credential.
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "{seen:?}");
    assert!(
        seen[0].starts_with("CONNECT paynet.example.com:443 "),
        "{seen:?}"
    );
    assert!(!seen[0].contains(Config::DEFAULT_SECRET_KEY), "{seen:?}");
}

/// The child's side: the calls, with the proxy variables the parent set.
#[tokio::test(flavor = "current_thread")]
#[ignore = "run by a_loopback_base_url_never_goes_through_a_proxy"]
async fn calls_through_the_proxy() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let port = mock.base_url().rsplit(':').next().unwrap().to_string();
    for base in [mock.base_url(), format!("http://localhost:{port}")] {
        let client = ClientBuilder::new(Environment::custom(&base).unwrap())
            .secret_key(SecretKey::new(mock.secret_key()).unwrap())
            .build()
            .unwrap();
        // The first reversal succeeds with 0, the second is the
        // simulator's answer to a repeat (100): either way the answer came
        // from the simulator.
        let answer = capture_reversal(&client, CAPTURE_EXAMPLE_XACT_ID).await;
        match &answer {
            Ok(reply) => assert!(reply.result_code().is_success()),
            Err(e) => panic!("{e}"),
        }
    }

    // An https base URL may use the proxy: it sees a CONNECT, nothing else.
    let client = ClientBuilder::new(Environment::custom("https://paynet.example.com").unwrap())
        .secret_key(SecretKey::new(mock.secret_key()).unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = capture_reversal(&client, "xk_1")
        .await
        .expect_err("the stand-in proxy answers 502 to the CONNECT");
    // The tunnel was refused: the request never reached Paynet.
    assert!(err.is_retry_safe(), "{err}");
    mock.shutdown().await;
}
