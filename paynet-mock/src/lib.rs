//! A stateful local Paynet for tests and demos: no credentials, no network.
//!
//! It checks every request against `spec/paynet.json` (compiled in: routes,
//! methods, the secret key or session key each operation needs, and the
//! request body's JSON Schema), keeps a store of captured and pre-authorised
//! transactions that reversals change, and answers in the shapes Paynet
//! documents. Chosen `xact_id`s ([`TRIGGERS`]) give the answers that are hard
//! to get from a real sandbox: bank declines, contradictory verdicts, the
//! table's string types, code 100, slow, broken and dropped answers; and
//! `xact_id` prefixes ([`STATE_TRIGGERS`]) whose first reversal is applied
//! and then its answer lost or late; each is a [`Trigger`]. The transaction
//! check (Ödeme Kontrol) answers from the same store.
//!
//! Each operation of the spec gets a route and a [`Behaviour`]; one the
//! simulator has no behaviour for answers its page's documented success, and
//! every operation answers only with the statuses and bodies its page
//! documents, in its own error style.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use paynet_mock::{Config, MockServer, Transaction};
//!
//! let mock = MockServer::start(Config::default()).await?;
//! mock.add_transaction(Transaction::captured("xk_my_test_1"));
//! // point a client at mock.base_url() with mock.secret_key() ...
//! mock.shutdown().await;
//! # Ok(()) }
//! ```
#![deny(missing_docs)]

mod admission;
mod answers;
mod app;
mod check;
mod connections;
mod refund_desk;
mod refunds;
mod refusals;
mod reply;
mod reversals;
mod session_keys;
mod softpos;
pub mod spec;
mod state;
mod store;
pub mod triggers;

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

use anyhow::Context;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use answers::Behaviour;
pub use refund_desk::{NoticeDelivery, RefundRecord, RefundRefusal, RefundStatus, turkish_today};
pub use session_keys::EXPIRED_SESSION_USER;
pub use store::{
    CAPTURE_EXAMPLE_XACT_ID, Kind, PREAUTH_EXAMPLE_XACT_ID, Refusal, Store, Transaction,
};
pub use triggers::{LATE_ANSWER, LOST_ANSWER, STATE_TRIGGERS, TRIGGERS, Trigger};

/// How the simulator is set up. Its `Debug` prints both keys as
/// `[redacted]`: a config is often logged, and a test's keys may be real ones.
#[derive(Clone)]
pub struct Config {
    /// Where to listen; port 0 lets the OS choose.
    pub addr: SocketAddr,
    /// The merchant secret key it accepts (`Authorization: Basic <key>`).
    pub secret_key: String,
    /// A SoftPOS session key it always accepts (`Session-Key`), besides
    /// those it issued through `get_auth_key` and that have not expired.
    pub session_key: String,
    /// How long a session key issued by `get_auth_key` stays valid; its
    /// answer's `expired_date` says until when. Paynet documents no
    /// lifetime; one hour here. A short one (or the user id
    /// [`EXPIRED_SESSION_USER`]) makes expiry testable.
    pub session_key_lifetime: Duration,
    /// How long `xk_mock_slow` waits before answering.
    pub slow_delay: Duration,
    /// The largest request body read; a larger one gets HTTP 413.
    pub max_body_bytes: usize,
    /// How long a connection may take to send a whole request head (the
    /// request line and headers). The same timer runs while a kept-alive
    /// connection waits for its next request, so it is the idle timeout
    /// too. A connection that runs out of it is closed without an answer.
    pub header_timeout: Duration,
    /// How long a request body may take to arrive in full, from the end of
    /// its head; a body still incomplete then gets HTTP 408.
    pub body_timeout: Duration,
    /// The most connections served at once. More wait in the OS's accept
    /// queue until one closes. At least 1.
    pub max_connections: usize,
    /// How long [`MockServer::shutdown`] lets requests in flight finish
    /// before it closes their connections.
    pub shutdown_timeout: Duration,
    /// Transactions to add to the vendor examples at start.
    pub transactions: Vec<Transaction>,
    /// How long a refund request (İade) waits before the simulator
    /// approves it and posts the decision to its `succeedUrl`. `None`:
    /// it waits for [`MockServer::decide_refund`] (a test's approve or
    /// reject). Paynet's team takes as long as it takes; 2 s here.
    pub refund_decision_delay: Option<Duration>,
    /// How long the POST of a decision to `succeedUrl` may take; a POST
    /// that fails or times out is logged, and the request still shows in
    /// the refund list.
    pub notice_timeout: Duration,
}

impl Config {
    /// The secret key a default simulator accepts.
    pub const DEFAULT_SECRET_KEY: &'static str = "sck_mock_0000000000000000000000000";
    /// The session key a default simulator accepts.
    pub const DEFAULT_SESSION_KEY: &'static str = "mock_session_key_0000";
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let redacted = format_args!("[redacted]");
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("secret_key", &redacted)
            .field("session_key", &redacted)
            .field("session_key_lifetime", &self.session_key_lifetime)
            .field("slow_delay", &self.slow_delay)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("shutdown_timeout", &self.shutdown_timeout)
            .field("transactions", &self.transactions)
            .field("refund_decision_delay", &self.refund_decision_delay)
            .field("notice_timeout", &self.notice_timeout)
            .finish()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            secret_key: Self::DEFAULT_SECRET_KEY.to_string(),
            session_key: Self::DEFAULT_SESSION_KEY.to_string(),
            session_key_lifetime: Duration::from_secs(3600),
            slow_delay: Duration::from_secs(60),
            max_body_bytes: 64 * 1024,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 512,
            shutdown_timeout: Duration::from_secs(5),
            transactions: Vec::new(),
            refund_decision_delay: Some(Duration::from_secs(2)),
            notice_timeout: Duration::from_secs(5),
        }
    }
}

/// A running simulator. Dropping it stops it too (in the background);
/// [`MockServer::shutdown`] waits for the server to finish.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<state::State>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

/// Shows where it listens; its keys are in its `Config`, which redacts them.
impl fmt::Debug for MockServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MockServer")
            .field("addr", &self.addr)
            .field("running", &self.task.is_some())
            .finish_non_exhaustive()
    }
}

impl MockServer {
    /// Starts a simulator on `config.addr`.
    pub async fn start(config: Config) -> anyhow::Result<Self> {
        Self::serve(config, app::shared_routes()?).await
    }

    /// Starts a simulator of `spec`, an OpenAPI document like
    /// `spec/paynet.json`, instead of the one compiled in: to try a new
    /// page before the client is regenerated. Its operations are routed,
    /// admitted and validated alike; one the simulator has no
    /// [`Behaviour`] for answers its page's documented success
    /// ([`Behaviour::Documented`]).
    pub async fn start_with_spec(config: Config, spec: &serde_json::Value) -> anyhow::Result<Self> {
        let operations: Vec<_> = spec::operations_of(spec)?
            .into_iter()
            .map(Arc::new)
            .collect();
        Self::serve(config, app::routes(&operations)).await
    }

    async fn serve(
        config: Config,
        routes: axum::Router<Arc<state::State>>,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            config.max_connections > 0,
            "max_connections must be at least 1"
        );
        let store = Store::with_examples();
        for transaction in config.transactions {
            store.insert(transaction);
        }
        let state = Arc::new(state::State {
            store,
            secret_key: config.secret_key,
            session_keys: session_keys::SessionKeys::new(
                config.session_key,
                config.session_key_lifetime,
            ),
            slow_delay: config.slow_delay,
            max_body_bytes: config.max_body_bytes,
            body_timeout: config.body_timeout,
            serials: AtomicU64::new(0),
            refunds: Arc::new(refund_desk::RefundDesk::new(
                config.refund_decision_delay,
                config.notice_timeout,
            )),
        });
        let app = routes.with_state(state.clone());
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (another program may hold the port: choose another with --port, or 0 for a free one)",
                    config.addr
                )
            })?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = oneshot::channel::<()>();
        let limits = connections::Limits {
            header_timeout: config.header_timeout,
            max_connections: config.max_connections,
            shutdown_timeout: config.shutdown_timeout,
        };
        let task = tokio::spawn(connections::serve(listener, app, limits, stopped));
        Ok(MockServer {
            addr,
            state,
            stop: Some(stop),
            task: Some(task),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a client (`http://127.0.0.1:PORT`).
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The secret key it accepts.
    pub fn secret_key(&self) -> &str {
        &self.state.secret_key
    }

    /// The fixed session key it accepts (it also accepts those it issued).
    pub fn session_key(&self) -> &str {
        &self.state.session_keys.fixed
    }

    /// Every refund and cancel request (İade) made so far, in order.
    pub fn refunds(&self) -> Vec<RefundRecord> {
        self.state.refunds.book.all()
    }

    /// The sum of a sale's refund requests that were not rejected, in
    /// kuruş: never more than the sale.
    pub fn refund_requested(&self, sale_xact_id: &str) -> u64 {
        self.state.refunds.book.requested(sale_xact_id)
    }

    /// Decides a pending refund request (a test's command): approves or
    /// rejects it, and posts the decision to its `succeedUrl`, waiting for
    /// that POST (bounded by [`Config::notice_timeout`]). `None` when no
    /// request of that number is pending.
    pub async fn decide_refund(
        &self,
        refund_xact_id: &str,
        approve: bool,
    ) -> Option<NoticeDelivery> {
        refund_desk::decide(&self.state.refunds, refund_xact_id, approve).await
    }

    /// Adds (or replaces) a transaction.
    pub fn add_transaction(&self, transaction: Transaction) {
        self.state.store.insert(transaction);
    }

    /// A copy of a transaction as it is now.
    pub fn transaction(&self, xact_id: &str) -> Option<Transaction> {
        self.state.store.get(xact_id)
    }

    /// The transaction store.
    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// Stops accepting connections, closes idle ones, lets requests in
    /// flight finish for at most [`Config::shutdown_timeout`], closes what
    /// is left, and returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}
