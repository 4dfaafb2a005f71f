//! Credentials, environments and result mapping on top of `paynet-api`.
#![deny(missing_docs)]

pub use paynet_api;
