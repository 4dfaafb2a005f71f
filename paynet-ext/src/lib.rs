//! What a Rust service needs to move money through Paynet: credentials,
//! environments, and one error type for Paynet's result codes, bank
//! declines and error bodies, on top of the generated `paynet-api` client.
//!
//! ```no_run
//! use paynet_ext::{ClientBuilder, Environment, SecretKey};
//!
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! let client = ClientBuilder::new(Environment::Sandbox)
//!     .secret_key(SecretKey::from_env()?)
//!     .build()?;
//! let request = client.capture_reversal().body_map(|b| b.xact_id("xk_..."));
//! match paynet_ext::call(request.send()).await {
//!     Ok(reversal) => println!("reversed {:?} TRY", reversal.amount),
//!     Err(e) if e.is_retry_safe() => println!("not sent, try again: {e}"),
//!     Err(e) => println!("check the transaction before anything else: {e}"),
//! }
//! # Ok(()) }
//! ```
//!
//! Everything here is generic over the operations `cargo xtask generate`
//! produced: which operation gets the merchant secret key is read from the
//! spec's security requirements, and [`call`] maps any operation's answer by
//! the same rules. A new endpoint added to `spec/` works without a change
//! to this crate.
#![deny(missing_docs)]

mod credentials;
mod environment;
mod error;
mod mapping;

pub use credentials::{SecretKey, SessionKey};
pub use environment::{ClientBuilder, ConfigError, Environment};
pub use error::{DeclineReason, DecodedResponse, Error, ErrorType, SNIPPET_BYTES};
pub use mapping::{Reply, call, map_body};
pub use paynet_api::runtime::Verdict;
pub use paynet_api::wire::ResultCode;
pub use paynet_api::{Client, types};
