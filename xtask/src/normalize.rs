//! Generic repairs that OpenAPI 3.0.3 or progenitor require, applied to each
//! source before merging. Nothing here knows about a particular endpoint:
//! each rule applies wherever its condition holds, and reports one line per
//! change so that a maintainer sees what was done to the vendor's document.

use serde_json::Value;

/// Header parameters that OpenAPI 3.0.3 says SHALL be ignored. Left in,
/// progenitor turns `Content-Type` into a required argument whose value
/// replaces the JSON content type on the wire.
const IGNORED_HEADERS: [&str; 3] = ["accept", "content-type", "authorization"];

/// The security scheme of the merchant secret key (gizli anahtar), as
/// `spec/openapi/base.json` defines it: `Authorization: Basic <secret_key>`.
/// Paynet takes nothing else in `Authorization`.
pub const SECRET_KEY_SCHEME: &str = "secret_key";

/// The header parameter in which Paynet's SoftPOS operations take the mobile
/// session key (mobil oturum anahtarı), a value obtained per session and
/// passed per call rather than a security scheme of the client.
const SESSION_KEY_HEADER: &str = "session-key";

/// What an operation authenticated by its `Session-Key` parameter says in
/// its description once it declares `security: []`.
const SESSION_KEY_NOTE: &str = "The `Session-Key` header parameter carries the mobile session key (mobil oturum anahtarı), a per-call value; no security scheme of the client applies.";

/// Applies every normalization to `doc`, returning one line per change.
pub fn normalize(source: &str, doc: &mut Value) -> Vec<String> {
    let mut changes = Vec::new();
    declare_authorization_security(source, doc, &mut changes);
    drop_ignored_headers(source, doc, &mut changes);
    give_english(source, doc, &mut changes);
    add_response_descriptions(source, doc, &mut changes);
    add_operation_ids(source, doc, &mut changes);
    describe_bodies(source, doc, &mut changes);
    require_result_code(source, doc, &mut changes);
    type_credential_values(source, doc, &mut changes);
    type_known_values(source, doc, &mut changes);
    declare_session_key_security(source, doc, &mut changes);
    changes
}

/// Whether a source is a vendor page (Markdown), whose words are Paynet's.
fn is_vendor_page(source: &str) -> bool {
    source.ends_with(".md")
}

/// A vendor page's texts that the glossary knows get their English, with
/// the Turkish term beside it ([`crate::glossary`]); one line says how
/// many, and one line per text it does not know says what to add.
fn give_english(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    let count = crate::glossary::translate(doc);
    if count > 0 {
        changes.push(format!(
            "{source}: {count} descriptions and summaries given in Turkish only: replaced by their English from xtask/src/glossary.rs, the Turkish term beside it"
        ));
    }
    if is_vendor_page(source) {
        for (at, text) in crate::glossary::untranslated(doc) {
            changes.push(format!(
                "{source}: {at}: {text:?} has no English: add it to xtask/src/glossary.rs"
            ));
        }
    }
}

/// The texts of a vendor page's document that would reach the client in
/// Turkish only (those of the parameters the normaliser removes do not),
/// as (a JSON pointer, the text): `check-docs` reports each.
pub fn untranslated(doc: &Value) -> Vec<(String, String)> {
    let mut doc = doc.clone();
    drop_ignored_headers("", &mut doc, &mut Vec::new());
    crate::glossary::untranslated(&doc)
}

/// A request or answer schema without a description of its own (the
/// SoftPOS pages give their schemas none) is described by its place: the
/// request body or the answer of its operation, or an error answer. The
/// generated type then says what it is, in English, instead of repeating
/// its name.
fn describe_bodies(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    let mut targets: Vec<(String, String)> = Vec::new();
    for op in paynet_spec::operations(doc) {
        let Some(id) = op.id() else { continue };
        let what = match op.object().get("summary").and_then(Value::as_str) {
            Some(summary) => format!("`{id}`, {summary}"),
            None => format!("`{id}`"),
        };
        if let Ok(Some(schema)) = op.request_body_schema_pointer() {
            targets.push((schema, format!("The request body of {what}.")));
        }
        for response in op.responses() {
            let Ok(Some(schema)) = response.schema_pointer() else {
                continue;
            };
            let text = if response.status.starts_with('2') {
                format!("The answer of {what}.")
            } else {
                format!(
                    "An error answer (HTTP {}): Paynet's result code and message.",
                    response.status
                )
            };
            targets.push((schema, text));
        }
    }
    for (pointer, text) in targets {
        if let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut)
            && !schema.contains_key("description")
            && !schema.contains_key("$ref")
        {
            changes.push(format!(
                "{source}: {pointer}: had no description; set to {text:?}"
            ));
            schema.insert("description".into(), Value::String(text));
        }
    }
}

/// A 2xx JSON answer whose schema declares Paynet's result `code` gets it
/// in `required`: the client reads success from it, so an answer without
/// one is never a success, and the spec must say such an answer is not
/// valid rather than leave the client stricter than its spec.
fn require_result_code(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    for (label, pointer) in success_schemas(doc) {
        let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let declares = schema
            .get("properties")
            .and_then(Value::as_object)
            .is_some_and(|p| p.contains_key("code"));
        let required = schema
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|n| n == "code"));
        if declares && !required {
            let list = schema
                .entry("required")
                .or_insert_with(|| Value::Array(Vec::new()));
            if let Some(list) = list.as_array_mut() {
                list.push(Value::String("code".into()));
                changes.push(format!(
                    "{source}: {label}: `code` made required (the result mapping reads success from it; an answer without one is not a success)"
                ));
            }
        }
    }
}

/// Answer properties that carry a credential: get_auth_key's mobile
/// session key, and the SoftPOS start's key for the payment session.
const CREDENTIAL_PROPERTIES: [&str; 2] = ["session_key", "encryption_key"];

/// The component (in base.json) a credential in an answer is typed as; it
/// is generated as `paynet_api::wire::SecretText`, whose `Debug` is redacted.
const SECRET_SCHEMA: &str = "#/components/schemas/SecretText";

/// A 2xx answer's plain-string credential ([`CREDENTIAL_PROPERTIES`])
/// becomes a `SecretText`: the generated answer types derive `Debug`, and a
/// credential must not be printed by `{:?}` of the answer that carried it.
fn type_credential_values(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    for (label, pointer) in success_schemas(doc) {
        for name in CREDENTIAL_PROPERTIES {
            let Some(property) = doc
                .pointer_mut(&format!("{pointer}/properties/{name}"))
                .and_then(Value::as_object_mut)
            else {
                continue;
            };
            if property.get("type") != Some(&Value::String("string".into()))
                || property.contains_key("format")
            {
                continue;
            }
            property.remove("type");
            property.insert(
                "allOf".into(),
                serde_json::json!([{ "$ref": SECRET_SCHEMA }]),
            );
            changes.push(format!(
                "{source}: {label}: `{name}` typed as SecretText (a credential: its generated type redacts it in `Debug`)"
            ));
        }
    }
}

/// The kinds of value Paynet sends or takes under the same name on every
/// page, and the one named schema of `spec/openapi/base.json` each is
/// typed as, whatever a page's own plain type says. One row: where the
/// property is, whether it is that kind (by its name and its plain
/// schema), the schema, and why.
struct KnownValue {
    place: Place,
    kind: fn(name: &str, schema: &serde_json::Map<String, Value>) -> bool,
    schema: &'static str,
    why: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    /// A top-level property of an answer's body, any status.
    Answer,
    /// A property of an answer's body at any depth (array items and
    /// referenced schemas included).
    AnswerAnyDepth,
    /// A top-level property of a request body.
    Request,
}

fn plain_type(schema: &serde_json::Map<String, Value>) -> Option<&str> {
    schema.get("type").and_then(Value::as_str)
}

/// Whether a plain string schema carries no length rule of its own.
fn no_length_rule(schema: &serde_json::Map<String, Value>) -> bool {
    !schema.contains_key("maxLength") && !schema.contains_key("minLength")
}

/// Names of money fields that do not end in `_amount` (the vendor's
/// spelling of commission).
const MONEY_NAMES: [&str; 3] = ["amount", "comission", "comission_tax"];

const KNOWN_VALUES: [KnownValue; 4] = [
    KnownValue {
        place: Place::Answer,
        kind: |name, schema| {
            name == "code" && matches!(plain_type(schema), Some("integer" | "string"))
        },
        schema: "ResultCode",
        why: "Paynet's result code: one type on every answer, read the same way by the result mapping",
    },
    KnownValue {
        place: Place::Request,
        kind: |name, schema| {
            name == "xact_id"
                && plain_type(schema) == Some("string")
                && !schema.contains_key("format")
                && no_length_rule(schema)
        },
        schema: "XactId",
        why: "Paynet's transaction id: the page gives no length of its own, so the id's documented string (100) applies",
    },
    KnownValue {
        place: Place::AnswerAnyDepth,
        kind: |name, schema| {
            (MONEY_NAMES.contains(&name) || name.ends_with("_amount"))
                && plain_type(schema) == Some("number")
        },
        schema: "Amount",
        why: "money: an exact decimal, never a binary float",
    },
    KnownValue {
        place: Place::AnswerAnyDepth,
        kind: |name, schema| {
            plain_type(schema) == Some("string")
                && (matches!(
                    schema.get("format").and_then(Value::as_str),
                    Some("date-time" | "date")
                ) || (!schema.contains_key("format")
                    && (name == "date" || name.ends_with("_date"))))
        },
        schema: "LocalDateTime",
        why: "a date and time as Paynet sends it, usually Turkish local time without an offset",
    },
];

/// Types the values [`KNOWN_VALUES`] lists by the named schema of their
/// kind wherever a page types them plainly (`"code": {"type":
/// "integer"}`), so that the same value has the same Rust type on every
/// page: a result code is `ResultCode`, a transaction id a request sends is
/// `XactId`, money is `Amount`, a date and time Paynet sends is
/// `LocalDateTime`. The property keeps its own description; one that
/// already refers to a schema, or carries a rule of its own that the named
/// schema would not keep (a `maxLength` on an `xact_id`), is left as the
/// page wrote it.
fn type_known_values(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    let mut targets: Vec<(String, String, Place)> = Vec::new();
    for (label, pointer) in answer_schemas(doc, |_| true) {
        targets.push((label.clone(), pointer.clone(), Place::Answer));
        for (nested_label, nested) in nested_schemas(doc, &label, &pointer) {
            targets.push((nested_label, nested, Place::AnswerAnyDepth));
        }
    }
    for op in paynet_spec::operations(doc) {
        if let Ok(Some(schema)) = op.request_body_schema_pointer() {
            let label = format!("{}: request", place(op.path(), Some(op.method())));
            targets.push((label, schema, Place::Request));
        }
    }
    let mut done = std::collections::BTreeSet::new();
    for (label, pointer, at) in targets {
        let Some(properties) = doc
            .pointer_mut(&format!("{pointer}/properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (name, property) in properties.iter_mut() {
            let Some(object) = property.as_object_mut() else {
                continue;
            };
            let Some(rule) = KNOWN_VALUES.iter().find(|rule| {
                (rule.place == at || (rule.place == Place::AnswerAnyDepth && at == Place::Answer))
                    && (rule.kind)(name, object)
            }) else {
                continue;
            };
            if !done.insert(format!("{pointer}/properties/{name}")) {
                continue;
            }
            for keyword in ["type", "format"] {
                object.remove(keyword);
            }
            object.insert(
                "allOf".into(),
                serde_json::json!([{ "$ref": format!("#/components/schemas/{}", rule.schema) }]),
            );
            changes.push(format!(
                "{source}: {label}: `{name}` typed as {} ({})",
                rule.schema, rule.why
            ));
        }
    }
}

/// The object schemas an answer's properties lead to (array items, and
/// `$ref`s followed), each once, as (label, pointer).
fn nested_schemas(doc: &Value, label: &str, pointer: &str) -> Vec<(String, String)> {
    let mut found = Vec::new();
    let mut queue = vec![(label.to_string(), pointer.to_string())];
    let mut seen = std::collections::BTreeSet::from([pointer.to_string()]);
    while let Some((label, pointer)) = queue.pop() {
        let Some(properties) = doc
            .pointer(&format!("{pointer}/properties"))
            .and_then(Value::as_object)
        else {
            continue;
        };
        for (name, property) in properties {
            let escaped = paynet_spec::escape(name);
            let mut at = format!("{pointer}/properties/{escaped}");
            if property.get("items").is_some() {
                at.push_str("/items");
            }
            let Ok(target) = paynet_spec::target(doc, &at) else {
                continue;
            };
            if doc.pointer(&format!("{target}/properties")).is_some() && seen.insert(target.clone())
            {
                let label = format!("{label} {name}");
                found.push((label.clone(), target.clone()));
                queue.push((label, target));
            }
        }
    }
    found
}

/// Every 2xx answer's JSON schema this source can reach, as (the line's
/// label, a JSON pointer to the schema). A schema it cannot reach (a
/// fragment's schemas are defined in base.json) is left out.
fn success_schemas(doc: &Value) -> Vec<(String, String)> {
    answer_schemas(doc, |status| status.starts_with('2'))
}

/// Every answer's JSON schema this source can reach for the statuses
/// `wanted` accepts, as in [`success_schemas`].
fn answer_schemas(doc: &Value, wanted: impl Fn(&str) -> bool) -> Vec<(String, String)> {
    let mut targets = Vec::new();
    for op in paynet_spec::operations(doc) {
        for response in op.responses() {
            if wanted(response.status)
                && let Ok(Some(pointer)) = response.schema_pointer()
            {
                let label = format!(
                    "{}: response {}",
                    place(op.path(), Some(op.method())),
                    response.status
                );
                targets.push((label, pointer));
            }
        }
    }
    targets
}

/// Where a change was made, for its line: `POST /path`, or the path alone
/// for what a path item shares among its operations.
fn place(path: &str, method: Option<&str>) -> String {
    match method {
        Some(method) => format!("{} {path}", method.to_uppercase()),
        None => path.to_string(),
    }
}

fn is_ignored_header(param: &Value) -> Option<String> {
    let location = param.get("in").and_then(Value::as_str)?;
    let name = param.get("name").and_then(Value::as_str)?;
    (location == "header" && IGNORED_HEADERS.contains(&name.to_ascii_lowercase().as_str()))
        .then(|| name.to_string())
}

fn drop_ignored_headers(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    // References are read in the document as it was before any removal.
    let before = doc.clone();
    for paynet_spec::ParametersMut { path, method, list } in paynet_spec::parameter_lists_mut(doc) {
        let place = place(path, method);
        list.retain(|param| {
            let param = paynet_spec::resolve(&before, param).ok();
            match param.and_then(is_ignored_header) {
                Some(name) => {
                    changes.push(format!(
                        "{source}: {place}: removed header parameter `{name}` (OpenAPI 3.0.3: it SHALL be ignored)"
                    ));
                    false
                }
                None => true,
            }
        });
    }
    // A component parameter that is itself an ignored header is now unused
    // (or would be, once anyone referred to it): drop it as well.
    if let Some(params) = doc
        .pointer_mut("/components/parameters")
        .and_then(Value::as_object_mut)
    {
        params.retain(|key, param| match is_ignored_header(param) {
            Some(name) => {
                changes.push(format!(
                    "{source}: components.parameters.{key}: removed header parameter `{name}` (OpenAPI 3.0.3: it SHALL be ignored)"
                ));
                false
            }
            None => true,
        });
        if params.is_empty()
            && let Some(components) = doc.get_mut("components").and_then(Value::as_object_mut)
        {
            components.remove("parameters");
        }
    }
}

/// The standard reason phrase of an HTTP status, for a missing description.
fn reason_phrase(status: &str) -> String {
    let phrase = match status {
        "200" => "OK",
        "201" => "Created",
        "204" => "No Content",
        "400" => "Bad Request",
        "401" => "Unauthorized",
        "403" => "Forbidden",
        "404" => "Not Found",
        "405" => "Method Not Allowed",
        "409" => "Conflict",
        "422" => "Unprocessable Entity",
        "429" => "Too Many Requests",
        "500" => "Internal Server Error",
        "502" => "Bad Gateway",
        "503" => "Service Unavailable",
        "default" => "Any other response",
        _ => return format!("HTTP {status}"),
    };
    phrase.to_string()
}

fn add_response_descriptions(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    for op in paynet_spec::operations_mut(doc) {
        let place = place(op.path, Some(op.method));
        let Some(responses) = op
            .object
            .get_mut("responses")
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        for (status, response) in responses.iter_mut() {
            if !paynet_spec::is_reference(response)
                && let Some(response) = response.as_object_mut()
                && !response.contains_key("description")
            {
                let text = reason_phrase(status);
                changes.push(format!(
                    "{source}: {place}: response {status} had no description; set to \"{text}\""
                ));
                response.insert("description".into(), Value::String(text));
            }
        }
    }
    if let Some(responses) = doc
        .pointer_mut("/components/responses")
        .and_then(Value::as_object_mut)
    {
        for (name, response) in responses.iter_mut() {
            if let Some(response) = response.as_object_mut()
                && !response.contains_key("description")
            {
                changes.push(format!(
                    "{source}: components.responses.{name} had no description; set to \"{name}\""
                ));
                response.insert("description".into(), Value::String(name.clone()));
            }
        }
    }
}

/// `operationId` derived from a path: its last segment, in snake case
/// (`/v1/softpos/init_reversal_transaction` → `init_reversal_transaction`).
pub fn operation_id_from_path(path: &str) -> String {
    let segment = path
        .trim_end_matches('/')
        .rsplit('/')
        .find(|s| !s.is_empty() && !s.starts_with('{'))
        .unwrap_or("root");
    let mut id = String::new();
    for c in segment.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && !id.is_empty() && !id.ends_with('_') {
                id.push('_');
            }
            id.push(c.to_ascii_lowercase());
        } else if !id.ends_with('_') {
            id.push('_');
        }
    }
    id.trim_matches('_').to_string()
}

fn add_operation_ids(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    for op in paynet_spec::operations_mut(doc) {
        if !op.object.contains_key("operationId") {
            let id = operation_id_from_path(op.path);
            changes.push(format!(
                "{source}: {}: had no operationId; derived `{id}` from the path",
                place(op.path, Some(op.method))
            ));
            op.object.insert("operationId".into(), Value::String(id));
        }
    }
}

/// A vendor page that declares `Authorization` as a header parameter (the
/// SoftPOS family's `get_auth_key` does) says the operation takes the
/// merchant secret key. OpenAPI 3.0.3 ignores such a parameter, and
/// [`drop_ignored_headers`] removes it; without this rule the operation
/// would end up needing no credential, the client would send no key, and
/// Paynet would refuse. So an operation with no `security` of its own (and
/// no document-wide default) that takes an `Authorization` header parameter,
/// inline or by `$ref`, on itself or its path item, is given the
/// requirement of the secret-key scheme in its place.
fn declare_authorization_security(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    if doc.get("security").is_some() {
        return;
    }
    let takes_authorization = |op: &paynet_spec::Operation<'_>| {
        op.object().get("security").is_none()
            && op
                .header_parameters()
                .is_ok_and(|headers| headers.iter().any(|h| h.name == "authorization"))
    };
    let targets: Vec<(String, String)> = paynet_spec::operations(doc)
        .filter(takes_authorization)
        .map(|op| (op.pointer(), place(op.path(), Some(op.method()))))
        .collect();
    for (pointer, place) in targets {
        let Some(op) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        op.insert(
            "security".into(),
            serde_json::json!([{ SECRET_KEY_SCHEME: [] }]),
        );
        changes.push(format!(
            "{source}: {place}: its `Authorization` header parameter carries the merchant secret key; declared `security: [{{\"{SECRET_KEY_SCHEME}\": []}}]` in its place (OpenAPI 3.0.3 ignores that parameter, and without the requirement the client would send no key)"
        ));
    }
}

/// An operation with no `security` (and no document-wide default) reads as
/// one whose authentication was forgotten; linters flag it. When it takes a
/// `Session-Key` header parameter, that parameter is what authenticates it:
/// say so with an explicit `security: []` and a sentence in its description.
fn declare_session_key_security(source: &str, doc: &mut Value, changes: &mut Vec<String>) {
    if doc.get("security").is_some() {
        return;
    }
    let takes_session_key = |op: &paynet_spec::Operation<'_>| {
        op.object().get("security").is_none()
            && op
                .header_parameters()
                .is_ok_and(|headers| headers.iter().any(|h| h.name == SESSION_KEY_HEADER))
    };
    let targets: Vec<(String, String)> = paynet_spec::operations(doc)
        .filter(takes_session_key)
        .map(|op| (op.pointer(), place(op.path(), Some(op.method()))))
        .collect();
    for (pointer, place) in targets {
        let Some(op) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        op.insert("security".into(), Value::Array(Vec::new()));
        let description = match op.get("description").and_then(Value::as_str) {
            Some(text) if !text.trim().is_empty() => {
                format!("{}\n\n{SESSION_KEY_NOTE}", text.trim_end())
            }
            _ => SESSION_KEY_NOTE.to_string(),
        };
        op.insert("description".into(), Value::String(description));
        changes.push(format!(
            "{source}: {place}: had no security; declared `security: []` and noted in its description that its `Session-Key` header parameter carries the mobile session key (an operation without security reads as one whose authentication was forgotten)"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derives_snake_case_ids_from_the_last_segment() {
        assert_eq!(
            operation_id_from_path("/v1/softpos/init_reversal_transaction"),
            "init_reversal_transaction"
        );
        assert_eq!(operation_id_from_path("/v1/getAuthKey/"), "get_auth_key");
        assert_eq!(operation_id_from_path("/v1/items/{id}"), "items");
    }

    #[test]
    fn removes_ignored_headers_inline_and_by_reference_and_keeps_others() {
        let mut doc = json!({
            "paths": {"/x": {"post": {"parameters": [
                {"name": "Session-Key", "in": "header", "schema": {"type": "string"}},
                {"name": "accept", "in": "header", "schema": {"type": "string"}},
                {"name": "Authorization", "in": "query", "schema": {"type": "string"}},
                {"$ref": "#/components/parameters/CT"}
            ], "operationId": "x", "security": [], "responses": {}}}},
            "components": {"parameters": {"CT": {"name": "Content-Type", "in": "header", "schema": {"type": "string"}}}}
        });
        let changes = normalize("s.json", &mut doc);
        let names: Vec<&str> = doc["paths"]["/x"]["post"]["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["Session-Key", "Authorization"]);
        assert!(doc["components"].get("parameters").is_none());
        assert_eq!(changes.len(), 3, "{changes:#?}");
        assert!(changes[0].contains("POST /x: removed header parameter `accept`"));
        assert!(changes[1].contains("POST /x: removed header parameter `Content-Type`"));
        assert!(changes[2].contains("components.parameters.CT"));
    }

    #[test]
    fn removes_ignored_headers_shared_by_a_path_item() {
        let mut doc = json!({
            "paths": {"/x": {
                "parameters": [
                    {"name": "Accept", "in": "header", "schema": {"type": "string"}},
                    {"name": "X-Kept", "in": "header", "schema": {"type": "string"}}
                ],
                "summary": "not an operation",
                "get": {"operationId": "x", "responses": {}}
            }}
        });
        let changes = normalize("s.json", &mut doc);
        assert_eq!(
            doc["paths"]["/x"]["parameters"],
            json!([{"name": "X-Kept", "in": "header", "schema": {"type": "string"}}])
        );
        assert_eq!(
            changes,
            ["s.json: /x: removed header parameter `Accept` (OpenAPI 3.0.3: it SHALL be ignored)"]
        );
    }

    #[test]
    fn makes_a_declared_result_code_required_where_the_schema_is_defined() {
        let mut doc = json!({
            "paths": {
                "/inline": {"post": {"operationId": "i", "responses": {
                    "200": {"description": "d", "content": {"application/json": {"schema":
                        {"type": "object", "properties": {"code": {"type": "integer"}}}}}},
                    "400": {"description": "d", "content": {"application/json": {"schema":
                        {"type": "object", "properties": {"code": {"type": "integer"}}}}}}
                }}},
                "/shared": {"post": {"operationId": "s", "responses": {
                    "200": {"$ref": "#/components/responses/Answer"}
                }}},
                "/fragment": {"post": {"operationId": "f", "responses": {
                    "200": {"description": "d", "content": {"application/json": {"schema":
                        {"$ref": "#/components/schemas/InAnotherSource"}}}}
                }}}
            },
            "components": {
                "responses": {"Answer": {"description": "d", "content": {"application/json": {"schema":
                    {"$ref": "#/components/schemas/Answer"}}}}},
                "schemas": {"Answer": {"type": "object", "required": ["id"],
                    "properties": {"id": {"type": "string"}, "code": {"type": "integer"}}}}
            }
        });
        let changes = normalize("s.json", &mut doc);
        assert_eq!(
            doc["paths"]["/inline"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
                ["required"],
            json!(["code"])
        );
        // Only 2xx answers carry the verdict.
        assert!(
            doc["paths"]["/inline"]["post"]["responses"]["400"]["content"]["application/json"]
                ["schema"]
                .get("required")
                .is_none()
        );
        // Through a response reference and a schema reference, in the component.
        assert_eq!(
            doc["components"]["schemas"]["Answer"]["required"],
            json!(["id", "code"])
        );
        let changes: Vec<&String> = changes
            .iter()
            .filter(|c| c.contains("made required"))
            .collect();
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert!(changes[0].starts_with("s.json: POST /inline: response 200: `code` made required"));
        assert!(changes[1].starts_with("s.json: POST /shared: response 200: `code` made required"));
    }

    #[test]
    fn types_the_same_kind_of_value_by_one_schema_on_every_page() {
        let plain = |t: &str| json!({"type": t, "description": "kept"});
        let mut doc = json!({
            "paths": {"/x": {"post": {"operationId": "x",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {
                    "200": {"description": "d", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}},
                    "400": {"description": "d", "content": {"application/json": {"schema": {"type": "object", "properties": {"code": plain("integer")}}}}}
                }}}},
            "components": {"schemas": {
                "Req": {"type": "object", "properties": {
                    "xact_id": plain("string"),
                    "amount": {"type": "string", "description": "kuruş, as text"},
                    "code": plain("integer")
                }},
                "Short": {"type": "object", "properties": {"xact_id": {"type": "string", "maxLength": 20}}},
                "Res": {"type": "object", "properties": {
                    "code": plain("string"),
                    "amount": plain("number"),
                    "ratio": plain("number"),
                    "expired_date": plain("string"),
                    "at": {"type": "string", "format": "date-time"},
                    "xact_id": plain("string"),
                    "typed": {"allOf": [{"$ref": "#/components/schemas/Code"}]},
                    "Data": {"type": "array", "items": {"$ref": "#/components/schemas/Row"}}
                }},
                "Row": {"type": "object", "properties": {
                    "net_amount": plain("number"),
                    "code": plain("integer"),
                    "xact_date": plain("string")
                }}
            }}
        });
        let changes = normalize("s.json", &mut doc);
        let schemas = &doc["components"]["schemas"];
        let typed = |pointer: &str| {
            doc.pointer(pointer)
                .and_then(|p| p.pointer("/allOf/0/$ref"))
                .and_then(Value::as_str)
                .map(|r| r.rsplit('/').next().unwrap().to_string())
        };
        let s = "/components/schemas";
        assert_eq!(
            typed(&format!("{s}/Req/properties/xact_id")).as_deref(),
            Some("XactId")
        );
        assert_eq!(
            typed(&format!("{s}/Res/properties/code")).as_deref(),
            Some("ResultCode")
        );
        assert_eq!(
            typed(&format!("{s}/Res/properties/amount")).as_deref(),
            Some("Amount")
        );
        assert_eq!(
            typed(&format!("{s}/Res/properties/expired_date")).as_deref(),
            Some("LocalDateTime")
        );
        assert_eq!(
            typed(&format!("{s}/Res/properties/at")).as_deref(),
            Some("LocalDateTime")
        );
        assert_eq!(
            typed(&format!("{s}/Row/properties/net_amount")).as_deref(),
            Some("Amount")
        );
        assert_eq!(
            typed(&format!("{s}/Row/properties/xact_date")).as_deref(),
            Some("LocalDateTime")
        );
        assert_eq!(
            typed("/paths/~1x/post/responses/400/content/application~1json/schema/properties/code")
                .as_deref(),
            Some("ResultCode")
        );
        // Each keeps its own description, and loses its plain type.
        assert_eq!(schemas["Res"]["properties"]["code"]["description"], "kept");
        assert!(schemas["Res"]["properties"]["code"].get("type").is_none());
        // Not that kind, or not where that kind is: left as the page wrote it.
        for untouched in [
            "Req/properties/amount",    // a request's amount (kuruş as text)
            "Req/properties/code",      // a request's code
            "Short/properties/xact_id", // a length rule of its own (and no operation)
            "Res/properties/ratio",     // a rate, not money
            "Res/properties/xact_id",   // an answer's id
            "Row/properties/code",      // a nested code is not the answer's verdict
        ] {
            assert_eq!(typed(&format!("{s}/{untouched}")), None, "{untouched}");
        }
        assert_eq!(
            schemas["Res"]["properties"]["typed"],
            json!({"allOf": [{"$ref": "#/components/schemas/Code"}]})
        );
        let typed_lines = changes.iter().filter(|c| c.contains("` typed as ")).count();
        assert_eq!(typed_lines, 8, "{changes:#?}");
        assert!(changes.contains(&"s.json: POST /x: request: `xact_id` typed as XactId (Paynet's transaction id: the page gives no length of its own, so the id's documented string (100) applies)".to_string()), "{changes:#?}");
    }

    #[test]
    fn a_page_s_turkish_gets_its_english_and_bodies_get_a_description() {
        let mut doc = json!({
            "paths": {"/v1/softpos/init_reversal_transaction": {"post": {
                "summary": "İptal / İade Başlatma",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {
                    "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Res"}}}},
                    "400": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}
                }}}},
            "components": {"schemas": {
                "Req": {"type": "object", "properties": {"reference_no": {"type": "string", "description": "Referans numarası."}}},
                "Res": {"type": "object", "description": "Kept.", "properties": {"message": {"type": "string", "description": "Bilinmeyen söz."}}},
                "Err": {"type": "object", "properties": {}}
            }}
        });
        let changes = normalize("spec/vendor/p.md", &mut doc);
        let op = &doc["paths"]["/v1/softpos/init_reversal_transaction"]["post"];
        let schemas = &doc["components"]["schemas"];
        assert_eq!(
            op["summary"],
            "SoftPOS reversal start: cancel or refund (İptal / İade Başlatma)"
        );
        assert_eq!(
            schemas["Req"]["properties"]["reference_no"]["description"],
            "The merchant's reference number (referans numarası)."
        );
        assert_eq!(
            schemas["Req"]["description"],
            "The request body of `init_reversal_transaction`, SoftPOS reversal start: cancel or refund (İptal / İade Başlatma)."
        );
        assert_eq!(schemas["Res"]["description"], "Kept.");
        assert_eq!(
            schemas["Err"]["description"],
            "An error answer (HTTP 400): Paynet's result code and message."
        );
        // A text the glossary does not know is kept, and named.
        assert_eq!(
            schemas["Res"]["properties"]["message"]["description"],
            "Bilinmeyen söz."
        );
        assert!(changes.contains(&"spec/vendor/p.md: /components/schemas/Res/properties/message/description: \"Bilinmeyen söz.\" has no English: add it to xtask/src/glossary.rs".to_string()), "{changes:#?}");
    }

    #[test]
    fn an_authorization_parameter_becomes_the_secret_key_requirement() {
        let mut doc = json!({
            "paths": {
                "/inline": {"post": {"operationId": "inline", "responses": {},
                    "parameters": [{"name": "Authorization", "in": "header", "required": true, "schema": {"type": "string"}}]}},
                "/shared": {"parameters": [{"$ref": "#/components/parameters/Auth"}],
                    "post": {"operationId": "shared", "responses": {}}},
                "/declared": {"post": {"operationId": "declared", "security": [{"other": []}], "responses": {},
                    "parameters": [{"$ref": "#/components/parameters/Auth"}]}},
                "/query": {"post": {"operationId": "query", "responses": {},
                    "parameters": [{"name": "Authorization", "in": "query", "schema": {"type": "string"}}]}}
            },
            "components": {"parameters": {"Auth": {"name": "authorization", "in": "header", "schema": {"type": "string"}}}}
        });
        let changes = normalize("s.json", &mut doc);
        let secret = json!([{"secret_key": []}]);
        assert_eq!(doc["paths"]["/inline"]["post"]["security"], secret);
        assert_eq!(doc["paths"]["/shared"]["post"]["security"], secret);
        assert_eq!(
            doc["paths"]["/declared"]["post"]["security"],
            json!([{"other": []}])
        );
        assert!(doc["paths"]["/query"]["post"].get("security").is_none());
        let declared: Vec<&String> = changes
            .iter()
            .filter(|c| c.contains("carries the merchant secret key"))
            .collect();
        assert_eq!(declared.len(), 2, "{changes:#?}");
        assert!(
            declared[0].starts_with("s.json: POST /inline: its `Authorization` header parameter")
        );
        // The parameter itself is gone, and says so.
        assert!(changes.iter().any(|c| c == "s.json: POST /inline: removed header parameter `Authorization` (OpenAPI 3.0.3: it SHALL be ignored)"));
        assert!(
            doc["paths"]["/shared"]
                .get("parameters")
                .is_none_or(|p| p == &json!([]))
        );
    }

    #[test]
    fn declares_what_authenticates_a_session_key_operation() {
        let mut doc = json!({
            "paths": {
                "/own": {"post": {"operationId": "own", "description": "Starts it.", "responses": {},
                    "parameters": [{"name": "Session-Key", "in": "header", "schema": {"type": "string"}}]}},
                "/shared": {"parameters": [{"$ref": "#/components/parameters/SK"}],
                    "post": {"operationId": "shared", "responses": {}}},
                "/declared": {"post": {"operationId": "declared", "security": [{"secret_key": []}], "responses": {},
                    "parameters": [{"name": "session-key", "in": "header", "schema": {"type": "string"}}]}},
                "/query": {"post": {"operationId": "query", "responses": {},
                    "parameters": [{"name": "Session-Key", "in": "query", "schema": {"type": "string"}}]}},
                "/none": {"post": {"operationId": "none", "responses": {}}}
            },
            "components": {"parameters": {"SK": {"name": "session-key", "in": "header", "schema": {"type": "string"}}}}
        });
        let changes = normalize("s.json", &mut doc);
        let own = &doc["paths"]["/own"]["post"];
        assert_eq!(own["security"], json!([]));
        assert_eq!(
            own["description"],
            format!("Starts it.\n\n{SESSION_KEY_NOTE}")
        );
        let shared = &doc["paths"]["/shared"]["post"];
        assert_eq!(shared["security"], json!([]));
        assert_eq!(shared["description"], SESSION_KEY_NOTE);
        assert_eq!(
            doc["paths"]["/declared"]["post"]["security"],
            json!([{"secret_key": []}])
        );
        for untouched in ["/query", "/none", "/declared"] {
            let op = &doc["paths"][untouched]["post"];
            assert!(op.get("description").is_none(), "{untouched}");
        }
        assert!(doc["paths"]["/query"]["post"].get("security").is_none());
        assert!(doc["paths"]["/none"]["post"].get("security").is_none());
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert!(
            changes[0].starts_with("s.json: POST /own: had no security; declared `security: []`")
        );
        assert!(changes[1].starts_with("s.json: POST /shared: had no security"));

        // A document-wide default already says what authenticates it.
        let mut doc = json!({"security": [{"secret_key": []}], "paths": {"/own": {"post": {
            "operationId": "own", "responses": {},
            "parameters": [{"name": "Session-Key", "in": "header", "schema": {"type": "string"}}]}}}});
        assert!(normalize("s.json", &mut doc).is_empty());
        assert!(doc["paths"]["/own"]["post"].get("security").is_none());
    }

    #[test]
    fn fills_missing_descriptions_and_operation_ids_only_where_missing() {
        let mut doc = json!({"paths": {"/v1/a/do_it": {"post": {"responses": {
            "200": {"content": {}}, "400": {"description": "kept"}, "418": {}
        }}}, "/v1/b": {"get": {"operationId": "keep_me", "responses": {"200": {"description": "d"}}}}}});
        let changes = normalize("s.json", &mut doc);
        let post = &doc["paths"]["/v1/a/do_it"]["post"];
        assert_eq!(post["responses"]["200"]["description"], "OK");
        assert_eq!(post["responses"]["400"]["description"], "kept");
        assert_eq!(post["responses"]["418"]["description"], "HTTP 418");
        assert_eq!(post["operationId"], "do_it");
        assert_eq!(doc["paths"]["/v1/b"]["get"]["operationId"], "keep_me");
        assert_eq!(changes.len(), 3, "{changes:#?}");
    }
}
