//! The simulator's view of `spec/paynet.json`, compiled in: which routes
//! exist, what each operation's body must look like (a JSON Schema validator
//! per operation), which credential it needs, and which error body shape it
//! documents. The document comes from `paynet-api` ([`paynet_api::SPEC_JSON`],
//! written by `cargo xtask generate`), so the simulator follows the spec of
//! the client it is built with, and regenerating changes both.

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
        Ok(SpecOperation {
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

/// Every operation of `spec`.
pub fn operations_of(spec: &Value) -> anyhow::Result<Vec<SpecOperation>> {
    let schemes = paynet_spec::security_schemes(spec)?;
    paynet_spec::operations(spec)
        .map(|op| SpecOperation::from_spec(spec, &schemes, op))
        .collect()
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
                "preauth_reversal"
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
    fn templates_match_whole_segments() {
        assert!(path_matches("/v1/a/b", "/v1/a/b"));
        assert!(path_matches("/v1/a/{id}", "/v1/a/42"));
        assert!(!path_matches("/v1/a/b", "/v1/a/b/c"));
        assert!(!path_matches("/v1/a/{id}", "/v1/a/"));
        assert!(!path_matches("/v1/a/b", "/v1/a/bb"));
    }
}
