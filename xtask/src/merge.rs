//! Merging the sources into one OpenAPI 3.0.x document.
//!
//! Paths and components are united. A path defined by two sources, or a
//! component name given two different definitions, is an error naming both
//! files: silently preferring one would hide a conflict in Paynet's pages.
//! `info` and `servers` come from `spec/openapi/base.json`; tags are united
//! by name.

use serde_json::{Map, Value, json};

use crate::sources::{Source, SourceError};

/// The source whose `info` and `servers` the merged document takes.
pub const BASE: &str = "spec/openapi/base.json";

fn error(source: &Source, message: String) -> SourceError {
    SourceError {
        file: source.name.clone(),
        position: None,
        message,
    }
}

/// Checks that `source` declares an OpenAPI 3.0.x version.
pub fn check_version(source: &Source) -> Result<(), SourceError> {
    match source.doc.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => Ok(()),
        Some(v) => Err(error(
            source,
            format!("OpenAPI version {v} is not supported: only 3.0.x documents can be merged"),
        )),
        None => Err(error(
            source,
            "not an OpenAPI document: no `openapi` version string".to_string(),
        )),
    }
}

/// Merges normalized sources into one document.
pub fn merge(sources: &[Source]) -> Result<Value, SourceError> {
    let base = sources
        .iter()
        .find(|s| s.name == BASE)
        .ok_or_else(|| SourceError {
            file: BASE.to_string(),
            position: None,
            message: "missing: it gives the merged document its info and servers".to_string(),
        })?;

    let mut paths = Map::new();
    let mut path_owner: Map<String, Value> = Map::new();
    let mut components: Map<String, Value> = Map::new();
    let mut component_owner: Map<String, Value> = Map::new();
    let mut tags: Vec<Value> = Vec::new();

    for source in sources {
        check_version(source)?;
        for (path, item) in paynet_spec::path_items(&source.doc) {
            if let Some(owner) = path_owner.get(path) {
                return Err(error(
                    source,
                    format!(
                        "path {path} is already defined in {}",
                        owner.as_str().unwrap_or("?")
                    ),
                ));
            }
            path_owner.insert(path.to_string(), Value::String(source.name.clone()));
            paths.insert(path.to_string(), item.clone());
        }
        if let Some(sections) = source.doc.get("components").and_then(Value::as_object) {
            for (section, entries) in sections {
                let Some(entries) = entries.as_object() else {
                    return Err(error(
                        source,
                        format!("components.{section} is not an object"),
                    ));
                };
                let target = components
                    .entry(section.clone())
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut()
                    .expect("inserted as an object");
                for (name, definition) in entries {
                    let key = format!("{section}.{name}");
                    match target.get(name) {
                        Some(existing) if existing != definition => {
                            let owner = component_owner[&key].as_str().unwrap_or("?").to_string();
                            return Err(error(
                                source,
                                format!(
                                    "component {key} is already defined differently in {owner}"
                                ),
                            ));
                        }
                        Some(_) => {}
                        None => {
                            target.insert(name.clone(), definition.clone());
                            component_owner.insert(key, Value::String(source.name.clone()));
                        }
                    }
                }
            }
        }
        if let Some(source_tags) = source.doc.get("tags").and_then(Value::as_array) {
            for tag in source_tags {
                if !tags.iter().any(|t| t.get("name") == tag.get("name")) {
                    tags.push(tag.clone());
                }
            }
        }
    }
    // Tags used by operations but declared nowhere still get an entry, so the
    // merged document lists every tag it uses.
    for item in paths.values() {
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            for tag in op
                .get("tags")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if !tags.iter().any(|t| t.get("name") == Some(tag)) {
                    tags.push(json!({ "name": tag }));
                }
            }
        }
    }
    tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));

    let mut doc = Map::new();
    doc.insert("openapi".into(), json!("3.0.3"));
    doc.insert(
        "info".into(),
        base.doc.get("info").cloned().unwrap_or(Value::Null),
    );
    if let Some(servers) = base.doc.get("servers") {
        doc.insert("servers".into(), servers.clone());
    }
    doc.insert("tags".into(), Value::Array(tags));
    doc.insert("paths".into(), Value::Object(paths));
    doc.insert("components".into(), Value::Object(components));
    Ok(Value::Object(doc))
}
