//! The simulator's view of `spec/paynet.json`, compiled in: which routes
//! exist, what each operation's body must look like (a JSON Schema validator
//! per operation), which credential it needs, and which error body shape it
//! documents. The document comes from `paynet-api` ([`paynet_api::SPEC_JSON`],
//! written by `cargo xtask generate`), so the simulator follows the spec of
//! the client it is built with, and regenerating changes both.

use std::sync::{Arc, OnceLock};

pub use paynet_spec::SecurityScheme;
use paynet_spec::Validator;
use serde_json::Value;

/// The merged spec, as `cargo xtask generate` wrote it
/// ([`paynet_api::SPEC_JSON`]).
pub const SPEC: &str = paynet_api::SPEC_JSON;

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
    /// The alternative security requirements, each a list of schemes that
    /// must all be presented (see [`SpecOperation::admits`]). Empty: no
    /// credential is needed.
    pub security: Vec<Vec<SecurityScheme>>,
    /// Required header parameters, lower case.
    pub required_headers: Vec<String>,
    /// The request body validator, when the operation takes a body.
    pub body: Option<Validator>,
    /// The error body this operation documents for 400.
    pub error_style: ErrorStyle,
    /// The first success (2xx) its page documents, as `(status, body)`:
    /// the page's example, or else a body built from the answer's schema
    /// ([`example_of`]). An operation the simulator has no behaviour for
    /// answers this.
    pub example_answer: Option<(u16, Value)>,
}

impl SpecOperation {
    fn from_spec(
        spec: &Value,
        schemes: &[SecurityScheme],
        op: paynet_spec::Operation<'_>,
    ) -> anyhow::Result<Self> {
        let id = op.id().unwrap_or_default().to_string();
        let security = op
            .security()
            .into_iter()
            .map(|names| {
                names
                    .into_iter()
                    .map(|name| {
                        schemes
                            .iter()
                            .find(|s| s.name == name)
                            .cloned()
                            .ok_or_else(|| {
                                anyhow::anyhow!("{id}: security scheme {name} is not defined")
                            })
                    })
                    .collect()
            })
            .collect::<anyhow::Result<_>>()?;
        let required_headers = op
            .header_parameters()?
            .into_iter()
            .filter(|header| header.required)
            .map(|header| header.name)
            .collect();
        let body = match op.request_body_schema()? {
            Some(schema) => Some(
                paynet_spec::validator(spec, schema)
                    .map_err(|e| anyhow::anyhow!("{id}: request schema does not compile: {e}"))?,
            ),
            None => None,
        };
        let error_style = match op.response_schema("400")? {
            Some(schema) => match paynet_spec::resolve(spec, schema)?.get("properties") {
                Some(p) if p.get("result_code").is_none() => ErrorStyle::SoftPos,
                _ => ErrorStyle::Classic,
            },
            None => ErrorStyle::Classic,
        };
        let example_answer = op
            .responses()
            .into_iter()
            .filter_map(|r| Some((r.status.parse::<u16>().ok()?, r)))
            .find(|(status, _)| (200..300).contains(status))
            .map(|(status, response)| -> anyhow::Result<_> {
                let media = response
                    .object()?
                    .pointer("/content/application~1json")
                    .cloned()
                    .unwrap_or(Value::Null);
                let written = media.get("example").cloned().or_else(|| {
                    media
                        .get("examples")
                        .and_then(Value::as_object)
                        .and_then(|all| all.values().next())
                        .and_then(|e| e.get("value"))
                        .cloned()
                });
                let body = match (written, response.schema()?) {
                    (Some(example), _) => example,
                    (None, Some(schema)) => example_of(spec, schema),
                    (None, None) => Value::Object(Default::default()),
                };
                Ok((status, body))
            })
            .transpose()?;
        Ok(SpecOperation {
            example_answer,
            id,
            method: op.method().to_ascii_uppercase(),
            path: op.path().to_string(),
            security,
            required_headers,
            body,
            error_style,
        })
    }

    /// Whether a request that presents the schemes for which `presented`
    /// is true may call the operation: when it needs no credential, or when
    /// every scheme of one alternative is presented. The client's hooks
    /// choose an alternative by the same rule.
    pub fn admits(&self, presented: impl Fn(&SecurityScheme) -> bool) -> bool {
        self.security.is_empty() || self.security.iter().any(|all| all.iter().all(&presented))
    }

    /// Every way `body` breaks the operation's request schema.
    pub fn body_errors(&self, body: &Value) -> Vec<String> {
        match &self.body {
            Some(validator) => paynet_spec::errors(validator, body),
            None => Vec::new(),
        }
    }
}

/// Every operation of the compiled-in spec.
pub fn operations() -> anyhow::Result<Vec<SpecOperation>> {
    operations_of(&serde_json::from_str(SPEC)?)
}

/// [`operations`], read and compiled once per process and shared by every
/// simulator it starts: compiling the request schemas is most of what
/// starting a simulator costs, and a test suite starts many.
pub(crate) fn shared_operations() -> anyhow::Result<Arc<[Arc<SpecOperation>]>> {
    static COMPILED: OnceLock<Result<Arc<[Arc<SpecOperation>]>, String>> = OnceLock::new();
    COMPILED
        .get_or_init(|| {
            operations()
                .map(|ops| ops.into_iter().map(Arc::new).collect())
                .map_err(|e| format!("{e:#}"))
        })
        .clone()
        .map_err(anyhow::Error::msg)
}

/// A value shaped like `schema` (an OpenAPI schema object of `spec`): its
/// `example` where it has one, else each property's, else the first
/// `enum` value, the `minimum`, or an empty value of its type (a string of
/// its `minLength`). The simulator answers this for an operation it has no
/// behaviour for.
pub fn example_of(spec: &Value, schema: &Value) -> Value {
    example_at(spec, schema, 0)
}

fn example_at(spec: &Value, schema: &Value, depth: usize) -> Value {
    let schema = paynet_spec::resolve_schema(spec, schema).unwrap_or(schema);
    if depth > 32 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return first.clone();
    }
    if let Some(Value::Array(all)) = schema.get("allOf") {
        let parts: Vec<Value> = all.iter().map(|s| example_at(spec, s, depth + 1)).collect();
        if parts.iter().all(Value::is_object) {
            let mut merged = serde_json::Map::new();
            for part in parts {
                if let Value::Object(map) = part {
                    merged.extend(map);
                }
            }
            return Value::Object(merged);
        }
        return parts.into_iter().next().unwrap_or(Value::Null);
    }
    for key in ["oneOf", "anyOf"] {
        if schema.get("type").is_none()
            && schema.get("properties").is_none()
            && let Some(first) = schema
                .get(key)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
        {
            return example_at(spec, first, depth + 1);
        }
    }
    let number = |integer: bool| {
        let bound = |key: &str| schema.get(key).and_then(Value::as_f64);
        let value = match (bound("minimum"), bound("maximum")) {
            (Some(min), _) => min,
            (None, Some(max)) if max < 0.0 => max,
            _ => 0.0,
        };
        if integer {
            Value::from(value.ceil() as i64)
        } else {
            serde_json::Number::from_f64(value).map_or(Value::Null, Value::Number)
        }
    };
    match schema.get("type").and_then(Value::as_str) {
        Some("array") => match schema.get("items") {
            Some(items) => Value::Array(vec![example_at(spec, items, depth + 1)]),
            None => Value::Array(Vec::new()),
        },
        Some("string") => {
            let length = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            Value::String("x".repeat(usize::try_from(length).unwrap_or(0)))
        }
        Some("integer") => number(true),
        Some("number") => number(false),
        Some("boolean") => Value::Bool(false),
        Some("object") | None => Value::Object(
            schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(name, property)| (name.clone(), example_at(spec, property, depth + 1)))
                .collect(),
        ),
        Some(_) => Value::Null,
    }
}

/// Every operation of `spec`.
pub fn operations_of(spec: &Value) -> anyhow::Result<Vec<SpecOperation>> {
    let schemes = paynet_spec::security_schemes(spec)?;
    paynet_spec::operations(spec)
        .map(|op| SpecOperation::from_spec(spec, &schemes, op))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_compiled_spec_gives_every_operation_its_rules() {
        let ops = operations().unwrap();
        let ids: Vec<&str> = ops.iter().map(|o| o.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "get_auth_key",
                "init_reversal_transaction",
                "capture_reversal",
                "transaction_check",
                "preauth_reversal",
                "reversal_list",
                "reversed_request"
            ]
        );
        // Its page's `Authorization` parameter became the secret-key
        // requirement; its `$ref` PaynetMobile header is required.
        let auth_key = &ops[0];
        assert_eq!(
            auth_key.security,
            [vec![SecurityScheme {
                name: "secret_key".into(),
                header: "authorization".into()
            }]]
        );
        assert_eq!(auth_key.required_headers, ["paynetmobile"]);
        assert_eq!(auth_key.error_style, ErrorStyle::SoftPos);
        assert!(
            auth_key
                .body_errors(&json!({"agent_id": "1", "user_id": "u"}))
                .is_empty()
        );
        assert!(!auth_key.body_errors(&json!({"agent_id": "1"})).is_empty());
        // The check needs at least one of its two fields.
        let check = &ops[3];
        assert!(!check.body_errors(&json!({})).is_empty());
        assert!(check.body_errors(&json!({"xact_id": "xk_1"})).is_empty());
        assert!(
            check
                .body_errors(&json!({"reference_no": "r-1"}))
                .is_empty()
        );
        assert!(
            check
                .body_errors(&json!({"xact_id": "xk_1", "reference_no": "r-1"}))
                .is_empty()
        );
        let softpos = &ops[1];
        assert_eq!(softpos.security, Vec::<Vec<SecurityScheme>>::new());
        assert_eq!(softpos.required_headers, ["session-key"]);
        assert_eq!(softpos.error_style, ErrorStyle::SoftPos);
        let capture = &ops[2];
        assert_eq!(
            capture.security,
            [vec![SecurityScheme {
                name: "secret_key".into(),
                header: "authorization".into()
            }]]
        );
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

    /// The compiled spec with the capture reversal's security replaced.
    fn capture_with_security(security: Value) -> SpecOperation {
        let mut spec: Value = serde_json::from_str(SPEC).unwrap();
        spec["components"]["securitySchemes"]["session"] =
            json!({"type": "apiKey", "in": "header", "name": "Session-Key"});
        spec["paths"]["/v1/transaction/capture_reversal"]["post"]["security"] = security;
        operations_of(&spec)
            .unwrap()
            .into_iter()
            .find(|op| op.id == "capture_reversal")
            .unwrap()
    }

    #[test]
    fn any_alternative_whose_schemes_are_all_presented_admits_a_request() {
        let op = capture_with_security(json!([{"secret_key": []}, {"session": []}]));
        let presenting = |names: &'static [&'static str]| {
            move |scheme: &SecurityScheme| names.contains(&scheme.name.as_str())
        };
        assert!(op.admits(presenting(&["secret_key"])));
        // The second alternative is as good as the first, as in the client.
        assert!(op.admits(presenting(&["session"])));
        assert!(!op.admits(presenting(&[])));

        let both = capture_with_security(json!([{"secret_key": [], "session": []}]));
        assert!(!both.admits(presenting(&["secret_key"])));
        assert!(!both.admits(presenting(&["session"])));
        assert!(both.admits(presenting(&["secret_key", "session"])));

        // `[]` needs nothing, and so does an empty alternative.
        assert!(capture_with_security(json!([])).admits(presenting(&[])));
        assert!(capture_with_security(json!([{}, {"secret_key": []}])).admits(presenting(&[])));
    }

    #[test]
    fn a_security_requirement_naming_no_defined_scheme_is_refused_at_start() {
        let mut spec: Value = serde_json::from_str(SPEC).unwrap();
        spec["paths"]["/v1/transaction/capture_reversal"]["post"]["security"] =
            json!([{"nobody": []}]);
        let err = operations_of(&spec).err().expect("an undefined scheme");
        assert!(
            err.to_string()
                .contains("security scheme nobody is not defined"),
            "{err}"
        );
    }

    #[test]
    fn every_operation_has_an_example_answer_that_its_schema_accepts() {
        let spec: Value = serde_json::from_str(SPEC).unwrap();
        let ours = operations_of(&spec).unwrap();
        for op in paynet_spec::operations(&spec) {
            let id = op.id().unwrap();
            let schema = op.response_schema("200").unwrap().unwrap();
            let validator = paynet_spec::validator(&spec, schema).unwrap();
            let mine = ours.iter().find(|o| o.id == id).unwrap();
            let (status, body) = mine.example_answer.clone().unwrap();
            assert_eq!(status, 200, "{id}");
            let problems = paynet_spec::errors(&validator, &body);
            assert!(problems.is_empty(), "{id}: {body}: {problems:?}");
            // Built from the schema alone, too (a page without an example).
            let built = example_of(&spec, schema);
            assert!(built.is_object(), "{id}: {built}");
            let problems = paynet_spec::errors(&validator, &built);
            assert!(problems.is_empty(), "{id}: {built}: {problems:?}");
        }
    }

    #[test]
    fn an_example_is_built_from_examples_enums_bounds_and_types() {
        let spec = json!({"components": {"schemas": {"Id": {"type": "string", "minLength": 2}}}});
        let schema = json!({
            "type": "object",
            "properties": {
                "id": {"$ref": "#/components/schemas/Id"},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "count": {"type": "integer", "minimum": 3},
                "note": {"type": "string", "example": "hello"},
                "rows": {"type": "array", "items": {"type": "boolean"}},
                "either": {"oneOf": [{"type": "number"}, {"type": "string"}]},
            },
        });
        assert_eq!(
            example_of(&spec, &schema),
            json!({"id": "xx", "kind": "a", "count": 3, "note": "hello", "rows": [false], "either": 0.0})
        );
    }
}
