//! Merging the sources into one OpenAPI 3.0.x document.
//!
//! Paths and components are united; `info` and `servers` come from
//! `spec/openapi/base.json`; tags are united by name. A path defined by two
//! sources is an error naming both files.
//!
//! Every page of Paynet's SoftPOS family defines its own components under
//! the same names (`ErrorResponse`, `ContentTypeHeader`, ...), so a name
//! given two definitions is resolved, never refused for a vendor page:
//!
//! - definitions that differ only in annotations (`description`,
//!   `example`, `examples`, `title`, `summary`, at any depth) are one
//!   component, with one source's words;
//! - definitions that differ in structure are all kept: one keeps the name,
//!   each other one is renamed after the operation of the page that defines
//!   it (`GetAuthKeyErrorResponse`), and the `$ref`s of that page follow it.
//!
//! Which definition keeps the name, and whose words a merged component
//! keeps, is decided so that adding a page never renames or rewords what the
//! existing operations use: first a hand-written document's (they refer to
//! each other's components across files, so their names cannot move; two
//! hand-written documents that disagree in structure are an error), then the
//! one `spec/paynet.json` already holds (the record of what was published),
//! then the first source in file-name order. Every such decision is one line
//! of the merge's notes, which `cargo xtask generate` prints.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::sources::{Source, SourceError};

/// The source whose `info` and `servers` the merged document takes.
pub const BASE: &str = "spec/openapi/base.json";

/// The keys that annotate rather than define: two definitions that differ
/// only in these are the same component.
pub const ANNOTATIONS: [&str; 5] = ["description", "example", "examples", "title", "summary"];

/// Keys whose object value is a map from names (of properties, media
/// types, headers, ...) to definitions: the names there are not keywords.
const NAME_MAPS: [&str; 13] = [
    "properties",
    "patternProperties",
    "definitions",
    "content",
    "headers",
    "links",
    "encoding",
    "callbacks",
    "variables",
    "responses",
    "schemas",
    "parameters",
    "securitySchemes",
];

/// Keys whose value is data, not a definition: never looked into.
const OPAQUE: [&str; 3] = ["default", "enum", "const"];

fn error(source: &Source, message: String) -> SourceError {
    SourceError {
        file: source.name.clone(),
        position: None,
        message,
    }
}

/// Whether a source is one of the hand-written documents (`spec/openapi/`).
fn hand_written(source: &Source) -> bool {
    source.name.starts_with("spec/openapi/")
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

/// A definition without its annotations: what two definitions must share
/// to be one component.
pub fn structure(definition: &Value) -> Value {
    fn strip(value: &Value, names: bool) -> Value {
        match value {
            Value::Object(map) => Value::Object(
                map.iter()
                    .filter(|(key, _)| names || !ANNOTATIONS.contains(&key.as_str()))
                    .map(|(key, child)| {
                        let child = if names {
                            strip(child, false)
                        } else if OPAQUE.contains(&key.as_str()) || key.starts_with("x-") {
                            child.clone()
                        } else {
                            strip(
                                child,
                                NAME_MAPS.contains(&key.as_str()) && child.is_object(),
                            )
                        };
                        (key.clone(), child)
                    })
                    .collect(),
            ),
            Value::Array(items) => Value::Array(items.iter().map(|v| strip(v, false)).collect()),
            other => other.clone(),
        }
    }
    strip(definition, false)
}

/// `(section, name)` of a component, as in `components.<section>.<name>`.
pub type ComponentKey = (String, String);

/// The components of one source that the merged document holds under
/// another name.
pub type Renames = BTreeMap<ComponentKey, String>;

/// `value` with every `$ref` to a renamed component pointing at its new name.
pub fn rename_refs(value: &Value, renames: &Renames) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(key, child)| {
                    let child = match (key.as_str(), child) {
                        ("$ref", Value::String(reference)) => {
                            Value::String(renamed_ref(reference, renames))
                        }
                        _ => rename_refs(child, renames),
                    };
                    (key.clone(), child)
                })
                .collect(),
        ),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| rename_refs(v, renames)).collect())
        }
        other => other.clone(),
    }
}

fn renamed_ref(reference: &str, renames: &Renames) -> String {
    let Some(rest) = reference.strip_prefix("#/components/") else {
        return reference.to_string();
    };
    let Some((section, name)) = rest.split_once('/') else {
        return reference.to_string();
    };
    let name = paynet_spec::unescape(name);
    match renames.get(&(section.to_string(), name)) {
        Some(new) => format!("#/components/{section}/{}", paynet_spec::escape(new)),
        None => reference.to_string(),
    }
}

/// The prefix a page's renamed components take: its first operation's id
/// in PascalCase (`get_auth_key` → `GetAuthKey`), or the file's name when
/// it has no operation.
fn prefix(source: &Source) -> String {
    let word = paynet_spec::operations(&source.doc)
        .find_map(|op| op.id().map(str::to_string))
        .unwrap_or_else(|| {
            let file = source.name.rsplit('/').next().unwrap_or(&source.name);
            file.split('.').next().unwrap_or(file).to_string()
        });
    word.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            let first = chars.next().expect("not empty").to_ascii_uppercase();
            std::iter::once(first).chain(chars).collect::<String>()
        })
        .collect()
}

/// What the merge made of one source's components.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Placement {
    /// Its components that the merged document holds under another name.
    pub renames: Renames,
    /// Its components merged with another source's definition of the same
    /// structure, whose words the merged document keeps.
    pub reworded: BTreeMap<ComponentKey, String>,
}

/// The merged document, what each source's components became, and one
/// line per name that more than one source defines.
#[derive(Debug, Clone)]
pub struct Merged {
    /// The merged OpenAPI document.
    pub doc: Value,
    /// One per source, in the order of the sources.
    pub placements: Vec<Placement>,
    /// What was done where sources define the same name.
    pub notes: Vec<String>,
}

/// One source's definition of a component name.
struct Candidate {
    source: usize,
    definition: Value,
    structure: Value,
}

/// How the components are laid out: the merged sections, each source's
/// placement, the notes.
struct Layout {
    components: Map<String, Value>,
    placements: Vec<Placement>,
    notes: Vec<String>,
}

/// One pass of the layout, with each source's `$ref`s already following
/// `renames` (from the previous pass).
fn layout(
    sources: &[Source],
    prior: Option<&Value>,
    renames: &[Renames],
) -> Result<Layout, SourceError> {
    // Candidates per name, names in the order first seen.
    let mut order: Vec<ComponentKey> = Vec::new();
    let mut candidates: BTreeMap<ComponentKey, Vec<Candidate>> = BTreeMap::new();
    for (index, source) in sources.iter().enumerate() {
        let Some(sections) = source.doc.get("components").and_then(Value::as_object) else {
            continue;
        };
        for (section, entries) in sections {
            let Some(entries) = entries.as_object() else {
                return Err(error(
                    source,
                    format!("components.{section} is not an object"),
                ));
            };
            for (name, definition) in entries {
                let key = (section.clone(), name.clone());
                let definition = rename_refs(definition, &renames[index]);
                let structure = structure(&definition);
                if !candidates.contains_key(&key) {
                    order.push(key.clone());
                }
                candidates.entry(key).or_default().push(Candidate {
                    source: index,
                    definition,
                    structure,
                });
            }
        }
    }
    let mut taken: std::collections::BTreeSet<ComponentKey> = candidates.keys().cloned().collect();
    let mut components = Map::new();
    let mut placements = vec![Placement::default(); sources.len()];
    let mut notes = Vec::new();
    for key in order {
        let (section, name) = &key;
        let list = &candidates[&key];
        let label = format!("components.{section}.{name}");
        let before = prior.and_then(|p| p.get("components")?.get(section)?.get(name));
        // Group by structure, in order of first appearance.
        let mut classes: Vec<Vec<&Candidate>> = Vec::new();
        for candidate in list {
            match classes
                .iter_mut()
                .find(|class| class[0].structure == candidate.structure)
            {
                Some(class) => class.push(candidate),
                None => classes.push(vec![candidate]),
            }
        }
        let written_by_hand =
            |class: &Vec<&Candidate>| class.iter().any(|c| hand_written(&sources[c.source]));
        let by_hand: Vec<usize> = (0..classes.len())
            .filter(|&i| written_by_hand(&classes[i]))
            .collect();
        if by_hand.len() > 1 {
            let first = classes[by_hand[0]]
                .iter()
                .find(|c| hand_written(&sources[c.source]))
                .expect("a hand-written candidate");
            let second = classes[by_hand[1]]
                .iter()
                .find(|c| hand_written(&sources[c.source]))
                .expect("a hand-written candidate");
            return Err(error(
                &sources[second.source],
                format!(
                    "component {section}.{name} is already defined differently in {}",
                    sources[first.source].name
                ),
            ));
        }
        let (keeper, why) = if let Some(&i) = by_hand.first() {
            (i, "a hand-written document's, which other files refer to")
        } else if let Some(i) = before.and_then(|b| {
            let b = structure(b);
            classes.iter().position(|class| class[0].structure == b)
        }) {
            (i, "the one spec/paynet.json already holds")
        } else {
            (0, "the first in file-name order")
        };
        let files = |class: &[&Candidate]| -> String {
            let mut names: Vec<&str> = class
                .iter()
                .map(|c| sources[c.source].name.as_str())
                .collect();
            names.dedup();
            names.join(", ")
        };
        for (index, class) in classes.iter().enumerate() {
            let target = if index == keeper {
                name.clone()
            } else {
                let base = format!("{}{name}", prefix(&sources[class[0].source]));
                let mut candidate = base.clone();
                let mut n = 2;
                while taken.contains(&(section.clone(), candidate.clone())) {
                    candidate = format!("{base}{n}");
                    n += 1;
                }
                taken.insert((section.clone(), candidate.clone()));
                for c in class {
                    placements[c.source]
                        .renames
                        .insert(key.clone(), candidate.clone());
                }
                notes.push(format!(
                    "{label}: {} defines it with another structure than {}: kept both, as `{candidate}` for the former (the name stays with {}: {why})",
                    files(class),
                    files(&classes[keeper]),
                    files(&classes[keeper]),
                ));
                candidate
            };
            // Whose words: a hand-written one's, else the ones already
            // published under this name, else the first source's.
            let published = prior.and_then(|p| p.get("components")?.get(section)?.get(&target));
            let chosen = class
                .iter()
                .find(|c| hand_written(&sources[c.source]))
                .or_else(|| class.iter().find(|c| Some(&c.definition) == published))
                .unwrap_or(&class[0]);
            let reworded: Vec<&&Candidate> = class
                .iter()
                .filter(|c| c.definition != chosen.definition)
                .collect();
            for c in &reworded {
                placements[c.source]
                    .reworded
                    .insert(key.clone(), sources[chosen.source].name.clone());
            }
            if !reworded.is_empty() {
                notes.push(format!(
                    "{label}: {} define{} it in other words only ({}): merged as one{}, with the words of {}",
                    files(class),
                    if class.len() > 1 { "" } else { "s" },
                    ANNOTATIONS.join(", "),
                    if index == keeper { String::new() } else { format!(" `{target}`") },
                    sources[chosen.source].name,
                ));
            }
            components
                .entry(section.clone())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("inserted as an object")
                .insert(target, chosen.definition.clone());
        }
    }
    Ok(Layout {
        components,
        placements,
        notes,
    })
}

/// Merges normalized sources into one document. `prior` is the merged
/// document as it was (`spec/paynet.json`), if any: a name already there
/// stays with the definition it had, and keeps its words.
pub fn merge(sources: &[Source], prior: Option<&Value>) -> Result<Merged, SourceError> {
    let base = sources
        .iter()
        .find(|s| s.name == BASE)
        .ok_or_else(|| SourceError {
            file: BASE.to_string(),
            position: None,
            message: "missing: it gives the merged document its info and servers".to_string(),
        })?;
    for source in sources {
        check_version(source)?;
    }

    // A renamed component changes the `$ref`s of its page, which can make
    // another of its components differ in structure in turn: repeat until
    // the renames settle.
    let mut renames: Vec<Renames> = vec![Renames::new(); sources.len()];
    let mut settled = None;
    for _ in 0..16 {
        let pass = layout(sources, prior, &renames)?;
        let next: Vec<Renames> = pass.placements.iter().map(|p| p.renames.clone()).collect();
        if next == renames {
            settled = Some(pass);
            break;
        }
        renames = next;
    }
    let Layout {
        components,
        placements,
        notes,
    } = settled.ok_or_else(|| SourceError {
        file: "spec".to_string(),
        position: None,
        message: "the renames of same-named components did not settle".to_string(),
    })?;

    let mut paths = Map::new();
    let mut path_owner: Map<String, Value> = Map::new();
    let mut tags: Vec<Value> = Vec::new();
    for (index, source) in sources.iter().enumerate() {
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
            paths.insert(
                path.to_string(),
                rename_refs(item, &placements[index].renames),
            );
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
    let doc = Value::Object(doc);
    // A requirement of a scheme no source defines (a page's `Authorization`
    // parameter turned into `secret_key`, say, without base.json) would
    // leave the client sending nothing.
    for op in paynet_spec::operations(&doc) {
        for name in op.security().into_iter().flatten() {
            if doc
                .pointer(&format!("/components/securitySchemes/{name}"))
                .is_none()
            {
                return Err(SourceError {
                    file: path_owner[op.path()].as_str().unwrap_or("?").to_string(),
                    position: None,
                    message: format!(
                        "{} {}: requires security scheme `{name}`, which no source defines",
                        op.method().to_uppercase(),
                        op.path()
                    ),
                });
            }
        }
    }
    Ok(Merged {
        doc,
        placements,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(name: &str, doc: Value) -> Source {
        Source {
            name: name.to_string(),
            first_line: 1,
            doc,
        }
    }

    fn base() -> Source {
        source(
            BASE,
            json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"}, "paths": {}}),
        )
    }

    fn page(name: &str, op: &str, error: Value) -> Source {
        source(
            name,
            json!({"openapi": "3.0.3", "info": {"title": "p", "version": "1"},
                "paths": {format!("/v1/{op}"): {"post": {"operationId": op, "responses": {"400": {
                    "description": "d", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Err"}}}}}}}},
                "components": {"schemas": {"Err": error, "Wrap": {"type": "array", "items": {"$ref": "#/components/schemas/Err"}}}}}),
        )
    }

    #[test]
    fn annotations_are_stripped_only_where_they_are_keywords() {
        let a = json!({"type": "object", "description": "x", "title": "T",
            "properties": {"description": {"type": "string", "description": "a field"},
                           "n": {"type": "integer", "example": 1, "enum": [{"title": 1}]}}});
        assert_eq!(
            structure(&a),
            json!({"type": "object", "properties": {"description": {"type": "string"},
                "n": {"type": "integer", "enum": [{"title": 1}]}}})
        );
    }

    #[test]
    fn structure_decides_and_renames_follow_references() {
        let same = json!({"type": "object", "properties": {"code": {"type": "integer", "description": "Kod."}}});
        let worded = json!({"type": "object", "properties": {"code": {"type": "integer", "description": "Hata kodu."}}});
        let other = json!({"type": "object", "properties": {"code": {"type": "string"}}});
        let sources = [
            page("spec/vendor/a.md", "do_a", same.clone()),
            page("spec/vendor/b.md", "do_b", worded),
            page("spec/vendor/c.md", "do_c", other.clone()),
            base(),
        ];
        let merged = merge(&sources, None).unwrap();
        let schemas = &merged.doc["components"]["schemas"];
        assert_eq!(schemas["Err"], same);
        assert_eq!(schemas["DoCErr"], other);
        // c's `Wrap` refers to c's `Err`, so it differs from a's and b's
        // too, and is kept apart as well.
        assert_eq!(
            schemas["DoCWrap"]["items"]["$ref"],
            "#/components/schemas/DoCErr"
        );
        assert_eq!(schemas["Wrap"]["items"]["$ref"], "#/components/schemas/Err");
        assert_eq!(
            merged.doc["paths"]["/v1/do_c"]["post"]["responses"]["400"]["content"]["application/json"]
                ["schema"]["$ref"],
            "#/components/schemas/DoCErr"
        );
        assert!(merged.placements[0].renames.is_empty());
        assert!(
            merged.placements[1]
                .reworded
                .contains_key(&("schemas".into(), "Err".into()))
        );
        assert_eq!(merged.placements[2].renames.len(), 2);
        assert_eq!(merged.notes.len(), 3, "{:#?}", merged.notes);

        // What spec/paynet.json already holds keeps the name and the words.
        let prior = json!({"components": {"schemas": {"Err": other,
            "Wrap": {"type": "array", "items": {"$ref": "#/components/schemas/Err"}}}}});
        let again = merge(&sources, Some(&prior)).unwrap();
        let schemas = &again.doc["components"]["schemas"];
        assert_eq!(schemas["Err"], prior["components"]["schemas"]["Err"]);
        assert_eq!(schemas["DoAErr"]["properties"]["code"]["type"], "integer");
        assert!(again.placements[2].renames.is_empty());
        assert_eq!(
            schemas["DoAWrap"]["items"]["$ref"],
            "#/components/schemas/DoAErr"
        );
    }
}
