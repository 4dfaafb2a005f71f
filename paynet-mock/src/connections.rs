//! The connections: accepted up to a bound, timed out when they are slow
//! or idle, and shut down with a deadline. hyper serves each one; the
//! request handling is the axum app of `server.rs`.

use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

/// What bounds the connections (from [`crate::Config`]).
pub(crate) struct Limits {
    pub(crate) header_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) shutdown_timeout: Duration,
}

/// Serves `app` on `listener` until `stop` fires (or its sender is dropped),
/// then lets requests in flight finish for at most `shutdown_timeout` and
/// closes whatever is left.
pub(crate) async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: Limits,
    mut stop: oneshot::Receiver<()>,
) {
    let mut http = http1::Builder::new();
    // One timer covers a new connection that sends nothing, a head sent
    // slowly, and a kept-alive connection idle between requests: hyper
    // starts it whenever it waits for a request head.
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    // A connection waits for a permit before it is accepted: past the
    // bound, new ones stay in the kernel's accept queue and cost no file
    // descriptor here.
    let permits = Arc::new(Semaphore::new(limits.max_connections));
    let graceful = GracefulShutdown::new();
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        let permit = tokio::select! {
            _ = &mut stop => break,
            permit = permits.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
        };
        let stream = tokio::select! {
            _ = &mut stop => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors or the like: wait, rather than
                    // spin, and try again.
                    tracing::warn!(target: "paynet_mock", "accepting a connection failed: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let service = TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        connections.spawn(async move {
            // A timed-out or broken connection ends here; hyper has
            // already closed it, and nothing is owed to anyone.
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    // Idle connections close now, busy ones after their answer...
    let drained = tokio::time::timeout(limits.shutdown_timeout, graceful.shutdown()).await;
    if drained.is_err() {
        tracing::info!(
            target: "paynet_mock",
            "closing {} connections still open after {:?}",
            connections.len(),
            limits.shutdown_timeout
        );
    }
    // ...and whatever is still open at the deadline is closed.
    connections.shutdown().await;
}
