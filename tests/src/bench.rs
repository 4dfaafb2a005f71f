//! What the benchmarks share: one minimal server that answers fixed bytes
//! (so that the server's cost is the same for every client measured) and
//! the hand-written baseline client. Memory readings: [`crate::memory`].

use std::convert::Infallible;
use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde::Deserialize;

/// Starts, on a thread and runtime of its own, a keep-alive HTTP/1.1 server
/// on loopback that answers every request with `body` (HTTP 200, JSON), and
/// returns its base URL.
pub fn fixed_server(body: Vec<u8>) -> String {
    let body = Bytes::from(body);
    let (tx, rx) = std::sync::mpsc::channel::<SocketAddr>();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(listener.local_addr().expect("address"))
                .expect("report address");
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let body = body.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request: Request<Incoming>| {
                        let body = body.clone();
                        async move {
                            // Read the request body so the connection stays reusable.
                            let _ = http_body_util::BodyExt::collect(request.into_body()).await;
                            Ok::<_, Infallible>(
                                Response::builder()
                                    .header("content-type", "application/json")
                                    .body(Full::new(body))
                                    .expect("response"),
                            )
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
    });
    format!("http://{}", rx.recv().expect("server address"))
}

/// The capture reversal answer as a hand-written client would declare it:
/// plain types, money as `f64`.
#[derive(Debug, Deserialize)]
#[allow(dead_code, missing_docs)]
pub struct PlainCaptureReversal {
    pub xact_id: Option<String>,
    pub xact_date: Option<String>,
    pub transaction_type: Option<i64>,
    pub pos_type: Option<i64>,
    pub is_tds: Option<bool>,
    pub agent_id: Option<String>,
    pub user_id: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub bank_id: Option<String>,
    pub instalment: Option<i64>,
    pub ratio: Option<f64>,
    pub card_no_masked: Option<String>,
    pub card_holder: Option<String>,
    pub amount: Option<f64>,
    pub net_amount: Option<f64>,
    pub comission: Option<f64>,
    pub comission_tax: Option<f64>,
    pub currency: Option<String>,
    pub authorization_code: Option<String>,
    pub reference_code: Option<String>,
    pub order_id: Option<String>,
    pub is_succeed: Option<bool>,
    pub paynet_error_id: Option<String>,
    pub paynet_error_message: Option<String>,
    pub bank_error_id: Option<String>,
    pub bank_error_message: Option<String>,
    pub bank_error_short_desc: Option<String>,
    pub bank_error_long_desc: Option<String>,
    pub object_name: Option<String>,
    pub code: Option<i64>,
    pub message: Option<String>,
}

/// The baseline: the same call written by hand with reqwest and serde.
pub async fn hand_written_capture_reversal(
    http: &reqwest::Client,
    url: &str,
    authorization: &str,
    xact_id: &str,
) -> Result<PlainCaptureReversal, reqwest::Error> {
    http.post(url)
        .header(reqwest::header::AUTHORIZATION, authorization)
        .json(&serde_json::json!({ "xact_id": xact_id }))
        .send()
        .await?
        .error_for_status()?
        .json()
        .await
}

/// The capture reversal the benchmarks send.
pub const BENCH_XACT_ID: &str = "xk_EAAAAHTqbS04hq4sU877ZQIiNuIhJ*PVko0sJyhtHOdvxjpf";

/// The clients the benchmarks compare, in this order: hand-written reqwest +
/// serde (the baseline), the generated client's `send()`, and
/// `paynet-ext`'s mapped `.call()`.
pub const CLIENT_NAMES: [&str; 3] = ["reqwest_serde", "generated", "paynet_ext"];

/// The three clients of [`CLIENT_NAMES`], each ready to send the same
/// capture reversal to one server.
pub struct Clients {
    http: reqwest::Client,
    url: String,
    authorization: String,
    client: paynet_api::Client,
}

impl Clients {
    /// The three clients, for the server at `base`.
    pub fn new(base: &str) -> Self {
        Clients {
            http: reqwest::Client::new(),
            url: format!("{base}/v1/transaction/capture_reversal"),
            authorization: format!("Basic {}", crate::SECRET),
            client: crate::builder(base).build().expect("client"),
        }
    }

    /// One capture reversal through client number `variant` of
    /// [`CLIENT_NAMES`]; panics unless it succeeded.
    pub async fn one(&self, variant: usize) {
        match variant {
            0 => {
                let r = hand_written_capture_reversal(
                    &self.http,
                    &self.url,
                    &self.authorization,
                    BENCH_XACT_ID,
                )
                .await;
                assert_eq!(r.expect("hand-written call").code, Some(0));
            }
            1 => {
                let r = self
                    .client
                    .capture_reversal()
                    .body_map(|b| b.xact_id(BENCH_XACT_ID))
                    .send()
                    .await;
                assert!(r.expect("generated send()").code.is_success());
            }
            _ => {
                let r = crate::capture_reversal(&self.client, BENCH_XACT_ID).await;
                assert!(r.expect("mapped call()").result_code().is_success());
            }
        }
    }
}
