//! The one test-support layer of the workspace: everything the test suites
//! and benchmarks share.
//!
//! - [`scratch`]: scratch workspaces (a temporary folder holding copies of
//!   some of the repository's files), for the `xtask` tests and benchmark;
//! - [`memory`]: this process's resident memory, for the benchmarks;
//! - [`process`]: a simulator running as a process of its own, for the
//!   `paynet-mock` binary's tests and the simulator benchmark;
//! - with the `client` feature (on by default): fixtures, test clients,
//!   one helper per operation (SoftPOS included), the request shape the
//!   snapshots record, and the benchmarks' fixed-answer server ([`mod@bench`]).
//!
//! The `xtask` tests use it without the `client` feature, so that testing
//! the generator does not need the generated client to compile.

pub mod memory;
pub mod process;
pub mod scratch;

#[cfg(feature = "client")]
pub mod bench;
#[cfg(feature = "client")]
mod calls;

#[cfg(feature = "client")]
pub use calls::*;
