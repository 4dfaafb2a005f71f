//! The simulator at the connection level, over raw TCP on loopback: bodies
//! that cannot be read, and clients that are slow, idle or never finish.
//! Every wait here is bounded by a deadline well above the configured one.

use std::net::SocketAddr;
use std::time::Duration;

use paynet_mock::{Config, MockServer};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

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

// ---- slow, idle and stalled clients -----------------------------------------

/// A timeout small enough for a test; every bound below is 5 times it.
const SHORT: Duration = Duration::from_millis(400);

async fn mock_with(config: Config) -> MockServer {
    MockServer::start(config).await.unwrap()
}

/// Waits until the server closes `stream` (a read gives 0 bytes or an
/// error), discarding anything it sends first. Returns how long it took, or
/// panics after `bound`.
async fn closed_within(stream: &mut TcpStream, bound: Duration) -> Duration {
    let started = Instant::now();
    let mut buffer = [0; 1024];
    loop {
        let left = bound.saturating_sub(started.elapsed());
        match timeout(left, stream.read(&mut buffer)).await {
            Err(_) => panic!("the connection was still open after {bound:?}"),
            Ok(Ok(0) | Err(_)) => return started.elapsed(),
            Ok(Ok(_)) => {}
        }
    }
}

/// Reads one whole answer from a kept-alive connection.
async fn read_answer(stream: &mut TcpStream) -> (u16, Value) {
    let mut answer = Vec::new();
    let mut buffer = [0; 4096];
    for _ in 0..100 {
        let n = timeout(PATIENCE, stream.read(&mut buffer))
            .await
            .expect("an answer")
            .unwrap();
        assert!(n > 0, "closed before a whole answer");
        answer.extend_from_slice(&buffer[..n]);
        let (status, body) = parse(&answer);
        if !body.is_null() {
            return (status, body);
        }
    }
    panic!("no whole answer in {:?}", String::from_utf8_lossy(&answer));
}

#[tokio::test]
async fn a_connection_that_sends_nothing_is_closed_after_the_header_timeout() {
    let mock = mock_with(Config {
        header_timeout: SHORT,
        ..Config::default()
    })
    .await;
    let mut idle = TcpStream::connect(mock.addr()).await.unwrap();
    closed_within(&mut idle, 5 * SHORT).await;
}

#[tokio::test]
async fn a_head_sent_byte_by_byte_is_cut_off_at_the_header_timeout() {
    let mock = mock_with(Config {
        header_timeout: SHORT,
        ..Config::default()
    })
    .await;
    let stream = TcpStream::connect(mock.addr()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    // Slowloris: a header line every 50 ms, for at most 10 s, never ending
    // the head.
    let dribble = tokio::spawn(async move {
        writer.write_all(b"POST ").await?;
        for i in 0..200 {
            tokio::time::sleep(Duration::from_millis(50)).await;
            writer.write_all(format!("X-{i}: a\r\n").as_bytes()).await?;
        }
        std::io::Result::Ok(())
    });
    let started = Instant::now();
    let mut buffer = [0; 1024];
    let read = timeout(5 * SHORT, reader.read(&mut buffer)).await;
    assert!(
        matches!(read, Ok(Ok(0) | Err(_))),
        "still open after {:?}: {read:?}",
        started.elapsed()
    );
    dribble.abort();
}

#[tokio::test]
async fn a_kept_alive_connection_is_closed_once_idle_for_the_header_timeout() {
    let mock = mock_with(Config {
        header_timeout: SHORT,
        ..Config::default()
    })
    .await;
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    let json = r#"{"xact_id":"xk_unknown"}"#;
    let request = head(CAPTURE, &format!("Content-Length: {}\r\n", json.len()))
        .replace("Connection: close\r\n", "")
        + json;
    stream.write_all(request.as_bytes()).await.unwrap();
    let (status, _) = read_answer(&mut stream).await;
    assert_eq!(status, 404);
    closed_within(&mut stream, 5 * SHORT).await;
}

#[tokio::test]
async fn a_body_that_stops_arriving_is_a_408_after_the_body_timeout() {
    let mock = mock_with(Config {
        body_timeout: SHORT,
        ..Config::default()
    })
    .await;
    // 100 announced, 10 sent, and the client waits.
    let request = format!("{}{{\"xact_id\"", head(CAPTURE, "Content-Length: 100\r\n"));
    let mut stream = TcpStream::connect(mock.addr()).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let started = Instant::now();
    let (status, body) = read_answer(&mut stream).await;
    assert!(started.elapsed() < 5 * SHORT, "{:?}", started.elapsed());
    assert_invalid_request(status, &body, 408, "did not arrive within 400 ms");
    closed_within(&mut stream, 5 * SHORT).await;
}

#[tokio::test]
async fn a_never_ending_chunked_body_is_a_408_after_the_body_timeout() {
    let mock = mock_with(Config {
        body_timeout: SHORT,
        ..Config::default()
    })
    .await;
    let stream = TcpStream::connect(mock.addr()).await.unwrap();
    let (mut reader, mut writer) = stream.into_split();
    let trickle = tokio::spawn(async move {
        writer
            .write_all(head(CAPTURE, "Transfer-Encoding: chunked\r\n").as_bytes())
            .await?;
        // One byte every 50 ms: never over the size limit, never done.
        for _ in 0..200 {
            writer.write_all(b"1\r\n \r\n").await?;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        std::io::Result::Ok(())
    });
    let started = Instant::now();
    let mut answer = Vec::new();
    let read = timeout(5 * SHORT, reader.read_to_end(&mut answer)).await;
    assert!(read.is_ok(), "still open after {:?}", started.elapsed());
    let (status, body) = parse(&answer);
    assert_invalid_request(status, &body, 408, "did not arrive");
    trickle.abort();
}

#[tokio::test]
async fn connections_past_the_bound_wait_until_one_closes() {
    let mock = mock_with(Config {
        max_connections: 2,
        ..Config::default()
    })
    .await;
    let first = TcpStream::connect(mock.addr()).await.unwrap();
    let _second = TcpStream::connect(mock.addr()).await.unwrap();
    // The third connects (the kernel queues it) but is not served...
    let mut third = TcpStream::connect(mock.addr()).await.unwrap();
    let json = r#"{"xact_id":"xk_unknown"}"#;
    let request = head(CAPTURE, &format!("Content-Length: {}\r\n", json.len())) + json;
    third.write_all(request.as_bytes()).await.unwrap();
    let mut buffer = [0; 1024];
    assert!(
        timeout(Duration::from_millis(500), third.read(&mut buffer))
            .await
            .is_err(),
        "a third connection was served while two were open"
    );
    // ...until one of the two closes.
    drop(first);
    let (status, _) = read_answer(&mut third).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn shutdown_returns_by_its_deadline_with_stalled_clients_connected() {
    let shutdown_timeout = SHORT;
    let mock = mock_with(Config {
        // Long enough that only the shutdown deadline can end these.
        header_timeout: Duration::from_secs(60),
        body_timeout: Duration::from_secs(60),
        shutdown_timeout,
        ..Config::default()
    })
    .await;
    let addr = mock.addr();
    // One mid-head, one mid-body, one idle after a whole exchange.
    let mut mid_head = TcpStream::connect(addr).await.unwrap();
    mid_head.write_all(b"POST /v1/transa").await.unwrap();
    let mut mid_body = TcpStream::connect(addr).await.unwrap();
    let partial = format!("{}{{\"xact", head(CAPTURE, "Content-Length: 100\r\n"));
    mid_body.write_all(partial.as_bytes()).await.unwrap();
    let mut idle = TcpStream::connect(addr).await.unwrap();
    let json = r#"{"xact_id":"xk_unknown"}"#;
    let request = head(CAPTURE, &format!("Content-Length: {}\r\n", json.len()))
        .replace("Connection: close\r\n", "")
        + json;
    idle.write_all(request.as_bytes()).await.unwrap();
    assert_eq!(read_answer(&mut idle).await.0, 404);
    // Let the server see the partial requests before it is stopped.
    tokio::time::sleep(Duration::from_millis(100)).await;

    let started = Instant::now();
    assert!(
        timeout(5 * shutdown_timeout, mock.shutdown()).await.is_ok(),
        "shutdown still waiting after {:?}",
        5 * shutdown_timeout
    );
    let left = 5 * shutdown_timeout - started.elapsed().min(5 * shutdown_timeout);
    for stream in [&mut mid_head, &mut mid_body, &mut idle] {
        closed_within(stream, left.max(Duration::from_millis(100))).await;
    }
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "still accepting after shutdown"
    );
}

/// A port another program holds: the error names the address and what to
/// do, not only the OS's "Address already in use"; `Debug` of a running
/// simulator shows its address and no key.
#[tokio::test]
async fn a_busy_port_is_named_and_a_running_simulator_prints_its_address() {
    let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = held.local_addr().unwrap();
    let config = paynet_mock::Config {
        addr,
        ..paynet_mock::Config::default()
    };
    let err = paynet_mock::MockServer::start(config).await.unwrap_err();
    let text = format!("{err:#}");
    assert!(
        text.starts_with(&format!("cannot listen on {addr} (")) && text.contains("--port"),
        "{text}"
    );

    let mock = paynet_mock::MockServer::start(paynet_mock::Config::default())
        .await
        .unwrap();
    let shown = format!("{mock:?}");
    assert!(
        shown.starts_with("MockServer { addr: 127.0.0.1:"),
        "{shown}"
    );
    assert!(!shown.contains(mock.secret_key()), "{shown}");
    mock.shutdown().await;
}
