//! Client generation with progenitor's library API.

use anyhow::{Context, Result, bail};
use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};
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

/// The settings the client is generated with. The client carries a
/// `crate::runtime::ClientState` (credentials, body limit) and its hooks are
/// implemented by hand in `paynet-api/src/runtime.rs`; a missing impl is a
/// compile error rather than silently unauthenticated requests.
pub fn settings() -> GenerationSettings {
    let mut settings = GenerationSettings::new();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote::quote!(crate::runtime::ClientState))
        .with_hooks(HooksMode::Expected)
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

/// Every operation of `doc` as `(path, method, path item, operation)`.
fn operations_of(doc: &Value) -> Vec<(&str, &str, &Value, &Value)> {
    let mut out = Vec::new();
    for (path, item) in doc
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        for (method, op) in item.as_object().into_iter().flatten() {
            if METHODS.contains(&method.as_str()) {
                out.push((path.as_str(), method.as_str(), item, op));
            }
        }
    }
    out
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

fn rust_str(text: &str) -> String {
    format!("{text:?}")
}

/// The operations table (`generated_operations.rs`): for every operation,
/// which security schemes it requires and which header parameters it takes,
/// and for every scheme the header it travels in. The hooks in
/// `paynet-api/src/runtime.rs` read it, so which operation gets which
/// credential is decided by the spec, never by Rust code per endpoint.
pub fn operations_source(doc: &Value) -> Result<String> {
    let mut schemes = Vec::new();
    if let Some(map) = doc
        .pointer("/components/securitySchemes")
        .and_then(Value::as_object)
    {
        for (name, scheme) in map {
            let header = match (
                scheme.get("type").and_then(Value::as_str),
                scheme.get("in").and_then(Value::as_str),
            ) {
                (Some("apiKey"), Some("header")) => scheme
                    .get("name")
                    .and_then(Value::as_str)
                    .context("an apiKey scheme without a header name")?
                    .to_string(),
                (Some("http"), _) => "Authorization".to_string(),
                (kind, place) => bail!(
                    "security scheme {name} ({kind:?} in {place:?}) is not supported: only header credentials are"
                ),
            };
            schemes.push(format!(
                "SecurityScheme {{ name: {}, header: {} }}",
                rust_str(name),
                rust_str(&header.to_ascii_lowercase())
            ));
        }
    }
    let default_security = doc.get("security").cloned().unwrap_or(Value::Array(vec![]));
    let mut operations = Vec::new();
    let mut span_arms = Vec::new();
    for (path, method, item, op) in operations_of(doc) {
        let id = op
            .get("operationId")
            .and_then(Value::as_str)
            .with_context(|| format!("{method} {path} has no operationId"))?;
        let security = op.get("security").unwrap_or(&default_security);
        let alternatives: Vec<String> = security
            .as_array()
            .into_iter()
            .flatten()
            .map(|requirement| {
                let names: Vec<String> = requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| rust_str(name))
                    .collect();
                format!("&[{}]", names.join(", "))
            })
            .collect();
        let headers: Vec<String> = item
            .get("parameters")
            .into_iter()
            .chain(op.get("parameters"))
            .filter_map(Value::as_array)
            .flatten()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("header"))
            .filter_map(|p| p.get("name").and_then(Value::as_str))
            .map(|name| rust_str(&name.to_ascii_lowercase()))
            .collect();
        operations.push(format!(
            "Operation {{ id: {}, method: {}, path: {}, security: &[{}], header_parameters: &[{}] }}",
            rust_str(id),
            rust_str(&method.to_uppercase()),
            rust_str(path),
            alternatives.join(", "),
            headers.join(", ")
        ));
        span_arms.push(format!(
            "{} => tracing::info_span!({}, status = Empty, result_code = Empty, outcome = Empty),",
            rust_str(id),
            rust_str(id)
        ));
    }
    let verdicts = verdict_impls(doc)?;
    let text = format!(
        r#"
use tracing::field::Empty;

use crate::runtime::{{Operation, SecurityScheme, Verdict}};

/// Every operation of `spec/paynet.json`.
pub static OPERATIONS: &[Operation] = &[{}];

/// Every security scheme of `spec/paynet.json`, with the header it travels in.
pub static SECURITY_SCHEMES: &[SecurityScheme] = &[{}];

/// A span named after the operation (span names are static in `tracing`,
/// hence one arm per operation).
pub(crate) fn operation_span(operation_id: &str) -> tracing::Span {{
    match operation_id {{
        {}
        _ => tracing::info_span!("paynet_operation", operation_id, status = Empty, result_code = Empty, outcome = Empty),
    }}
}}

{}
"#,
        operations.join(", "),
        schemes.join(", "),
        span_arms.join("\n        "),
        verdicts.join("\n\n")
    );
    let file: syn::File = syn::parse_str(&text).context("the operations table does not parse")?;
    Ok(prettyplease::unparse(&file))
}

/// The Rust name typify gives a component schema (PascalCase).
fn type_name(component: &str) -> String {
    let mut out = String::new();
    let mut upper = true;
    for c in component.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    out
}

/// How to read one verdict field of a response type: its Rust expression
/// from the field's schema, given `value` of the field's (non-optional) type.
fn verdict_field(schema: &Value, field: &str, wanted: &str) -> Result<Option<String>> {
    let Some(property) = schema.pointer(&format!("/properties/{field}")) else {
        return Ok(None);
    };
    let reference = property
        .get("$ref")
        .or_else(|| property.pointer("/allOf/0/$ref"))
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"));
    let convert = match (
        reference,
        property.get("type").and_then(Value::as_str),
        wanted,
    ) {
        (Some("ResultCode"), _, "code") => "v.code()",
        (Some("Code"), _, "code") => "v.0",
        (Some("Flag"), _, "flag") => "v.get()",
        (None, Some("integer"), "code") => "*v",
        (None, Some("boolean"), "flag") => "*v",
        (None, Some("string"), "code") => {
            return Ok(Some(format!(
                "self.{field}.as_deref().and_then(|v| v.trim().parse().ok())"
            )));
        }
        (None, Some("string"), "flag") => {
            return Ok(Some(format!(
                "self.{field}.as_deref().and_then(|v| v.trim().to_ascii_lowercase().parse().ok())"
            )));
        }
        (reference, kind, _) => bail!(
            "the result mapping cannot read `{field}` of schema {reference:?} / type {kind:?}; extend xtask/src/codegen.rs"
        ),
    };
    let required = schema
        .get("required")
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|n| n == field));
    Ok(Some(if required {
        format!("Some({{ let v = &self.{field}; {convert} }})")
    } else {
        format!("self.{field}.as_ref().map(|v| {convert})")
    }))
}

/// `Verdict` for every 2xx JSON response type: how the generic result
/// mapping reads `code` and `is_succeed` from a decoded answer, so that it
/// needs no second pass over the body and no code per endpoint.
fn verdict_impls(doc: &Value) -> Result<Vec<String>> {
    let mut seen = std::collections::BTreeSet::new();
    let mut impls = Vec::new();
    for (path, method, _, op) in operations_of(doc) {
        for (status, response) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if !status.starts_with('2') {
                continue;
            }
            let Some(schema) = response.pointer("/content/application~1json/schema") else {
                continue;
            };
            // A named schema keeps its name; an inline one gets the name
            // progenitor gives it: `{operationId}-response` in PascalCase.
            let (name, target) = match schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/components/schemas/"))
            {
                Some(component) => {
                    let target = doc
                        .pointer(&format!("/components/schemas/{component}"))
                        .with_context(|| format!("{component} is referred to but not defined"))?;
                    (type_name(component), target)
                }
                None => {
                    let id = op
                        .get("operationId")
                        .and_then(Value::as_str)
                        .with_context(|| format!("{method} {path} has no operationId"))?;
                    (type_name(&format!("{id}-response")), schema)
                }
            };
            if !seen.insert(name.clone()) {
                continue;
            }
            let code = verdict_field(target, "code", "code")?.unwrap_or_else(|| "None".into());
            let flag = verdict_field(target, "is_succeed", "flag")?;
            let declared = flag.is_some();
            let flag = flag.unwrap_or_else(|| "None".into());
            impls.push(format!(
                "impl Verdict for crate::types::{name} {{ fn result_code(&self) -> Option<i64> {{ {code} }} fn is_succeed(&self) -> Option<bool> {{ {flag} }} fn declares_is_succeed() -> bool {{ {declared} }} }}"
            ));
        }
    }
    Ok(impls)
}
