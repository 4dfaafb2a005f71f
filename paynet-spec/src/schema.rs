//! OpenAPI schema objects as JSON Schema, and how their errors read.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

pub use jsonschema::Validator;

/// An OpenAPI 3.0 schema object as JSON Schema: the same object, with
/// `nullable: true` beside a `type` turned into `type: [<type>, "null"]`
/// at every depth. (`nullable` is the one difference between the two that
/// changes what validates; the other OpenAPI keywords are annotations.)
pub fn json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(key, value)| (key.clone(), json_schema(value)))
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(kind)) = map.get("type")
            {
                out.insert("type".into(), json!([kind, "null"]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(json_schema).collect()),
        other => other.clone(),
    }
}

/// The property names an object schema lists as `required` (none when it
/// lists none). `schema` is read as written: resolve it first.
pub fn required_properties(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The "at least one of" groups of an object schema: an `anyOf` whose
/// alternatives each require exactly one property and say nothing else
/// (`anyOf: [{required: [xact_id]}, {required: [reference_no]}]`) gives
/// one group, `[xact_id, reference_no]`. A body must carry at least one
/// property of every group.
pub fn at_least_one_of(schema: &Value) -> Vec<Vec<&str>> {
    let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array) else {
        return Vec::new();
    };
    let group: Option<Vec<&str>> = alternatives
        .iter()
        .map(|alternative| {
            let object = alternative.as_object()?;
            let required = object.get("required")?.as_array()?;
            match (object.len(), required.as_slice()) {
                (1, [name]) => name.as_str(),
                _ => None,
            }
        })
        .collect();
    match group {
        Some(group) if !group.is_empty() => vec![group],
        _ => Vec::new(),
    }
}

/// `schema` (an OpenAPI schema object of `doc`, possibly a `$ref`) as one
/// self-contained JSON Schema document: `{"allOf": [schema], "components":
/// <doc's components>}`, both converted by [`json_schema`], so that every
/// `#/components/...` reference inside it resolves. (The `allOf` keeps a
/// top-level `$ref` from hiding its siblings, as draft 4 would.)
pub fn standalone_schema(doc: &Value, schema: &Value) -> Value {
    json!({
        "allOf": [json_schema(schema)],
        "components": json_schema(doc.get("components").unwrap_or(&Value::Null)),
    })
}

/// A compiled validator for `schema`, an OpenAPI schema object of `doc`
/// ([`standalone_schema`], JSON Schema draft 4).
pub fn validator(
    doc: &Value,
    schema: &Value,
) -> Result<Validator, jsonschema::ValidationError<'static>> {
    jsonschema::draft4::options().build(&standalone_schema(doc, schema))
}

/// One validation error as a line: `instance path: message`
/// (`/xact_id: 5 is not of type "string"`), or the message alone when the
/// whole instance is at fault.
pub fn error_line(error: &jsonschema::ValidationError<'_>) -> String {
    let at = error.instance_path().to_string();
    if at.is_empty() {
        error.to_string()
    } else {
        format!("{at}: {error}")
    }
}

/// Every way `instance` breaks `validator`, one [`error_line`] each.
pub fn errors(validator: &Validator, instance: &Value) -> Vec<String> {
    validator
        .iter_errors(instance)
        .map(|e| error_line(&e))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_any_of_of_single_requirements_is_an_at_least_one_of_group() {
        let schema = serde_json::json!({
            "type": "object",
            "anyOf": [{"required": ["xact_id"]}, {"required": ["reference_no"]}],
        });
        assert_eq!(
            super::at_least_one_of(&schema),
            [["xact_id", "reference_no"]]
        );
        let other = serde_json::json!({"anyOf": [{"required": ["a", "b"]}, {"required": ["c"]}]});
        assert!(super::at_least_one_of(&other).is_empty());
        let typed = serde_json::json!({"anyOf": [{"type": "string"}]});
        assert!(super::at_least_one_of(&typed).is_empty());
    }

    use super::*;

    #[test]
    fn nullable_adds_null_to_the_type_at_every_depth_and_nothing_else() {
        let schema = json!({
            "type": "object",
            "properties": {
                "a": {"type": "string", "nullable": true},
                "b": {"type": "string", "nullable": false},
                "c": {"type": "array", "items": {"type": "integer", "nullable": true}},
                "d": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/X"}]}
            }
        });
        let converted = json_schema(&schema);
        assert_eq!(
            converted["properties"]["a"]["type"],
            json!(["string", "null"])
        );
        assert_eq!(converted["properties"]["b"]["type"], json!("string"));
        assert_eq!(
            converted["properties"]["c"]["items"]["type"],
            json!(["integer", "null"])
        );
        // Without a `type` there is nothing to widen (OpenAPI 3.0.3).
        assert_eq!(
            converted["properties"]["d"], schema["properties"]["d"],
            "unchanged"
        );
        assert_eq!(converted["type"], "object");
    }

    fn doc() -> Value {
        json!({"components": {"schemas": {
            "Req": {
                "type": "object",
                "required": ["id"],
                "additionalProperties": false,
                "properties": {
                    "id": {"$ref": "#/components/schemas/Id"},
                    "note": {"type": "string", "nullable": true},
                    "tags": {"type": "array", "items": {"type": "string"}}
                }
            },
            "Id": {"type": "string", "maxLength": 4}
        }}})
    }

    #[test]
    fn a_reference_validates_with_the_components_reachable_and_nullable_honoured() {
        let doc = doc();
        let v = validator(&doc, &json!({"$ref": "#/components/schemas/Req"})).unwrap();
        assert!(errors(&v, &json!({"id": "ab", "note": null})).is_empty());
        assert_eq!(errors(&v, &json!({"id": "abcde"})).len(), 1);
        assert_eq!(errors(&v, &json!({"id": "a", "x": 1})).len(), 1);
        assert!(!errors(&v, &json!({"id": null})).is_empty());
    }

    #[test]
    fn error_lines_name_the_instance_path_unless_it_is_the_root() {
        let doc = doc();
        let v = validator(&doc, &json!({"$ref": "#/components/schemas/Req"})).unwrap();
        assert_eq!(
            errors(&v, &json!({"id": 5})),
            [r#"/id: 5 is not of type "string""#]
        );
        assert_eq!(
            errors(&v, &json!({"id": "a", "tags": ["t", 7]})),
            [r#"/tags/1: 7 is not of type "string""#]
        );
        assert_eq!(errors(&v, &json!({})), [r#""id" is a required property"#]);
    }

    #[test]
    fn required_properties_are_the_names_listed() {
        let schema = &doc()["components"]["schemas"]["Req"];
        assert_eq!(required_properties(schema), BTreeSet::from(["id"]));
        assert!(required_properties(&json!({"type": "object"})).is_empty());
    }

    #[test]
    fn a_schema_that_does_not_compile_is_an_error() {
        let doc = doc();
        assert!(validator(&doc, &json!({"type": 12})).is_err());
    }
}
