//! Client generation with progenitor's library API.

use anyhow::{Context, Result};
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use serde_json::Value;

/// Named schemas of `spec/openapi/base.json` that Paynet sends in more than
/// one form, and the hand-written types (`paynet-api/src/wire.rs`) that
/// decode every form. Progenitor matches them by component name.
pub const REPLACEMENTS: [(&str, &str, &[TypeImpl]); 6] = [
    (
        "Amount",
        "crate::wire::Amount",
        &[TypeImpl::Display, TypeImpl::FromStr],
    ),
    (
        "ResultCode",
        "crate::wire::ResultCode",
        &[TypeImpl::Display],
    ),
    ("Flag", "crate::wire::Flag", &[]),
    ("Code", "crate::wire::Code", &[TypeImpl::Display]),
    ("Text", "crate::wire::Text", &[TypeImpl::Display]),
    (
        "LocalDateTime",
        "crate::wire::LocalDateTime",
        &[TypeImpl::Display],
    ),
];

/// The settings the client is generated with.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_derive("schemars::JsonSchema");
    for (schema, path, impls) in REPLACEMENTS {
        settings.with_replacement(schema, path, impls.iter().cloned());
    }
    settings
}

/// Generates the client source for the merged document `doc`, formatted.
pub fn client_source(doc: &Value) -> Result<String> {
    let spec: openapiv3::OpenAPI = serde_json::from_value(doc.clone())
        .context("the merged document is not an OpenAPI 3.0 document openapiv3 can read")?;
    let mut generator = Generator::new(&settings());
    let tokens = generator
        .generate_tokens(&spec)
        .map_err(|e| anyhow::anyhow!("progenitor refused the merged document: {e}"))?;
    let file: syn::File = syn::parse2(tokens).context("progenitor's output does not parse")?;
    Ok(prettyplease::unparse(&file))
}
