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
    add_response_descriptions(source, doc, &mut changes);
    add_operation_ids(source, doc, &mut changes);
    require_result_code(source, doc, &mut changes);
    type_credential_values(source, doc, &mut changes);
    declare_session_key_security(source, doc, &mut changes);
    changes
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

/// Every 2xx answer's JSON schema this source can reach, as (the line's
/// label, a JSON pointer to the schema). A schema it cannot reach (a
/// fragment's schemas are defined in base.json) is left out.
fn success_schemas(doc: &Value) -> Vec<(String, String)> {
    let mut targets = Vec::new();
    for op in paynet_spec::operations(doc) {
        for response in op.responses() {
            if response.status.starts_with('2')
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
        assert_eq!(changes.len(), 2, "{changes:#?}");
        assert!(changes[0].starts_with("s.json: POST /inline: response 200: `code` made required"));
        assert!(changes[1].starts_with("s.json: POST /shared: response 200: `code` made required"));
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
