//! The simulator's view of `spec/paynet.json`, compiled in: which routes
//! exist, what each operation's body must look like (a JSON Schema validator
//! per operation), which credential it needs, and which error body shape it
//! documents. Regenerating the spec changes the simulator with it.

use jsonschema::Validator;
use serde_json::{Map, Value, json};

/// The merged spec, as `cargo xtask generate` wrote it.
pub const SPEC: &str = include_str!("../../spec/paynet.json");

/// The two error bodies Paynet documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorStyle {
    /// `{type, message, code (HTTP status), result_code}`: the classic API.
    Classic,
    /// `{object_name, code (result code), message}`: the SoftPOS page.
    SoftPos,
}

/// One operation of the spec.
pub struct SpecOperation {
    /// `operationId`.
    pub id: String,
    /// Upper-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// Security schemes required (any one alternative; here: all names of
    /// the first alternative, which is all the spec uses).
    pub security: Vec<String>,
    /// Required header parameters, lower case.
    pub required_headers: Vec<String>,
    /// The request body validator, when the operation takes a body.
    pub body: Option<Validator>,
    /// The error body this operation documents for 400.
    pub error_style: ErrorStyle,
}

/// OpenAPI 3.0 schema objects are JSON Schema with a few differences;
/// `nullable` is the one that matters for validation.
fn to_json_schema(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out: Map<String, Value> = map
                .iter()
                .map(|(k, v)| (k.clone(), to_json_schema(v)))
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true))
                && let Some(Value::String(t)) = map.get("type")
            {
                out.insert("type".into(), json!([t, "null"]));
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

fn resolve<'a>(spec: &'a Value, value: &'a Value) -> &'a Value {
    match value.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| spec.pointer(pointer))
            .unwrap_or(value),
        None => value,
    }
}

impl SpecOperation {
    fn from_spec(spec: &Value, path: &str, method: &str, op: &Value) -> anyhow::Result<Self> {
        let id = op["operationId"].as_str().unwrap_or_default().to_string();
        let security = op
            .get("security")
            .or_else(|| spec.get("security"))
            .and_then(Value::as_array)
            .and_then(|alternatives| alternatives.first())
            .and_then(Value::as_object)
            .map(|requirement| requirement.keys().cloned().collect())
            .unwrap_or_default();
        let required_headers = op
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|p| resolve(spec, p))
            .filter(|p| p["in"] == "header" && p["required"] == true)
            .filter_map(|p| p["name"].as_str().map(str::to_ascii_lowercase))
            .collect();
        let components = to_json_schema(spec.get("components").unwrap_or(&Value::Null));
        let body =
            match op.pointer("/requestBody/content/application~1json/schema") {
                Some(schema) => {
                    let mut root = to_json_schema(schema);
                    if let Value::Object(map) = &mut root {
                        map.insert("components".into(), components);
                    }
                    // `$ref` beside other keywords is ignored in draft 4; wrap it.
                    let root = if root.get("$ref").is_some() {
                        let components = root["components"].clone();
                        json!({"allOf": [{"$ref": root["$ref"]}], "components": components})
                    } else {
                        root
                    };
                    Some(jsonschema::draft4::options().build(&root).map_err(|e| {
                        anyhow::anyhow!("{id}: request schema does not compile: {e}")
                    })?)
                }
                None => None,
            };
        let error_style = op
            .pointer("/responses/400/content/application~1json/schema")
            .map(|s| resolve(spec, s))
            .and_then(|s| s.get("properties"))
            .map(|p| {
                if p.get("result_code").is_some() {
                    ErrorStyle::Classic
                } else {
                    ErrorStyle::SoftPos
                }
            })
            .unwrap_or(ErrorStyle::Classic);
        Ok(SpecOperation {
            id,
            method: method.to_ascii_uppercase(),
            path: path.to_string(),
            security,
            required_headers,
            body,
            error_style,
        })
    }

    /// Every way `body` breaks the operation's request schema.
    pub fn body_errors(&self, body: &Value) -> Vec<String> {
        match &self.body {
            Some(validator) => validator
                .iter_errors(body)
                .map(|e| {
                    let at = e.instance_path().to_string();
                    if at.is_empty() {
                        e.to_string()
                    } else {
                        format!("{at}: {e}")
                    }
                })
                .collect(),
            None => Vec::new(),
        }
    }
}

/// Every operation of the compiled-in spec.
pub fn operations() -> anyhow::Result<Vec<SpecOperation>> {
    operations_of(&serde_json::from_str(SPEC)?)
}

/// Every operation of `spec`.
pub fn operations_of(spec: &Value) -> anyhow::Result<Vec<SpecOperation>> {
    let mut out = Vec::new();
    for (path, item) in spec["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            if op.get("operationId").is_some() {
                out.push(SpecOperation::from_spec(spec, path, method, op)?);
            }
        }
    }
    Ok(out)
}

/// Whether a concrete path matches a template (`{param}` matches a segment).
pub fn path_matches(template: &str, path: &str) -> bool {
    let mut t = template.trim_end_matches('/').split('/');
    let mut p = path.trim_end_matches('/').split('/');
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(ts), Some(ps)) if ts.starts_with('{') && ts.ends_with('}') && !ps.is_empty() => {}
            (Some(ts), Some(ps)) if ts == ps => {}
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_compiled_spec_gives_every_operation_its_rules() {
        let ops = operations().unwrap();
        let ids: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "init_reversal_transaction",
                "capture_reversal",
                "preauth_reversal"
            ]
        );
        let softpos = &ops[0];
        assert_eq!(softpos.security, Vec::<String>::new());
        assert_eq!(softpos.required_headers, ["session-key"]);
        assert_eq!(softpos.error_style, ErrorStyle::SoftPos);
        let capture = &ops[1];
        assert_eq!(capture.security, ["secret_key"]);
        assert_eq!(capture.error_style, ErrorStyle::Classic);
        assert!(capture.body_errors(&json!({"xact_id": "xk_1"})).is_empty());
        assert!(!capture.body_errors(&json!({})).is_empty());
        assert!(
            !capture
                .body_errors(&json!({"xact_id": "x".repeat(101)}))
                .is_empty()
        );
        assert!(
            !capture
                .body_errors(&json!({"xact_id": "xk_1", "extra": 1}))
                .is_empty()
        );
        assert!(!capture.body_errors(&json!({"xact_id": 5})).is_empty());
        // nullable: callback_url may be null, reference_no may not.
        assert!(
            softpos
                .body_errors(&json!({"xact_id": "e", "callback_url": null}))
                .is_empty()
        );
        assert!(
            !softpos
                .body_errors(&json!({"xact_id": "e", "reference_no": null}))
                .is_empty()
        );
    }

    #[test]
    fn templates_match_whole_segments() {
        assert!(path_matches("/v1/a/b", "/v1/a/b"));
        assert!(path_matches("/v1/a/{id}", "/v1/a/42"));
        assert!(!path_matches("/v1/a/b", "/v1/a/b/c"));
        assert!(!path_matches("/v1/a/{id}", "/v1/a/"));
        assert!(!path_matches("/v1/a/b", "/v1/a/bb"));
    }
}
