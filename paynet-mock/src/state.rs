//! What every request handler shares: the store, the keys, the limits.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::session_keys::SessionKeys;
use crate::store::Store;

/// Everything a request handler needs.
pub(crate) struct State {
    pub(crate) store: Store,
    pub(crate) secret_key: String,
    pub(crate) session_keys: SessionKeys,
    pub(crate) slow_delay: Duration,
    pub(crate) max_body_bytes: usize,
    pub(crate) body_timeout: Duration,
    /// The serial number of the last payment session or session key issued.
    pub(crate) serials: AtomicU64,
    /// The refund and cancel requests (İade), and how they are decided.
    pub(crate) refunds: std::sync::Arc<crate::refund_desk::RefundDesk>,
}

impl State {
    /// The next serial number for a payment session or a session key.
    pub(crate) fn serial(&self) -> u64 {
        self.serials.fetch_add(1, Ordering::Relaxed) + 1
    }
}
