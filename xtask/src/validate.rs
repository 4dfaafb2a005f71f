//! Validation of the merged document against the official OpenAPI 3.0 JSON
//! Schema (`xtask/schemas/openapi-3.0.json`, see the note beside it).

use serde_json::Value;

/// The official schema, kept in the repository: nothing is fetched.
pub const OPENAPI_30_SCHEMA: &str = include_str!("../schemas/openapi-3.0.json");

/// Every way in which `doc` breaks the OpenAPI 3.0 schema, one line each.
pub fn openapi_errors(doc: &Value) -> Vec<String> {
    let schema: Value =
        serde_json::from_str(OPENAPI_30_SCHEMA).expect("the bundled OpenAPI schema is valid JSON");
    let validator = jsonschema::draft4::options()
        .build(&schema)
        .expect("the bundled OpenAPI schema compiles");
    paynet_spec::errors(&validator, doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn accepts_a_minimal_document_and_rejects_a_response_without_description() {
        let mut doc = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
            "paths": {"/a": {"get": {"responses": {"200": {"description": "ok"}}}}}});
        assert_eq!(openapi_errors(&doc), Vec::<String>::new());
        doc["paths"]["/a"]["get"]["responses"]["200"] = json!({});
        let errors = openapi_errors(&doc);
        assert!(!errors.is_empty());
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("/paths/~1a/get/responses/200")),
            "{errors:#?}"
        );
    }
}
