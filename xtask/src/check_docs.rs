//! `cargo xtask check-docs`: the specs against Paynet's pages.
//!
//! For a page with GitBook tables, every documented request and response
//! field must be in the operation's schema and the other way round, with
//! the same required-ness and a compatible type; the examples must validate;
//! the page's live and test URLs must be the spec's servers plus the
//! operation's path. A deliberate deviation is declared once, next to the
//! field, as `"x-vendor-doc": {"type": <the page's type>, "reason": ...}`;
//! it is accepted only while the page still says that type and the schema
//! still differs from it. A field the page names differently (or leaves
//! without a name) declares the page's name the same way, `"name":
//! "netAmount"` (or `""`). A page without a service URL table is declared
//! on the operation, `"x-vendor-doc": {"service_urls": false, "reason":
//! ...}`; the URL in its hint must still be the production server's.
//! A table after the tabs (what Paynet posts to the merchant) is compared
//! with the body of the operation's callback. Nested tables (`Data[]` and its `=>` rows) are
//! compared with the array's item schema, and `Evet*` fields with the
//! schema's at-least-one-of group (`anyOf` of single requirements). For a
//! page that embeds OpenAPI, its document (normalized and merged as
//! `generate` does: a component another page also defines may be under
//! another name, or in that page's words) must be what `spec/paynet.json`
//! holds, and every text of it that reaches the client must have its
//! English in `xtask/src/glossary.rs`.

use std::collections::BTreeSet;
use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::docs::{self, DocType, Example, Field, Page};
use crate::{merge, normalize, sources};

/// One difference between a page and the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The page, relative to the workspace root.
    pub page: String,
    /// 1-based line on the page.
    pub line: usize,
    /// The field, or what else on the page (`example response`, `live URL`).
    pub subject: String,
    /// What differs.
    pub message: String,
    /// What kind of difference it is, for code that acts on findings
    /// (`fetch-docs` proposes an edit for a field added or retyped).
    pub kind: FindingKind,
}

/// What kind of difference a [`Finding`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindingKind {
    /// A field on the page that the spec does not have.
    Added,
    /// A field whose page type differs from the spec's, undeclared.
    Retyped,
    /// Anything else.
    Other,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.page, self.line, self.subject, self.message
        )
    }
}

/// What a run found.
#[derive(Debug, Default)]
pub struct Report {
    /// Undeclared differences: any of them fails the check.
    pub findings: Vec<Finding>,
    /// Things worth knowing that are not failures (repaired examples,
    /// accepted deviations), in the same `page:line: subject: text` form.
    pub notes: Vec<Finding>,
    /// Pages read.
    pub pages: usize,
    /// Fields compared.
    pub fields: usize,
}

struct Ctx<'a> {
    spec: &'a Value,
    page: String,
    report: &'a mut Report,
}

impl Ctx<'_> {
    fn find(&mut self, line: usize, subject: impl Into<String>, message: impl Into<String>) {
        self.find_kind(line, subject, message, FindingKind::Other);
    }
    fn find_kind(
        &mut self,
        line: usize,
        subject: impl Into<String>,
        message: impl Into<String>,
        kind: FindingKind,
    ) {
        self.report.findings.push(Finding {
            page: self.page.clone(),
            line,
            subject: subject.into(),
            message: message.into(),
            kind,
        });
    }
    fn note(&mut self, line: usize, subject: impl Into<String>, message: impl Into<String>) {
        self.report.notes.push(Finding {
            page: self.page.clone(),
            line,
            subject: subject.into(),
            message: message.into(),
            kind: FindingKind::Other,
        });
    }
}

/// The schema `schema` stands for (its `$ref`s and lone `allOf`s
/// followed); a reference that cannot be followed leaves it as written,
/// so that it accepts "anything" and the comparison reports it.
fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    paynet_spec::resolve_schema(spec, schema).unwrap_or(schema)
}

/// The JSON types a schema accepts (`integer` counted apart from `number`).
fn accepted_types(spec: &Value, schema: &Value) -> BTreeSet<String> {
    let schema = resolve(spec, schema);
    let mut out = BTreeSet::new();
    if let Some(t) = schema.get("type").and_then(Value::as_str) {
        out.insert(t.to_string());
    }
    for key in ["oneOf", "anyOf"] {
        for alternative in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            out.extend(accepted_types(spec, alternative));
        }
    }
    out
}

/// The JSON types a documented type means (`None` for a type this check
/// does not know). `fetch-docs` proposes spec edits by the same rules.
pub fn documented_types(doc: &DocType) -> Option<BTreeSet<String>> {
    let names: &[&str] = match doc.name.as_str() {
        "string" | "char" | "datetime" | "date" => &["string"],
        "int" | "integer" | "long" => &["integer"],
        "decimal" | "float" | "double" | "number" => &["number"],
        "guid" | "uuid" => &["string"],
        "array" => &["array"],
        "bool" | "boolean" => &["boolean"],
        _ => return None,
    };
    Some(names.iter().map(|s| s.to_string()).collect())
}

fn max_length(spec: &Value, schema: &Value) -> Option<u64> {
    resolve(spec, schema)
        .get("maxLength")
        .and_then(Value::as_u64)
}

/// Why `schema` does not match the documented type, if it does not.
fn type_difference(spec: &Value, schema: &Value, doc: &DocType) -> Option<String> {
    let Some(expected) = documented_types(doc) else {
        return Some(format!(
            "the page's type `{doc}` is not one this check knows"
        ));
    };
    let accepted = accepted_types(spec, schema);
    let shown = |set: &BTreeSet<String>| set.iter().cloned().collect::<Vec<_>>().join(" or ");
    if accepted != expected {
        return Some(format!(
            "the page says `{doc}` ({}), the spec accepts {}",
            shown(&expected),
            if accepted.is_empty() {
                "anything".to_string()
            } else {
                shown(&accepted)
            }
        ));
    }
    let length = max_length(spec, schema);
    if length != doc.length {
        return Some(match (doc.length, length) {
            (Some(n), Some(m)) => {
                format!("the page says at most {n} characters, the spec says maxLength {m}")
            }
            (Some(n), None) => {
                format!("the page says at most {n} characters, the spec has no maxLength")
            }
            (None, Some(m)) => format!("the page gives no length, the spec says maxLength {m}"),
            (None, None) => unreachable!("equal"),
        });
    }
    None
}

/// How a field must be sent, as the page or the spec says it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Need {
    Required,
    Optional,
    /// One field of an at-least-one-of group.
    OneOf(Vec<String>),
}

impl Need {
    fn describe(&self, page: bool) -> String {
        match (self, page) {
            (Need::Required, true) => "required (Evet)".into(),
            (Need::Required, false) => "required".into(),
            (Need::Optional, _) => "optional".into(),
            (Need::OneOf(group), true) => format!("at least one of {} (Evet*)", group.join(", ")),
            (Need::OneOf(group), false) => format!("at least one of {}", group.join(", ")),
        }
    }
}

/// The name the page gives a property: its own, or the one its
/// `x-vendor-doc` declares (`"name": "netAmount"`, or `""` for a row the
/// page left without a name).
fn declared_name(property: &Value) -> Option<&str> {
    property
        .get("x-vendor-doc")
        .and_then(|d| d.get("name"))
        .and_then(Value::as_str)
}

fn shown_name(name: &str) -> String {
    if name.is_empty() {
        "(the row without a name)".to_string()
    } else {
        name.to_string()
    }
}

/// Compares the fields of one table level (`parent`: `None` at the top,
/// `Some("Data")` for the `=>` rows of `Data[]`) with an object schema.
fn compare_fields(
    ctx: &mut Ctx,
    which: &str,
    all: &[Field],
    parent: Option<&str>,
    schema: &Value,
    table_line: usize,
) {
    let schema = resolve(ctx.spec, schema);
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required = paynet_spec::required_properties(schema);
    let groups = paynet_spec::at_least_one_of(schema);
    let fields: Vec<&Field> = all
        .iter()
        .filter(|f| f.parent.as_deref() == parent)
        .collect();
    let page_group: Vec<String> = fields
        .iter()
        .filter(|f| f.one_of)
        .map(|f| f.name.clone())
        .collect();
    let mut matched = BTreeSet::new();
    for field in &fields {
        ctx.report.fields += 1;
        let subject = format!("{which} {}", shown_name(&field.name));
        // A property declared under the page's name wins over one that
        // happens to be named like the row.
        let by_declaration = properties
            .iter()
            .find(|(_, p)| declared_name(p) == Some(field.name.as_str()));
        let Some((spec_name, property)) =
            by_declaration.or_else(|| properties.get_key_value(&field.name))
        else {
            if field.name.is_empty() {
                ctx.find(
                    field.line,
                    subject,
                    "a row without a name: declare which property it is with x-vendor-doc `\"name\": \"\"`",
                );
            } else {
                ctx.find_kind(
                    field.line,
                    subject,
                    "on the page but not in the spec",
                    FindingKind::Added,
                );
            }
            continue;
        };
        matched.insert(spec_name.clone());
        let declared = property.get("x-vendor-doc");
        let mut accepted = Vec::new();
        if let Some(name) = declared_name(property) {
            if name == field.name {
                accepted.push(format!(
                    "the page calls it {}, the spec {spec_name}",
                    shown_name(name)
                ));
            } else {
                ctx.find(
                    field.line,
                    subject.clone(),
                    format!(
                        "x-vendor-doc declares the page's name as {}, the page says {}: remove it",
                        shown_name(name),
                        shown_name(&field.name)
                    ),
                );
            }
        }
        if let Some(page_required) = field.required {
            let page = if field.one_of {
                Need::OneOf(page_group.clone())
            } else if page_required {
                Need::Required
            } else {
                Need::Optional
            };
            let spec = if required.contains(spec_name.as_str()) {
                Need::Required
            } else if let Some(group) = groups.iter().find(|g| g.contains(&spec_name.as_str())) {
                Need::OneOf(group.iter().map(|s| s.to_string()).collect())
            } else {
                Need::Optional
            };
            let differs = match (&page, &spec) {
                (Need::OneOf(a), Need::OneOf(b)) => {
                    a.iter().collect::<BTreeSet<_>>() != b.iter().collect::<BTreeSet<_>>()
                }
                (a, b) => a != b,
            };
            if differs {
                ctx.find(
                    field.line,
                    subject.clone(),
                    format!(
                        "the page says {}, the spec says {}",
                        page.describe(true),
                        spec.describe(false)
                    ),
                );
            }
        }
        if field.doc_type.name == "array" {
            let items = resolve(ctx.spec, property);
            match items.get("items") {
                Some(items) if items.get("type").is_some() || paynet_spec::is_reference(items) => {
                    let nested = format!("{which} {}[]", field.name);
                    compare_fields(ctx, &nested, all, Some(&field.name), items, field.line);
                }
                _ => ctx.find(
                    field.line,
                    subject.clone(),
                    "the page documents an array of objects, the spec has no array items",
                ),
            }
        }
        let difference = type_difference(ctx.spec, property, &field.doc_type);
        let declared_type = declared
            .and_then(|d| d.get("type"))
            .and_then(Value::as_str)
            .map(DocType::parse);
        match (declared_type, difference) {
            (None, None) => {}
            (None, Some(difference)) => ctx.find_kind(
                field.line,
                subject.clone(),
                format!("{difference} (declare a deliberate deviation with x-vendor-doc)"),
                FindingKind::Retyped,
            ),
            (Some(declared_type), difference) => {
                if declared_type != field.doc_type {
                    ctx.find(
                        field.line,
                        subject.clone(),
                        format!(
                            "x-vendor-doc declares the page's type as `{declared_type}`, the page says `{}`",
                            field.doc_type
                        ),
                    );
                } else if difference.is_none() {
                    ctx.find(field.line, subject.clone(), "x-vendor-doc declares a deviation, but the spec now matches the page: remove it");
                } else {
                    accepted.push(format!("type `{declared_type}`"));
                }
            }
        }
        if !accepted.is_empty() {
            let reason = declared
                .and_then(|d| d.get("reason"))
                .and_then(Value::as_str)
                .unwrap_or("no reason given");
            ctx.note(field.line, subject, format!("declared deviation: {reason}"));
        }
    }
    for name in properties.keys() {
        if !matched.contains(name) {
            ctx.find(
                table_line,
                format!("{which} {name}"),
                "in the spec but not on the page",
            );
        }
    }
}

/// Validates an example against `schema` as JSON Schema (draft 4, with the
/// spec's components reachable and `nullable` honoured).
fn example_errors(spec: &Value, schema: &Value, example: &Value) -> Vec<String> {
    match paynet_spec::validator(spec, schema) {
        Ok(validator) => paynet_spec::errors(&validator, example),
        Err(e) => vec![format!("the schema does not compile: {e}")],
    }
}

fn check_example(ctx: &mut Ctx, which: &str, example: &Option<Example>, schema: Option<&Value>) {
    let (Some(example), Some(schema)) = (example, schema) else {
        return;
    };
    let subject = format!("example {which}");
    if example.repaired {
        ctx.note(
            example.line,
            subject.clone(),
            "not valid JSON on the page; read after adding the missing commas and quoting bare member names",
        );
    }
    for error in example_errors(ctx.spec, schema, &example.value) {
        ctx.find(
            example.line,
            subject.clone(),
            format!("does not validate against the spec: {error}"),
        );
    }
}

fn split_url(url: &str) -> Option<(String, String)> {
    let rest = url.split_once("://")?.1;
    let slash = rest.find('/').unwrap_or(rest.len());
    let scheme = &url[..url.find("://")? + 3];
    Some((
        format!("{scheme}{}", &rest[..slash]),
        rest[slash..].to_string(),
    ))
}

/// The page's callback table (what Paynet posts to the merchant) against
/// the request body of the operation's one callback.
fn check_callback(ctx: &mut Ctx, page: &Page, op: &paynet_spec::Operation, url_line: usize) {
    let callbacks = op.callback_body_schemas().unwrap_or_else(|e| {
        ctx.find(url_line, "callback", e.to_string());
        Vec::new()
    });
    let line = page.callback.first().map(|f| f.line).unwrap_or(url_line);
    match (callbacks.as_slice(), page.callback.is_empty()) {
        ([], true) => {}
        ([], false) => ctx.find(
            line,
            "callback",
            "the page documents what Paynet posts to the merchant, the operation declares no callback",
        ),
        ([(name, _, _)], true) => ctx.find(
            url_line,
            format!("callback {name}"),
            "in the spec but the page documents no callback table",
        ),
        ([(name, _, schema)], false) => {
            let which = format!("callback {name}");
            compare_fields(ctx, &which, &page.callback, None, schema, line);
        }
        _ => ctx.find(
            line,
            "callback",
            "the operation declares several callback bodies; the page documents one table",
        ),
    }
}

fn check_table_page(ctx: &mut Ctx, page: &Page) {
    let Some(url) = &page.url else {
        ctx.find(
            1,
            "service URL",
            "the page has tables but names no service URL, so it cannot be linked to an operation",
        );
        return;
    };
    let Some((_, path)) = split_url(&url.url) else {
        ctx.find(url.line, "service URL", format!("{} is not a URL", url.url));
        return;
    };
    let Some(op) = paynet_spec::operations(ctx.spec).find(|op| op.path() == path) else {
        ctx.find(
            url.line,
            "service URL",
            format!("no operation in spec/paynet.json has the path {path}"),
        );
        return;
    };
    let servers: BTreeSet<String> = ctx.spec["servers"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| {
            s["url"]
                .as_str()
                .map(|u| u.trim_end_matches('/').to_string())
        })
        .collect();
    // A page without a service URL table, declared on the operation:
    // `"x-vendor-doc": {"service_urls": false, "reason": ...}`.
    let omitted_urls = op
        .object()
        .get("x-vendor-doc")
        .filter(|d| d.get("service_urls") == Some(&Value::Bool(false)))
        .map(|d| {
            d.get("reason")
                .and_then(Value::as_str)
                .unwrap_or("no reason given")
                .to_string()
        });
    for (name, page_url) in [
        ("live URL (Canlı Sistem)", &page.live_url),
        ("test URL (Test Sistemi)", &page.test_url),
    ] {
        match page_url {
            Some(u) => match split_url(&u.url) {
                Some((base, p)) if servers.contains(&base) && p == path => {}
                Some((base, p)) => ctx.find(
                    u.line,
                    name,
                    format!("{} is not one of the spec's servers ({}) followed by {path} (page: {base} + {p})",
                        u.url, servers.iter().cloned().collect::<Vec<_>>().join(", ")),
                ),
                None => ctx.find(u.line, name, format!("{} is not a URL", u.url)),
            },
            None if omitted_urls.is_some() => {}
            None => ctx.find(
                url.line,
                name,
                "the page's service URL table does not give it (declare a page without one with the operation's x-vendor-doc `\"service_urls\": false`)",
            ),
        }
    }
    if let Some(reason) = omitted_urls {
        if page.live_url.is_some() || page.test_url.is_some() {
            ctx.find(
                url.line,
                "service URLs",
                "x-vendor-doc declares that the page gives no service URLs, but it does: remove it",
            );
        } else if split_url(&url.url).is_none_or(|(base, _)| !servers.contains(&base)) {
            ctx.find(
                url.line,
                "service URL",
                format!("{} is not on one of the spec's servers", url.url),
            );
        } else {
            ctx.note(
                url.line,
                "service URLs",
                format!("declared deviation: {reason}"),
            );
        }
    }
    let request = op.request_body_schema().unwrap_or_else(|e| {
        ctx.find(url.line, "request", e.to_string());
        None
    });
    let response = op.response_schema("200").unwrap_or_else(|e| {
        ctx.find(url.line, "response", e.to_string());
        None
    });
    let first_line = |fields: &[Field]| fields.first().map(|f| f.line).unwrap_or(url.line);
    match request {
        Some(schema) => compare_fields(
            ctx,
            "request",
            &page.request,
            None,
            schema,
            first_line(&page.request),
        ),
        None if !page.request.is_empty() => ctx.find(
            first_line(&page.request),
            "request",
            "the page documents request fields, the spec has no JSON request body",
        ),
        None => {}
    }
    match response {
        Some(schema) => compare_fields(
            ctx,
            "response",
            &page.response,
            None,
            schema,
            first_line(&page.response),
        ),
        None if !page.response.is_empty() => ctx.find(
            first_line(&page.response),
            "response",
            "the page documents response fields, the spec has no JSON 200 answer",
        ),
        None => {}
    }
    check_callback(ctx, page, &op, url.line);
    check_example(ctx, "request", &page.example_request, request);
    check_example(ctx, "response", &page.example_response, response);
    for (line, problem) in &page.problems {
        ctx.find(*line, "example", problem.clone());
    }
}

fn check_embedded(ctx: &mut Ctx, fence: &sources::Fence, placement: Option<&merge::Placement>) {
    let mut doc = match sources::parse_json(&ctx.page, fence.first_line, &fence.text) {
        Ok(doc) => doc,
        Err(e) => {
            ctx.find(fence.first_line, "embedded OpenAPI", e.message);
            return;
        }
    };
    for (at, text) in normalize::untranslated(&doc) {
        ctx.find(
            fence.first_line,
            format!("embedded OpenAPI {at}"),
            format!("{text:?} has no English: add it to xtask/src/glossary.rs"),
        );
    }
    normalize::normalize(&ctx.page, &mut doc);
    let empty = merge::Placement::default();
    let placement = placement.unwrap_or(&empty);
    let spec = ctx.spec;
    for (path, item) in paynet_spec::path_items(&doc) {
        ctx.report.fields += 1;
        let item = merge::rename_refs(item, &placement.renames);
        match paynet_spec::path_item(spec, path) {
            Some(merged) if *merged == item => {}
            Some(_) => ctx.find(fence.first_line, format!("path {path}"), "the page's document differs from spec/paynet.json: run `cargo xtask generate` and read the diff"),
            None => ctx.find(fence.first_line, format!("path {path}"), "on the page but not in spec/paynet.json: run `cargo xtask generate`"),
        }
    }
    for (section, entries) in doc["components"].as_object().into_iter().flatten() {
        for (name, definition) in entries.as_object().into_iter().flatten() {
            ctx.report.fields += 1;
            let key = (section.clone(), name.clone());
            let target = placement.renames.get(&key).unwrap_or(name);
            let subject = if target == name {
                format!("components.{section}.{name}")
            } else {
                format!("components.{section}.{name} (merged as {target})")
            };
            let definition = merge::rename_refs(definition, &placement.renames);
            match spec["components"][section].get(target) {
                Some(merged) if *merged == definition => {}
                Some(merged)
                    if placement.reworded.contains_key(&key)
                        && merge::structure(merged) == merge::structure(&definition) =>
                {
                    ctx.note(
                        fence.first_line,
                        subject,
                        format!(
                            "the same structure as spec/paynet.json's, in other words; the spec keeps those of {}",
                            placement.reworded[&key]
                        ),
                    )
                }
                Some(_) => ctx.find(fence.first_line, subject, "the page's definition differs from spec/paynet.json: run `cargo xtask generate` and read the diff"),
                None => ctx.find(fence.first_line, subject, "on the page but not in spec/paynet.json: run `cargo xtask generate`"),
            }
        }
    }
}

/// Checks every page of `root/spec/vendor` against `root/spec/paynet.json`.
pub fn check_docs(root: &Path) -> Result<Report> {
    let spec_text = std::fs::read_to_string(root.join("spec/paynet.json"))
        .context("cannot read spec/paynet.json")?;
    let spec: Value = serde_json::from_str(&spec_text).context("spec/paynet.json is not JSON")?;
    // Where `generate` put each source's components, given the spec as
    // written. When the sources cannot be merged, every page is compared
    // as it stands, and the differences show.
    let plan = sources::load(root).ok().and_then(|mut sources| {
        for source in &mut sources {
            normalize::normalize(&source.name, &mut source.doc);
        }
        let merged = merge::merge(&sources, Some(&spec)).ok()?;
        Some((sources, merged.placements))
    });
    let placement = |page: &str, first_line: usize| {
        let (sources, placements) = plan.as_ref()?;
        sources
            .iter()
            .position(|s| s.name == page && s.first_line == first_line)
            .map(|i| &placements[i])
    };
    let mut report = Report::default();
    for path in sources::vendor_pages(root)? {
        let (name, text) = sources::read(root, &path)?;
        report.pages += 1;
        let mut ctx = Ctx {
            spec: &spec,
            page: name,
            report: &mut report,
        };
        let fences = sources::json_fences(&text);
        for fence in &fences {
            let placement = placement(&ctx.page, fence.first_line);
            check_embedded(&mut ctx, fence, placement);
        }
        let page = docs::parse(&text);
        if page.has_tables() {
            check_table_page(&mut ctx, &page);
        } else if fences.is_empty() {
            ctx.find(1, "page", "neither parameter tables nor an embedded OpenAPI document: nothing to check it against");
        }
    }
    Ok(report)
}
