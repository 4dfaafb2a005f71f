//! Paths, operations and what each operation declares.

use serde_json::{Map, Value};

use crate::reference::escape;
use crate::{Error, resolve, target};

/// The keys of a path item that are operations (OpenAPI 3.0). Every other
/// key (`parameters`, `summary`, `servers`, extensions) is not.
pub const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The operation extension that names the request field keying an
/// operation by its transaction ([`Operation::idempotent_by`]).
pub const IDEMPOTENT_BY: &str = "x-paynet-idempotent-by";

/// Whether a path item's key names an operation.
pub fn is_method(key: &str) -> bool {
    METHODS.contains(&key)
}

/// Every path item of `doc` as `(path, item)`, in the document's order.
pub fn path_items(doc: &Value) -> impl Iterator<Item = (&str, &Value)> {
    doc.get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(path, item)| (path.as_str(), item))
}

/// The path item of `path`, if `doc` has one.
pub fn path_item<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    doc.get("paths")?.get(path)
}

/// Every operation of `doc`, path by path, in the document's order.
pub fn operations(doc: &Value) -> impl Iterator<Item = Operation<'_>> {
    path_items(doc).flat_map(move |(path, item)| {
        item.as_object()
            .into_iter()
            .flatten()
            .filter(|(key, _)| is_method(key))
            .map(move |(method, object)| Operation {
                doc,
                path,
                method,
                item,
                object,
            })
    })
}

/// One operation of a document.
#[derive(Debug, Clone, Copy)]
pub struct Operation<'a> {
    doc: &'a Value,
    path: &'a str,
    method: &'a str,
    item: &'a Value,
    object: &'a Value,
}

/// A header parameter an operation takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeaderParameter {
    /// The header's name, lower case (`session-key`).
    pub name: String,
    /// Whether the parameter is `required`.
    pub required: bool,
}

/// One documented response of an operation.
#[derive(Debug, Clone)]
pub struct Response<'a> {
    doc: &'a Value,
    pointer: String,
    written: &'a Value,
    /// The key in `responses`: `200`, `4XX` or `default`.
    pub status: &'a str,
}

impl<'a> Response<'a> {
    /// The response object, its `$ref` resolved.
    pub fn object(&self) -> Result<&'a Value, Error> {
        resolve(self.doc, self.written)
    }

    /// The schema of its `application/json` content, as written (it may be
    /// a `$ref`).
    pub fn schema(&self) -> Result<Option<&'a Value>, Error> {
        Ok(json_schema_of(self.object()?))
    }

    /// Where the schema of its `application/json` content is defined, as a
    /// JSON Pointer into the document (`$ref`s followed): the place to
    /// change it for every answer that uses it.
    pub fn schema_pointer(&self) -> Result<Option<String>, Error> {
        json_schema_pointer(self.doc, &self.pointer)
    }
}

/// Where the `application/json` schema of the response or request body
/// at `holder` (a JSON Pointer, possibly to a `$ref`) is defined, `$ref`s
/// followed; `None` when it has no JSON content.
fn json_schema_pointer(doc: &Value, holder: &str) -> Result<Option<String>, Error> {
    let schema = format!("{}/content/application~1json/schema", target(doc, holder)?);
    match doc.pointer(&schema) {
        Some(_) => target(doc, &schema).map(Some),
        None => Ok(None),
    }
}

fn json_schema_of(holder: &Value) -> Option<&Value> {
    holder.pointer("/content/application~1json/schema")
}

impl<'a> Operation<'a> {
    /// The path template (`/v1/transaction/capture_reversal`).
    pub fn path(&self) -> &'a str {
        self.path
    }

    /// The method as the path item spells it: lower case (`post`).
    pub fn method(&self) -> &'a str {
        self.method
    }

    /// The operation object itself.
    pub fn object(&self) -> &'a Value {
        self.object
    }

    /// Its `operationId`.
    pub fn id(&self) -> Option<&'a str> {
        self.object.get("operationId").and_then(Value::as_str)
    }

    /// The request field that keys the operation by the transaction, from
    /// its `x-paynet-idempotent-by` extension: the same request sent twice
    /// cannot act twice (Paynet answers the repeat with result code 100),
    /// so after an unknown outcome it may be sent again to learn what
    /// happened. `None`: the operation must never be sent again blindly.
    pub fn idempotent_by(&self) -> Option<&'a str> {
        self.object.get(IDEMPOTENT_BY).and_then(Value::as_str)
    }

    /// The alternative security requirements: any one of them will do, and
    /// each is a list of scheme names that must all be present. The
    /// operation's own `security` if it has one (`[]` then means none),
    /// otherwise the document's. Empty: no credential is needed.
    pub fn security(&self) -> Vec<Vec<&'a str>> {
        self.object
            .get("security")
            .or_else(|| self.doc.get("security"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|requirement| {
                requirement
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, _)| name.as_str())
                    .collect()
            })
            .collect()
    }

    /// Its parameters, `$ref`s resolved: the path item's, except those the
    /// operation redefines (same `in` and `name`; header names compared
    /// without case), then the operation's own.
    pub fn parameters(&self) -> Result<Vec<&'a Value>, Error> {
        let list = |holder: &'a Value| -> Result<Vec<&'a Value>, Error> {
            holder
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|parameter| resolve(self.doc, parameter))
                .collect()
        };
        let own = list(self.object)?;
        let mut all: Vec<&Value> = list(self.item)?
            .into_iter()
            .filter(|shared| {
                let key = parameter_key(shared);
                key.is_none() || !own.iter().any(|p| parameter_key(p) == key)
            })
            .collect();
        all.extend(own);
        Ok(all)
    }

    /// Its header parameters ([`Operation::parameters`] that are `in:
    /// header`), names lower case.
    pub fn header_parameters(&self) -> Result<Vec<HeaderParameter>, Error> {
        Ok(self
            .parameters()?
            .into_iter()
            .filter(|p| p.get("in").and_then(Value::as_str) == Some("header"))
            .filter_map(|p| {
                Some(HeaderParameter {
                    name: p.get("name")?.as_str()?.to_ascii_lowercase(),
                    required: p.get("required") == Some(&Value::Bool(true)),
                })
            })
            .collect())
    }

    /// The schema of its `application/json` request body, as written (it
    /// may be a `$ref`); `None` when it takes no JSON body.
    pub fn request_body_schema(&self) -> Result<Option<&'a Value>, Error> {
        match self.object.get("requestBody") {
            Some(body) => Ok(json_schema_of(resolve(self.doc, body)?)),
            None => Ok(None),
        }
    }

    /// Where the schema of its JSON request body is defined, as a JSON
    /// Pointer into the document (`$ref`s followed), like
    /// [`Response::schema_pointer`]; `None` without a JSON request body.
    pub fn request_body_schema_pointer(&self) -> Result<Option<String>, Error> {
        if self.object.get("requestBody").is_none() {
            return Ok(None);
        }
        json_schema_pointer(self.doc, &format!("{}/requestBody", self.pointer()))
    }

    /// The JSON request bodies of its callbacks (what the provider sends to
    /// the consumer, such as the refund decision Paynet posts to
    /// `succeedUrl`): `(callback name, method, schema as written)`, in the
    /// document's order. A callback or body that cannot be resolved is an
    /// error.
    pub fn callback_body_schemas(&self) -> Result<Vec<(&'a str, &'a str, &'a Value)>, Error> {
        let mut out = Vec::new();
        let callbacks = self.object.get("callbacks").and_then(Value::as_object);
        for (name, callback) in callbacks.into_iter().flatten() {
            let callback = resolve(self.doc, callback)?;
            for item in callback.as_object().into_iter().flatten().map(|(_, v)| v) {
                let item = resolve(self.doc, item)?;
                for (method, operation) in item.as_object().into_iter().flatten() {
                    if !is_method(method) {
                        continue;
                    }
                    if let Some(body) = operation.get("requestBody")
                        && let Some(schema) = json_schema_of(resolve(self.doc, body)?)
                    {
                        out.push((name.as_str(), method.as_str(), schema));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Where the operation object is, as a JSON Pointer into the document
    /// (`/paths/~1v1~1a/post`).
    pub fn pointer(&self) -> String {
        format!("/paths/{}/{}", escape(self.path), escape(self.method))
    }

    /// Its documented responses, in the document's order. Each one's
    /// `$ref` is followed when it is read, so that one response that
    /// cannot be read leaves the others readable.
    pub fn responses(&self) -> Vec<Response<'a>> {
        let at = self.pointer();
        self.object
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(status, written)| Response {
                doc: self.doc,
                pointer: format!("{at}/responses/{}", escape(status)),
                written,
                status,
            })
            .collect()
    }

    /// The `application/json` schema of its response for `status` (the
    /// key as written: `200`, `default`), as written.
    pub fn response_schema(&self, status: &str) -> Result<Option<&'a Value>, Error> {
        match self.responses().into_iter().find(|r| r.status == status) {
            Some(response) => response.schema(),
            None => Ok(None),
        }
    }
}

/// What makes two parameters the same one: where and (for a header, in
/// any case) what name.
fn parameter_key(parameter: &Value) -> Option<(&str, String)> {
    let place = parameter.get("in")?.as_str()?;
    let name = parameter.get("name")?.as_str()?;
    Some((
        place,
        if place == "header" {
            name.to_ascii_lowercase()
        } else {
            name.to_string()
        },
    ))
}

/// A security scheme of the document and the header its credential
/// travels in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityScheme {
    /// The name in `components.securitySchemes` (`secret_key`).
    pub name: String,
    /// The header, lower case: an `apiKey` scheme's `name`, or
    /// `authorization` for an `http` scheme.
    pub header: String,
}

/// Every security scheme of `doc`, in the document's order. A scheme
/// whose credential does not travel in a header is an error.
pub fn security_schemes(doc: &Value) -> Result<Vec<SecurityScheme>, Error> {
    doc.pointer("/components/securitySchemes")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, scheme)| {
            let scheme = resolve(doc, scheme)?;
            let text = |key: &str| scheme.get(key).and_then(Value::as_str);
            let header = match (text("type"), text("in")) {
                (Some("apiKey"), Some("header")) => text("name")
                    .ok_or_else(|| Error::SchemeWithoutHeader { name: name.clone() })?
                    .to_ascii_lowercase(),
                (Some("http"), _) => "authorization".to_string(),
                (kind, place) => {
                    return Err(Error::UnsupportedScheme {
                        name: name.clone(),
                        kind: kind.map(str::to_string),
                        place: place.map(str::to_string),
                    });
                }
            };
            Ok(SecurityScheme {
                name: name.clone(),
                header,
            })
        })
        .collect()
}

/// One operation of a document, to change in place.
#[derive(Debug)]
pub struct OperationMut<'a> {
    /// The path template.
    pub path: &'a str,
    /// The method, lower case.
    pub method: &'a str,
    /// The operation object.
    pub object: &'a mut Map<String, Value>,
}

/// Every operation of `doc` that is an object, to change in place, in the
/// order of [`operations`].
pub fn operations_mut(doc: &mut Value) -> Vec<OperationMut<'_>> {
    let mut out = Vec::new();
    for (path, item) in paths_mut(doc) {
        for (method, object) in item.iter_mut() {
            if is_method(method)
                && let Some(object) = object.as_object_mut()
            {
                out.push(OperationMut {
                    path,
                    method,
                    object,
                });
            }
        }
    }
    out
}

/// One `parameters` list of a document, to change in place.
#[derive(Debug)]
pub struct ParametersMut<'a> {
    /// The path template.
    pub path: &'a str,
    /// The operation's method (lower case), or `None` for the list the
    /// path item shares among its operations.
    pub method: Option<&'a str>,
    /// The parameters as written (`$ref`s unresolved).
    pub list: &'a mut Vec<Value>,
}

/// Every `parameters` list of `doc`, path item's and operations', in the
/// order their keys have in each path item.
pub fn parameter_lists_mut(doc: &mut Value) -> Vec<ParametersMut<'_>> {
    let mut out = Vec::new();
    for (path, item) in paths_mut(doc) {
        for (key, value) in item.iter_mut() {
            let (method, list) = if key == "parameters" {
                (None, value.as_array_mut())
            } else if is_method(key) {
                (
                    Some(key.as_str()),
                    value.get_mut("parameters").and_then(Value::as_array_mut),
                )
            } else {
                continue;
            };
            if let Some(list) = list {
                out.push(ParametersMut { path, method, list });
            }
        }
    }
    out
}

fn paths_mut(doc: &mut Value) -> impl Iterator<Item = (&str, &mut Map<String, Value>)> {
    doc.get_mut("paths")
        .and_then(Value::as_object_mut)
        .into_iter()
        .flat_map(|paths| paths.iter_mut())
        .filter_map(|(path, item)| Some((path.as_str(), item.as_object_mut()?)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "security": [{"secret_key": []}],
            "paths": {
                "/a": {
                    "summary": "not an operation",
                    "parameters": [
                        {"name": "X-Shared", "in": "header", "required": true},
                        {"$ref": "#/components/parameters/Trace"},
                        {"name": "Session-Key", "in": "header"},
                        {"name": "page", "in": "query"}
                    ],
                    "post": {
                        "operationId": "a_post",
                        "parameters": [
                            {"name": "session-key", "in": "header", "required": true},
                            {"$ref": "#/components/parameters/Idem"}
                        ],
                        "requestBody": {"$ref": "#/components/requestBodies/ABody"},
                        "responses": {
                            "200": {"$ref": "#/components/responses/Ok"},
                            "400": {"description": "bad", "content": {"application/json": {"schema": {"type": "object"}}}}
                        }
                    },
                    "get": {"operationId": "a_get", "security": [], "responses": {}},
                    "x-extension": {"operationId": "not_me"}
                },
                "/b": {
                    "put": {
                        "operationId": "b_put",
                        "security": [{"secret_key": []}, {"session": [], "device": []}, {}],
                        "responses": {"204": {"description": "none"}}
                    }
                }
            },
            "components": {
                "parameters": {
                    "Trace": {"name": "X-Trace", "in": "header"},
                    "Idem": {"$ref": "#/components/parameters/IdemReal"},
                    "IdemReal": {"name": "Idempotency-Key", "in": "header", "required": true}
                },
                "requestBodies": {"ABody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/A"}}}}},
                "responses": {"Ok": {"description": "ok", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}},
                "schemas": {"A": {"type": "object"}, "B": {"type": "object"}},
                "securitySchemes": {
                    "secret_key": {"type": "apiKey", "in": "header", "name": "Authorization"},
                    "session": {"type": "apiKey", "in": "header", "name": "Session-Key"},
                    "device": {"type": "http", "scheme": "bearer"}
                }
            }
        })
    }

    fn find<'a>(doc: &'a Value, id: &str) -> Operation<'a> {
        operations(doc).find(|o| o.id() == Some(id)).unwrap()
    }

    #[test]
    fn only_method_keys_are_operations() {
        let doc = doc();
        let found: Vec<(&str, &str, Option<&str>)> = operations(&doc)
            .map(|o| (o.path(), o.method(), o.id()))
            .collect();
        assert_eq!(
            found,
            [
                ("/a", "get", Some("a_get")),
                ("/a", "post", Some("a_post")),
                ("/b", "put", Some("b_put"))
            ]
        );
        assert!(is_method("trace") && !is_method("parameters") && !is_method("POST"));
        assert_eq!(path_items(&doc).count(), 2);
        assert!(path_item(&doc, "/b").is_some() && path_item(&doc, "/c").is_none());
    }

    #[test]
    fn security_is_the_documents_unless_the_operation_overrides_it() {
        let doc = doc();
        assert_eq!(find(&doc, "a_post").security(), [vec!["secret_key"]]);
        // `[]` on the operation: no credential, whatever the document says.
        assert_eq!(find(&doc, "a_get").security(), Vec::<Vec<&str>>::new());
        // Alternatives in order; `{}` is the alternative that needs nothing.
        assert_eq!(
            find(&doc, "b_put").security(),
            [vec!["secret_key"], vec!["device", "session"], vec![]]
        );
        let mut bare = doc.clone();
        bare.as_object_mut().unwrap().remove("security");
        assert_eq!(find(&bare, "a_post").security(), Vec::<Vec<&str>>::new());
    }

    #[test]
    fn header_parameters_merge_both_levels_inline_and_by_reference() {
        let doc = doc();
        let names: Vec<(String, bool)> = find(&doc, "a_post")
            .header_parameters()
            .unwrap()
            .into_iter()
            .map(|p| (p.name, p.required))
            .collect();
        assert_eq!(
            names,
            [
                // path item level: inline, then by reference
                ("x-shared".to_string(), true),
                ("x-trace".to_string(), false),
                // the operation redefines Session-Key (case does not matter
                // for a header) and refers to a chain for the other one
                ("session-key".to_string(), true),
                ("idempotency-key".to_string(), true),
            ]
        );
        // The query parameter is a parameter, not a header.
        assert_eq!(find(&doc, "a_post").parameters().unwrap().len(), 5);
        // An operation with no parameters of its own inherits the path item's.
        assert_eq!(find(&doc, "a_get").header_parameters().unwrap().len(), 3);
        assert!(find(&doc, "b_put").header_parameters().unwrap().is_empty());
    }

    #[test]
    fn a_dangling_parameter_reference_is_an_error() {
        let mut doc = doc();
        doc["components"]["parameters"]
            .as_object_mut()
            .unwrap()
            .remove("IdemReal");
        assert_eq!(
            find(&doc, "a_post").header_parameters().unwrap_err(),
            Error::Undefined {
                reference: "#/components/parameters/IdemReal".into()
            }
        );
    }

    #[test]
    fn request_and_response_schemas_through_references() {
        let doc = doc();
        let post = find(&doc, "a_post");
        assert_eq!(
            post.request_body_schema().unwrap(),
            Some(&json!({"$ref": "#/components/schemas/A"}))
        );
        assert_eq!(
            post.response_schema("200").unwrap(),
            Some(&json!({"$ref": "#/components/schemas/B"}))
        );
        assert_eq!(
            post.response_schema("400").unwrap(),
            Some(&json!({"type": "object"}))
        );
        assert_eq!(post.response_schema("404").unwrap(), None);
        let statuses: Vec<(&str, bool)> = post
            .responses()
            .iter()
            .map(|r| (r.status, r.schema().unwrap().is_some()))
            .collect();
        assert_eq!(statuses, [("200", true), ("400", true)]);
        let get = find(&doc, "a_get");
        assert_eq!(get.request_body_schema().unwrap(), None);
        assert_eq!(
            find(&doc, "b_put").responses()[0].schema().unwrap(),
            None,
            "a response without content has no schema"
        );
    }

    #[test]
    fn a_response_schema_is_located_where_it_is_defined() {
        let mut doc = doc();
        let post = find(&doc, "a_post");
        assert_eq!(post.pointer(), "/paths/~1a/post");
        let located: Vec<Option<String>> = post
            .responses()
            .iter()
            .map(|r| r.schema_pointer().unwrap())
            .collect();
        assert_eq!(
            located,
            [
                // through the response's $ref, then the schema's
                Some("/components/schemas/B".to_string()),
                // inline
                Some("/paths/~1a/post/responses/400/content/application~1json/schema".to_string()),
            ]
        );
        assert_eq!(
            find(&doc, "b_put").responses()[0].schema_pointer().unwrap(),
            None
        );
        // The request body: through the body's $ref, then the schema's.
        assert_eq!(
            post.request_body_schema_pointer().unwrap().as_deref(),
            Some("/components/schemas/A")
        );
        assert_eq!(
            find(&doc, "b_put").request_body_schema_pointer().unwrap(),
            None
        );
        // One response that cannot be read leaves the others readable.
        doc["paths"]["/a"]["post"]["responses"]["401"] =
            json!({"$ref": "#/components/responses/Gone"});
        let post = find(&doc, "a_post");
        let readable: Vec<(&str, bool)> = post
            .responses()
            .iter()
            .map(|r| (r.status, r.schema_pointer().is_ok()))
            .collect();
        assert_eq!(readable, [("200", true), ("400", true), ("401", false)]);
    }

    #[test]
    fn security_schemes_name_their_header() {
        let doc = doc();
        assert_eq!(
            security_schemes(&doc).unwrap(),
            [
                SecurityScheme {
                    name: "device".into(),
                    header: "authorization".into()
                },
                SecurityScheme {
                    name: "secret_key".into(),
                    header: "authorization".into()
                },
                SecurityScheme {
                    name: "session".into(),
                    header: "session-key".into()
                },
            ]
        );
        let cookie = json!({"components": {"securitySchemes": {"c": {"type": "apiKey", "in": "cookie", "name": "sid"}}}});
        assert_eq!(
            security_schemes(&cookie).unwrap_err().to_string(),
            "security scheme c (Some(\"apiKey\") in Some(\"cookie\")) is not supported: only header credentials are"
        );
    }

    #[test]
    fn mutable_views_see_the_same_operations_and_every_parameter_list() {
        let mut doc = doc();
        let seen: Vec<(String, String)> = operations_mut(&mut doc)
            .into_iter()
            .map(|o| (o.path.to_string(), o.method.to_string()))
            .collect();
        assert_eq!(
            seen,
            [
                ("/a".to_string(), "get".to_string()),
                ("/a".to_string(), "post".to_string()),
                ("/b".to_string(), "put".to_string())
            ]
        );
        for op in operations_mut(&mut doc) {
            op.object.insert("x-seen".into(), Value::Bool(true));
        }
        assert!(operations(&doc).all(|o| o.object()["x-seen"] == true));
        let lists: Vec<(String, Option<String>, usize)> = parameter_lists_mut(&mut doc)
            .into_iter()
            .map(|l| {
                (
                    l.path.to_string(),
                    l.method.map(str::to_string),
                    l.list.len(),
                )
            })
            .collect();
        assert_eq!(
            lists,
            [
                ("/a".to_string(), None, 4),
                ("/a".to_string(), Some("post".to_string()), 2)
            ]
        );
        for list in parameter_lists_mut(&mut doc) {
            list.list.clear();
        }
        assert!(find(&doc, "a_post").header_parameters().unwrap().is_empty());
    }
}
