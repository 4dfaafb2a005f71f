//! The generated client speaks HTTPS.
//!
//! progenitor-client builds reqwest without TLS; paynet-api's default feature
//! (`rustls-aws-lc`) turns rustls on. This runs with the default; CI builds
//! the other two features and builds an https client with each.
//! Without it every `https://` base URL fails at run time ("scheme is not
//! http") while plain-HTTP tests pass, so this test talks to a TLS server on
//! loopback with a certificate made here.

use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

fn state() -> paynet_api::runtime::ClientState {
    paynet_api::runtime::ClientState::default()
        .with_credential(
            "secret_key",
            reqwest::header::HeaderValue::from_static("Basic sck_test"),
        )
        .unwrap()
}

const BODY: &str =
    r#"{"object_name":"transaction_preauth_reversed_request","code":0,"message":"Başarılı İşlem"}"#;

/// Serves one HTTPS request on loopback and answers `BODY`; returns the
/// request's first line.
async fn one_shot_tls_server() -> (String, String, tokio::task::JoinHandle<String>) {
    let cert = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let cert_pem = cert.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(cert.signing_key.serialize_der()));
    let config = ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(vec![cert.cert.der().clone()], key)
        .unwrap();
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!(
        "https://localhost:{}",
        listener.local_addr().unwrap().port()
    );
    let server = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = acceptor.accept(tcp).await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        // Read the head and the (small) body: stop once Content-Length bytes follow the head.
        loop {
            let n = tls.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some(head_end) = text.find("\r\n\r\n") {
                let length = text[..head_end]
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if request.len() >= head_end + 4 + length {
                    break;
                }
            }
            assert!(n > 0, "connection closed early");
        }
        let response = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{BODY}",
            BODY.len()
        );
        tls.write_all(response.as_bytes()).await.unwrap();
        tls.shutdown().await.unwrap();
        String::from_utf8_lossy(&request)
            .lines()
            .next()
            .unwrap()
            .to_string()
    });
    (base, cert_pem, server)
}

#[tokio::test]
async fn the_generated_client_reaches_an_https_server_it_trusts() {
    let (base, cert_pem, server) = one_shot_tls_server().await;
    let http = reqwest::Client::builder()
        .tls_certs_only([reqwest::Certificate::from_pem(cert_pem.as_bytes()).unwrap()])
        .build()
        .unwrap();
    let client = paynet_api::Client::new_with_client(&base, http, state());
    let answer = client
        .preauth_reversal()
        .body(paynet_api::types::PreauthReversalRequest {
            xact_id: "xk_test".parse().unwrap(),
        })
        .send()
        .await
        .expect("HTTPS call");
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.code, paynet_api::wire::ResultCode::Successful);
    assert_eq!(
        server.await.unwrap(),
        "POST /v1/transaction/preauth_reversal HTTP/1.1"
    );
}

#[tokio::test]
async fn an_untrusted_certificate_is_refused() {
    let (base, _cert_pem, _server) = one_shot_tls_server().await;
    let client = paynet_api::Client::new(&base, state());
    let err = client
        .preauth_reversal()
        .body(paynet_api::types::PreauthReversalRequest {
            xact_id: "xk_test".parse().unwrap(),
        })
        .send()
        .await
        .expect_err("a self-signed certificate must not be trusted by default");
    let paynet_api::Error::CommunicationError(e) = err else {
        panic!("expected a communication error, got {err}");
    };
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        chain.push_str(&format!(": {s}"));
        source = s.source();
    }
    assert!(chain.contains("UnknownIssuer"), "unexpected error: {chain}");
}
