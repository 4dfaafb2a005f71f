//! The simulator at the connection level, over raw TCP on loopback: bodies
//! that cannot be read, and clients that are slow, idle or never finish.
//! Every wait here is bounded by a deadline well above the configured one.

use std::net::SocketAddr;
use std::time::Duration;

use paynet_mock::{Config, MockServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

const CAPTURE: &str = "/v1/transaction/capture_reversal";
const SOFTPOS: &str = "/v1/softpos/init_reversal_transaction";
/// The longest any test waits for something the server should do.
const PATIENCE: Duration = Duration::from_secs(10);

/// A request head for `path` with the right credential for it, `extra`
/// headers and `Connection: close`, so that the server ends the exchange.
fn head(path: &str, extra: &str) -> String {
    let credential = if path == SOFTPOS {
        format!("Session-Key: {}", Config::DEFAULT_SESSION_KEY)
    } else {
        format!("Authorization: Basic {}", Config::DEFAULT_SECRET_KEY)
    };
    format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n{credential}\r\n\
         Content-Type: application/json\r\nConnection: close\r\n{extra}\r\n"
    )
}

/// Reads until the server closes the connection (or `PATIENCE` runs out).
async fn read_to_close(stream: &mut TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let read = timeout(PATIENCE, stream.read_to_end(&mut answer)).await;
    assert!(
        read.is_ok(),
        "the server neither answered nor closed within {PATIENCE:?}; got {:?}",
        String::from_utf8_lossy(&answer)
    );
    answer
}

/// The status and JSON body of an HTTP/1.1 answer.
fn parse(answer: &[u8]) -> (u16, Value) {
    let text = String::from_utf8_lossy(answer);
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line in {text:?}"));
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

/// Sends `bytes`, optionally half-closes, and returns the answer.
async fn exchange(addr: SocketAddr, bytes: &[u8], half_close: bool) -> (u16, Value) {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(bytes).await.unwrap();
    if half_close {
        stream.shutdown().await.unwrap();
    }
    parse(&read_to_close(&mut stream).await)
}

fn assert_invalid_request(status: u16, body: &Value, expected_status: u16, message: &str) {
    assert_eq!(status, expected_status, "{body}");
    assert_eq!(body["type"], "invalid_request_error", "{body}");
    assert_eq!(body["result_code"], 11, "{body}");
    assert_eq!(body["code"], expected_status, "{body}");
    let text = body["message"].as_str().unwrap_or_default();
    assert!(text.contains(message), "{text:?} lacks {message:?}");
}

// ---- bodies that cannot be read --------------------------------------------

#[tokio::test]
async fn a_malformed_chunk_is_a_400_not_a_413() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let request = format!(
        "{}zz\r\n{{}}\r\n0\r\n\r\n",
        head(CAPTURE, "Transfer-Encoding: chunked\r\n")
    );
    let (status, body) = exchange(mock.addr(), request.as_bytes(), false).await;
    assert_invalid_request(status, &body, 400, "could not be read");
}

#[tokio::test]
async fn a_body_shorter_than_its_content_length_is_a_400() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    // 100 announced, 10 sent, then the client closes its side.
    let request = format!("{}{{\"xact_id\"", head(CAPTURE, "Content-Length: 100\r\n"));
    let (status, body) = exchange(mock.addr(), request.as_bytes(), true).await;
    assert_invalid_request(status, &body, 400, "could not be read");
}

#[tokio::test]
async fn softpos_answers_an_unreadable_body_in_its_own_error_shape() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let request = format!(
        "{}zz\r\n{{}}\r\n0\r\n\r\n",
        head(SOFTPOS, "Transfer-Encoding: chunked\r\n")
    );
    let (status, body) = exchange(mock.addr(), request.as_bytes(), false).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["object_name"], "error", "{body}");
    assert_eq!(body["code"], 11, "{body}");
    assert!(body.get("type").is_none(), "{body}");
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_a_413_before_any_body_is_sent() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    // No body at all: the answer must not wait for the 1 MB announced.
    let request = head(CAPTURE, "Content-Length: 1000000\r\n");
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = vec![0; 4096];
    let n = timeout(PATIENCE, stream.read(&mut answer))
        .await
        .expect("an answer without the body")
        .unwrap();
    let (status, body) = parse(&answer[..n]);
    assert_invalid_request(status, &body, 413, "larger than 65536 bytes");
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_is_a_413() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 70_000, " ".repeat(70_000));
    let request = format!(
        "{}{chunk}0\r\n\r\n",
        head(CAPTURE, "Transfer-Encoding: chunked\r\n")
    );
    let (status, body) = exchange(mock.addr(), request.as_bytes(), false).await;
    assert_invalid_request(status, &body, 413, "larger than 65536 bytes");
}

#[tokio::test]
async fn a_well_formed_chunked_body_is_read() {
    let mock = MockServer::start(Config::default()).await.unwrap();
    let json = format!(
        r#"{{"xact_id":"{}"}}"#,
        paynet_mock::CAPTURE_EXAMPLE_XACT_ID
    );
    let request = format!(
        "{}{:x}\r\n{json}\r\n0\r\n\r\n",
        head(CAPTURE, "Transfer-Encoding: chunked\r\n"),
        json.len()
    );
    let (status, body) = exchange(mock.addr(), request.as_bytes(), false).await;
    assert_eq!((status, body["code"].clone()), (200, 0.into()), "{body}");
}
