//! `paynet-mock`: run the simulator as a process.

use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use paynet_mock::{Config, MockServer, Transaction};

/// A stateful local Paynet that checks requests against spec/paynet.json.
#[derive(Parser)]
#[command(name = "paynet-mock", version)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    addr: IpAddr,
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The merchant secret key to accept.
    #[arg(long, env = "PAYNET_MOCK_SECRET_KEY", default_value = Config::DEFAULT_SECRET_KEY, hide_env_values = true)]
    secret_key: String,
    /// The SoftPOS session key to accept.
    #[arg(long, env = "PAYNET_MOCK_SESSION_KEY", default_value = Config::DEFAULT_SESSION_KEY, hide_env_values = true)]
    session_key: String,
    /// Seconds a session key issued by `get_auth_key` stays valid.
    #[arg(long, default_value = "3600", value_parser = seconds)]
    session_key_lifetime_seconds: Duration,
    /// A JSON file holding an array of transactions to preload
    /// (`[{"xact_id": "...", "kind": "captured" | "preauthorized", "amount":
    /// "20.00", "date": "2026-12-01", ...}]`; `date`, the day of the sale,
    /// is today when left out, and İade refuses a partial refund on it).
    #[arg(long)]
    preload: Option<PathBuf>,
    /// Seconds that `xk_mock_slow` waits before answering.
    #[arg(long, default_value_t = 60)]
    slow_seconds: u64,
    /// Seconds a connection may take to send a whole request head; also how
    /// long a kept-alive connection may sit idle. Then it is closed.
    #[arg(long, default_value = "10", value_parser = seconds)]
    header_timeout_seconds: Duration,
    /// Seconds a request body may take to arrive in full; then it gets 408.
    #[arg(long, default_value = "10", value_parser = seconds)]
    body_timeout_seconds: Duration,
    /// The most connections served at once; more wait to be accepted.
    #[arg(long, default_value = "512")]
    max_connections: NonZeroUsize,
    /// Seconds that Ctrl-C lets requests in flight finish before it closes
    /// their connections and exits.
    #[arg(long, default_value = "5", value_parser = seconds)]
    shutdown_timeout_seconds: Duration,
    /// Seconds a refund request (İade) waits before it is approved and the
    /// decision is posted to its succeedUrl.
    #[arg(long, default_value = "2", value_parser = seconds)]
    refund_decision_seconds: Duration,
    /// Seconds the POST of a refund decision to succeedUrl may take.
    #[arg(long, default_value = "5", value_parser = seconds)]
    notice_timeout_seconds: Duration,
}

/// A positive number of seconds, fractions allowed (`0.5`).
fn seconds(text: &str) -> Result<Duration, String> {
    let value: f64 = text
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    match Duration::try_from_secs_f64(value) {
        Ok(duration) if !duration.is_zero() => Ok(duration),
        _ => Err(format!("{text:?} is not a positive number of seconds")),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt().with_target(false).init();
    let args = Args::parse();
    let transactions: Vec<Transaction> = match &args.preload {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not an array of transactions", path.display()))?
        }
        None => Vec::new(),
    };
    let preloaded = transactions.len();
    let mock = MockServer::start(Config {
        addr: SocketAddr::new(args.addr, args.port),
        secret_key: args.secret_key,
        session_key: args.session_key,
        slow_delay: Duration::from_secs(args.slow_seconds),
        session_key_lifetime: args.session_key_lifetime_seconds,
        header_timeout: args.header_timeout_seconds,
        body_timeout: args.body_timeout_seconds,
        max_connections: args.max_connections.get(),
        shutdown_timeout: args.shutdown_timeout_seconds,
        transactions,
        refund_decision_delay: Some(args.refund_decision_seconds),
        notice_timeout: args.notice_timeout_seconds,
        ..Config::default()
    })
    .await?;
    tracing::info!(
        "paynet-mock listening on {} ({} transactions preloaded besides the vendor examples); Ctrl-C stops it",
        mock.base_url(),
        preloaded
    );
    tokio::signal::ctrl_c().await?;
    tracing::info!(
        "stopping: requests in flight have {:?} to finish",
        args.shutdown_timeout_seconds
    );
    mock.shutdown().await;
    Ok(())
}
