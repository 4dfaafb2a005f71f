//! Deterministic JSON text: keys sorted at every level, two-space indent,
//! one trailing newline. Sorting here, rather than relying on
//! `serde_json::Map`'s default ordering, keeps the output stable even if a
//! dependency turns on serde_json's `preserve_order` feature.

use serde_json::Value;

/// Returns `value` with the keys of every object sorted.
pub fn canonical(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            Value::Object(
                entries
                    .into_iter()
                    .map(|(k, v)| (k.clone(), canonical(v)))
                    .collect(),
            )
        }
        Value::Array(items) => Value::Array(items.iter().map(canonical).collect()),
        other => other.clone(),
    }
}

/// The canonical text of `value`.
pub fn to_text(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(&canonical(value))
        .expect("a serde_json::Value always serializes");
    text.push('\n');
    text
}
