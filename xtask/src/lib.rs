//! Maintenance commands for the Paynet workspace.
//!
//! The data flows one way: the vendor pages in `spec/vendor/` and the
//! hand-written documents in `spec/openapi/` are merged into
//! `spec/paynet.json`, from which progenitor generates
//! `paynet-api/src/generated.rs`. Everything here is a library so that the
//! tests can run it on a scratch copy of the workspace. The binary acts on
//! the checkout it is started in ([`workspace::locate`]).

pub mod check_docs;
pub mod cli;
pub mod codegen;
pub mod docs;
pub mod fetch;
pub mod fetch_docs;
pub mod generate;
pub mod glossary;
pub mod json;
pub mod merge;
pub mod normalize;
pub mod public_api;
pub mod published;
pub mod sources;
pub mod spec_diff;
pub mod validate;
pub mod workspace;

pub use generate::{Outcome, generate};
