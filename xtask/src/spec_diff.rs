//! What changed in the API between two versions of `spec/paynet.json`,
//! read from the documents (not from the pages' text): operations added or
//! removed, and for each operation in both, the fields of its JSON request
//! body, its answers and its header parameters that were added, removed or
//! retyped, and the required flags that changed.

use std::collections::BTreeMap;

use serde_json::Value;

/// One change to one operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The operation's path (`/v1/transaction/check`): the key that ties a
    /// change to the page that documents the operation.
    pub path: String,
    /// The change, as one line (`response 200 Data[].email: added (string)`).
    pub text: String,
}

/// A field of an operation: its type as a short text, and whether it is required.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shape {
    ty: String,
    required: bool,
}

/// Deep enough for every nesting the pages have, and a stop for a schema
/// that refers to itself.
const MAX_DEPTH: usize = 6;

/// The type of `schema` as a reader of the summary wants it: the name of
/// the component it refers to (the wire types, `Amount`, matter by name),
/// else its `type` (with `format`, `maxLength`, `nullable`), or its
/// alternatives.
fn type_text(doc: &Value, schema: &Value) -> String {
    if let Some(name) = paynet_spec::component_name(schema) {
        return name.to_string();
    }
    let schema = paynet_spec::resolve_schema(doc, schema).unwrap_or(schema);
    if let Some(ty) = schema.get("type").and_then(Value::as_str) {
        let mut text = ty.to_string();
        if ty == "array"
            && let Some(items) = schema.get("items")
        {
            text = format!("array of {}", type_text(doc, items));
        }
        if let Some(format) = schema.get("format").and_then(Value::as_str) {
            text.push_str(&format!(" ({format})"));
        }
        if let Some(max) = schema.get("maxLength").and_then(Value::as_u64) {
            text.push_str(&format!(" (at most {max} characters)"));
        }
        if schema.get("nullable") == Some(&Value::Bool(true)) {
            text.push_str(", nullable");
        }
        return text;
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = schema.get(key).and_then(Value::as_array) {
            let names: Vec<String> = alternatives.iter().map(|a| type_text(doc, a)).collect();
            return format!("one of {}", names.join(" | "));
        }
    }
    "any".to_string()
}

/// Every field under `schema`, by its dotted name under `prefix`
/// (`Data[].email`): object properties, and the items of arrays of objects.
fn fields(
    doc: &Value,
    schema: &Value,
    prefix: &str,
    depth: usize,
    out: &mut BTreeMap<String, Shape>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let schema = paynet_spec::resolve_schema(doc, schema).unwrap_or(schema);
    if let Some(items) = schema.get("items") {
        fields(doc, items, &format!("{prefix}[]"), depth + 1, out);
        return;
    }
    let required = paynet_spec::required_properties(schema);
    for (name, property) in schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let key = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.insert(
            key.clone(),
            Shape {
                ty: type_text(doc, property),
                required: required.contains(name.as_str()),
            },
        );
        fields(doc, property, &key, depth + 1, out);
    }
}

/// Every field of one operation, named `request x`, `response 200 x`,
/// `header x`.
fn operation_fields(doc: &Value, op: &paynet_spec::Operation) -> BTreeMap<String, Shape> {
    let mut out = BTreeMap::new();
    if let Ok(Some(schema)) = op.request_body_schema() {
        let mut request = BTreeMap::new();
        fields(doc, schema, "", 0, &mut request);
        out.extend(
            request
                .into_iter()
                .map(|(k, v)| (format!("request {k}"), v)),
        );
    }
    for response in op.responses() {
        if let Ok(Some(schema)) = response.schema() {
            let mut answer = BTreeMap::new();
            fields(doc, schema, "", 0, &mut answer);
            out.extend(
                answer
                    .into_iter()
                    .map(|(k, v)| (format!("response {} {k}", response.status), v)),
            );
        }
    }
    if let Ok(parameters) = op.header_parameters() {
        for parameter in parameters {
            out.insert(
                format!("header {}", parameter.name),
                Shape {
                    ty: "header".to_string(),
                    required: parameter.required,
                },
            );
        }
    }
    out
}

fn required_word(required: bool) -> &'static str {
    if required { "required" } else { "optional" }
}

fn operation_name(op: &paynet_spec::Operation) -> String {
    format!(
        "{} {}{}",
        op.method().to_ascii_uppercase(),
        op.path(),
        op.id().map(|id| format!(" ({id})")).unwrap_or_default()
    )
}

/// Every change from `before` to `after`, operation by operation, in path order.
pub fn changes(before: &Value, after: &Value) -> Vec<Change> {
    let index = |doc| {
        paynet_spec::operations(doc)
            .map(|op| ((op.path().to_string(), op.method().to_string()), op))
            .collect::<BTreeMap<_, _>>()
    };
    let (old_ops, new_ops) = (index(before), index(after));
    let mut out = Vec::new();
    let mut keys: Vec<&(String, String)> = old_ops.keys().chain(new_ops.keys()).collect();
    keys.sort();
    keys.dedup();
    for key in keys {
        let path = key.0.clone();
        let mut push = |text: String| {
            out.push(Change {
                path: path.clone(),
                text,
            })
        };
        match (old_ops.get(key), new_ops.get(key)) {
            (Some(op), None) => push(format!("operation removed: {}", operation_name(op))),
            (None, Some(op)) => push(format!("operation added: {}", operation_name(op))),
            (Some(old), Some(new)) => {
                let name = operation_name(new);
                let (old_fields, new_fields) =
                    (operation_fields(before, old), operation_fields(after, new));
                for (field, shape) in &new_fields {
                    match old_fields.get(field) {
                        None => push(format!(
                            "{name}: {field}: added ({}, {})",
                            shape.ty,
                            required_word(shape.required)
                        )),
                        Some(old) => {
                            if old.ty != shape.ty {
                                push(format!(
                                    "{name}: {field}: retyped from {} to {}",
                                    old.ty, shape.ty
                                ));
                            }
                            if old.required != shape.required {
                                push(format!(
                                    "{name}: {field}: was {}, is {}",
                                    required_word(old.required),
                                    required_word(shape.required)
                                ));
                            }
                        }
                    }
                }
                for (field, shape) in &old_fields {
                    if !new_fields.contains_key(field) {
                        push(format!("{name}: {field}: removed (was {})", shape.ty));
                    }
                }
            }
            (None, None) => unreachable!("the key came from one of the two"),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn spec(properties: Value, required: Value) -> Value {
        json!({
            "openapi": "3.0.3",
            "paths": {"/v1/x": {"post": {
                "operationId": "x",
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Req"}}}},
                "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {
                    "type": "object",
                    "properties": {"Data": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}}}}}
                }}}}}
            }}},
            "components": {"schemas": {
                "Amount": {"type": "number"},
                "Req": {"type": "object", "required": required, "properties": properties}
            }}
        })
    }

    #[test]
    fn names_added_removed_retyped_and_required_fields() {
        let before = spec(
            json!({"a": {"type": "string"}, "b": {"type": "string"}, "c": {"type": "string"}}),
            json!(["a"]),
        );
        let after = spec(
            json!({"a": {"type": "string"}, "c": {"allOf": [{"$ref": "#/components/schemas/Amount"}]}, "d": {"type": "integer"}}),
            json!(["c"]),
        );
        let texts: Vec<String> = changes(&before, &after)
            .into_iter()
            .map(|c| {
                assert_eq!(c.path, "/v1/x");
                c.text
            })
            .collect();
        assert_eq!(
            texts,
            [
                "POST /v1/x (x): request a: was required, is optional",
                "POST /v1/x (x): request c: retyped from string to Amount",
                "POST /v1/x (x): request c: was optional, is required",
                "POST /v1/x (x): request d: added (integer, optional)",
                "POST /v1/x (x): request b: removed (was string)",
            ]
        );
    }

    #[test]
    fn names_nested_fields_and_operations_added_or_removed() {
        let before = spec(json!({}), json!([]));
        let mut after = before.clone();
        after["paths"]["/v1/x"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
            ["properties"]["Data"]["items"]["properties"]["email"] = json!({"type": "string"});
        after["paths"]["/v1/y"] = after["paths"]["/v1/x"].clone();
        after["paths"]["/v1/y"]["post"]["operationId"] = json!("y");
        let texts: Vec<String> = changes(&before, &after)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(
            texts,
            [
                "POST /v1/x (x): response 200 Data[].email: added (string, optional)",
                "operation added: POST /v1/y (y)",
            ]
        );
        let back: Vec<String> = changes(&after, &before)
            .into_iter()
            .map(|c| c.text)
            .collect();
        assert_eq!(back[1], "operation removed: POST /v1/y (y)");
    }
}
