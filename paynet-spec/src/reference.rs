//! `$ref`: the one resolver.

use serde_json::Value;

use crate::Error;

/// The reference `value` makes, if it is a reference object (`{"$ref": ...}`).
fn reference_of(value: &Value) -> Option<&str> {
    value.get("$ref").and_then(Value::as_str)
}

/// Whether `value` is a reference object (`{"$ref": "..."}`).
pub fn is_reference(value: &Value) -> bool {
    reference_of(value).is_some()
}

/// The value `value` stands for in `doc`: `value` itself, or where its
/// `$ref` leads, followed until a value has none.
///
/// Only local references (`#/components/schemas/X`, any JSON Pointer after
/// `#`) are followed. A reference elsewhere, to nothing, or back to one
/// already followed is an [`Error`].
pub fn resolve<'a>(doc: &'a Value, value: &'a Value) -> Result<&'a Value, Error> {
    Ok(follow(doc, value, false)?.0)
}

/// Like [`resolve`], and a schema that is nothing but `allOf` with one
/// member stands for that member (OpenAPI's way to annotate a `$ref`).
pub fn resolve_schema<'a>(doc: &'a Value, schema: &'a Value) -> Result<&'a Value, Error> {
    Ok(follow(doc, schema, true)?.0)
}

/// Where the value at `pointer` (a JSON Pointer into `doc`) is defined:
/// `pointer` itself, or the place its `$ref`s lead to, as a JSON Pointer.
/// For changing a definition in place, wherever it is used from.
pub fn target(doc: &Value, pointer: &str) -> Result<String, Error> {
    let value = doc.pointer(pointer).ok_or_else(|| Error::Undefined {
        reference: format!("#{pointer}"),
    })?;
    Ok(match follow(doc, value, false)?.1 {
        Some(last) => last.to_string(),
        None => pointer.to_string(),
    })
}

/// Follows `$ref`s (and, with `lone_all_of`, one-member `allOf`s) from
/// `value`: the value reached, and the JSON Pointer of the last reference
/// followed, if any.
fn follow<'a>(
    doc: &'a Value,
    value: &'a Value,
    lone_all_of: bool,
) -> Result<(&'a Value, Option<&'a str>), Error> {
    let mut chain: Vec<&str> = Vec::new();
    let mut last = None;
    let mut current = value;
    loop {
        if let Some(reference) = reference_of(current) {
            if chain.contains(&reference) {
                let mut chain: Vec<String> = chain.iter().map(|r| r.to_string()).collect();
                chain.push(reference.to_string());
                return Err(Error::Cycle { chain });
            }
            chain.push(reference);
            let pointer = reference.strip_prefix('#').ok_or_else(|| Error::NotLocal {
                reference: reference.to_string(),
            })?;
            current = doc.pointer(pointer).ok_or_else(|| Error::Undefined {
                reference: reference.to_string(),
            })?;
            last = Some(pointer);
        } else if let Some([only]) = current
            .get("allOf")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .filter(|_| lone_all_of)
        {
            current = only;
        } else {
            return Ok((current, last));
        }
    }
}

/// `segment` as one JSON Pointer segment (`/v1/a` → `~1v1~1a`, RFC 6901):
/// the one place this workspace escapes a pointer segment.
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// A JSON Pointer segment read back (`~1v1~1a` → `/v1/a`): the inverse
/// of [`escape`]. `~1` is undone before `~0`, as RFC 6901 says, so that
/// `~01` reads as `~1`.
pub fn unescape(segment: &str) -> String {
    segment.replace("~1", "/").replace("~0", "~")
}

/// The name of the component schema `schema` refers to: `Amount` for
/// `{"$ref": "#/components/schemas/Amount"}`, also when the reference is
/// the first member of an `allOf`. Nothing is looked up.
pub fn component_name(schema: &Value) -> Option<&str> {
    reference_of(schema)
        .or_else(|| schema.pointer("/allOf/0").and_then(reference_of))
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn follows_a_chain_to_its_end_and_leaves_other_values_alone() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/C"},
            "C": {"type": "string"},
            "a/b": {"type": "integer"}
        }}});
        let start = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(resolve(&doc, &start).unwrap(), &json!({"type": "string"}));
        let plain = json!({"type": "boolean"});
        assert!(std::ptr::eq(resolve(&doc, &plain).unwrap(), &plain));
        // JSON Pointer escapes are honoured.
        let escaped = json!({"$ref": "#/components/schemas/a~1b"});
        assert_eq!(resolve(&doc, &escaped).unwrap()["type"], "integer");
    }

    #[test]
    fn a_cycle_is_an_error_that_names_the_chain() {
        let doc = json!({"components": {"schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
            "Self": {"$ref": "#/components/schemas/Self"}
        }}});
        let err = resolve(&doc, &json!({"$ref": "#/components/schemas/A"})).unwrap_err();
        assert_eq!(
            err,
            Error::Cycle {
                chain: vec![
                    "#/components/schemas/A".into(),
                    "#/components/schemas/B".into(),
                    "#/components/schemas/A".into()
                ]
            }
        );
        assert_eq!(
            err.to_string(),
            "a $ref cycle: #/components/schemas/A -> #/components/schemas/B -> #/components/schemas/A"
        );
        assert!(matches!(
            resolve(&doc, &json!({"$ref": "#/components/schemas/Self"})),
            Err(Error::Cycle { .. })
        ));
    }

    #[test]
    fn a_cycle_through_a_lone_all_of_is_an_error_too() {
        let doc = json!({"components": {"schemas": {
            "A": {"allOf": [{"$ref": "#/components/schemas/A"}]}
        }}});
        let start = json!({"$ref": "#/components/schemas/A"});
        // `resolve` stops at the allOf; `resolve_schema` goes round once.
        assert!(resolve(&doc, &start).unwrap().get("allOf").is_some());
        assert!(matches!(
            resolve_schema(&doc, &start),
            Err(Error::Cycle { .. })
        ));
    }

    #[test]
    fn remote_and_dangling_references_are_errors() {
        let doc = json!({"components": {"schemas": {"A": {"$ref": "#/components/schemas/Gone"}}}});
        assert_eq!(
            resolve(&doc, &json!({"$ref": "other.json#/A"})).unwrap_err(),
            Error::NotLocal {
                reference: "other.json#/A".into()
            }
        );
        let err = resolve(&doc, &json!({"$ref": "#/components/schemas/A"})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "#/components/schemas/Gone is referred to but not defined"
        );
    }

    #[test]
    fn target_names_where_a_value_is_defined() {
        let doc = json!({
            "paths": {"/v1/a": {"post": {"responses": {
                "200": {"$ref": "#/components/responses/Ok"},
                "400": {"description": "inline"}
            }}}},
            "components": {"responses": {
                "Ok": {"$ref": "#/components/responses/Real"},
                "Real": {"description": "ok"}
            }}
        });
        let at = format!("/paths/{}/post/responses", escape("/v1/a"));
        assert_eq!(at, "/paths/~1v1~1a/post/responses");
        assert_eq!(
            target(&doc, &format!("{at}/200")).unwrap(),
            "/components/responses/Real"
        );
        assert_eq!(
            target(&doc, &format!("{at}/400")).unwrap(),
            format!("{at}/400")
        );
        assert_eq!(
            target(&doc, &format!("{at}/404")).unwrap_err().to_string(),
            "#/paths/~1v1~1a/post/responses/404 is referred to but not defined"
        );
        assert_eq!(escape("a~b"), "a~0b");
        for segment in ["/v1/a", "a~b", "~1", "plain"] {
            assert_eq!(unescape(&escape(segment)), segment);
        }
        assert_eq!(unescape("~01"), "~1");
    }

    #[test]
    fn resolve_schema_unwraps_a_lone_all_of_but_not_a_combination() {
        let doc = json!({"components": {"schemas": {"Code": {"type": "integer"}}}});
        let annotated = json!({"allOf": [{"$ref": "#/components/schemas/Code"}]});
        assert_eq!(
            resolve_schema(&doc, &annotated).unwrap(),
            &json!({"type": "integer"})
        );
        let two = json!({"allOf": [{"$ref": "#/components/schemas/Code"}, {"minimum": 0}]});
        assert!(std::ptr::eq(resolve_schema(&doc, &two).unwrap(), &two));
    }

    #[test]
    fn component_names_are_read_without_a_lookup() {
        assert_eq!(
            component_name(&json!({"$ref": "#/components/schemas/Amount"})),
            Some("Amount")
        );
        assert_eq!(
            component_name(
                &json!({"allOf": [{"$ref": "#/components/schemas/Flag"}], "description": "d"})
            ),
            Some("Flag")
        );
        assert_eq!(component_name(&json!({"type": "string"})), None);
        assert_eq!(
            component_name(&json!({"$ref": "#/components/parameters/P"})),
            None
        );
        assert!(is_reference(&json!({"$ref": "#/x"})));
        assert!(!is_reference(&json!({"description": "x"})));
    }
}
