//! One reading of an OpenAPI 3.0 document held as a [`serde_json::Value`].
//!
//! Everything in the workspace that looks into `spec/paynet.json` (or into
//! the sources it is merged from) reads it through this crate, so that the
//! code generator, the documentation check, the normalizer and the
//! simulator agree on:
//!
//! - which keys of a path item are operations ([`METHODS`]), and each
//!   operation's id, security alternatives, header parameters, request body
//!   and responses ([`operations`], [`Operation`]);
//! - what a `$ref` points to ([`resolve`]: local references only, a cycle
//!   is an error, never a hang);
//! - what an OpenAPI schema object means as JSON Schema ([`json_schema`],
//!   [`validator`]: `nullable` handled here and only here, the document's
//!   components reachable);
//! - how a validation error is shown ([`error_line`]).
//!
//! It knows nothing about Paynet: every fact comes from the document.
#![deny(missing_docs)]

mod operation;
mod reference;
mod schema;

pub use operation::{
    HeaderParameter, IDEMPOTENT_BY, METHODS, Operation, OperationMut, ParametersMut, Response,
    SecurityScheme, is_method, operations, operations_mut, parameter_lists_mut, path_item,
    path_items, security_schemes,
};
pub use reference::{
    component_name, escape, is_reference, resolve, resolve_schema, target, unescape,
};
pub use schema::{
    Validator, at_least_one_of, error_line, errors, json_schema, required_properties,
    standalone_schema, validator,
};

use std::fmt;

/// Why a part of the document could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// A `$ref` into another document: only `#/...` references are followed.
    NotLocal {
        /// The reference as written.
        reference: String,
    },
    /// A `$ref` to a place the document does not have.
    Undefined {
        /// The reference as written.
        reference: String,
    },
    /// `$ref`s that lead back to one already followed.
    Cycle {
        /// The references followed, the repeated one last.
        chain: Vec<String>,
    },
    /// A security scheme whose credential does not travel in a header.
    UnsupportedScheme {
        /// The scheme's name in `components.securitySchemes`.
        name: String,
        /// Its `type`.
        kind: Option<String>,
        /// Its `in`.
        place: Option<String>,
    },
    /// An `apiKey` security scheme without the header's `name`.
    SchemeWithoutHeader {
        /// The scheme's name in `components.securitySchemes`.
        name: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::NotLocal { reference } => {
                write!(f, "{reference}: only local references are supported")
            }
            Error::Undefined { reference } => {
                write!(f, "{reference} is referred to but not defined")
            }
            Error::Cycle { chain } => write!(f, "a $ref cycle: {}", chain.join(" -> ")),
            Error::UnsupportedScheme { name, kind, place } => write!(
                f,
                "security scheme {name} ({kind:?} in {place:?}) is not supported: only header credentials are"
            ),
            Error::SchemeWithoutHeader { name } => {
                write!(
                    f,
                    "security scheme {name}: an apiKey scheme without a header name"
                )
            }
        }
    }
}

impl std::error::Error for Error {}
