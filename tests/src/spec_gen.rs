//! Bodies generated from `spec/paynet.json`'s own schemas, for the tests
//! that check the client against what the spec calls valid (property tests,
//! and the check against an independent mock).

use proptest::prelude::*;
use proptest::strategy::BoxedStrategy;
use serde_json::{Map, Value, json};

/// The merged spec.
pub fn spec() -> Value {
    let path = crate::scratch::repo_root().join("spec/paynet.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The operation `operation_id` of `spec`: `(path, method, operation)`.
pub fn operation<'a>(spec: &'a Value, operation_id: &str) -> (&'a str, &'a str, &'a Value) {
    let op = paynet_spec::operations(spec)
        .find(|op| op.id() == Some(operation_id))
        .unwrap_or_else(|| panic!("{operation_id} is not in the spec"));
    (op.path(), op.method(), op.object())
}

/// The schema of the first 2xx JSON answer of `operation_id`.
pub fn answer_schema(spec: &Value, operation_id: &str) -> Value {
    let op = paynet_spec::operations(spec)
        .find(|op| op.id() == Some(operation_id))
        .unwrap_or_else(|| panic!("{operation_id} is not in the spec"));
    for response in op.responses() {
        if response.status.starts_with('2') {
            return response.schema().unwrap().cloned().unwrap_or(Value::Null);
        }
    }
    panic!("{operation_id}: no 2xx answer in the spec")
}

/// The errors of `body` against `schema` (OpenAPI, with `spec`'s
/// components); empty when it is valid.
pub fn errors_against(spec: &Value, schema: &Value) -> impl Fn(&Value) -> Vec<String> + use<> {
    let validator = paynet_spec::validator(spec, schema).unwrap();
    move |body: &Value| paynet_spec::errors(&validator, body)
}

/// A validator of `schema` (OpenAPI, with `spec`'s components), which panics
/// on an invalid value: the generators' own check.
pub fn validator(spec: &Value, schema: &Value) -> impl Fn(&Value) + use<> {
    let errors = errors_against(spec, schema);
    move |body: &Value| {
        let errors = errors(body);
        assert!(
            errors.is_empty(),
            "generated an invalid body {body}: {errors:?}"
        );
    }
}

/// A strategy for the values `schema` calls valid, for the keywords the
/// spec uses. An unknown keyword fails the test, so that a spec that grows
/// one is not silently under-tested.
pub fn values(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let schema = paynet_spec::resolve(spec, schema).unwrap();
    let strategy = if let Some(all) = schema.get("allOf").and_then(Value::as_array) {
        assert_eq!(
            all.len(),
            1,
            "allOf is used to annotate one schema: {schema}"
        );
        values(spec, &all[0])
    } else if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let branches: Vec<BoxedStrategy<Value>> =
            branches.iter().map(|b| values(spec, b)).collect();
        proptest::strategy::Union::new(branches).boxed()
    } else if let Some(options) = schema.get("enum").and_then(Value::as_array) {
        proptest::sample::select(options.clone()).boxed()
    } else {
        match schema.get("type").and_then(Value::as_str) {
            Some("object") => object(spec, schema),
            Some("string") => string(schema),
            Some("integer") => {
                // A bound a validator checks (the refund list's limit), or
                // every i64.
                let min = schema
                    .get("minimum")
                    .and_then(Value::as_i64)
                    .unwrap_or(i64::MIN);
                prop_oneof![
                    Just(json!(min.max(0))),
                    Just(json!(i64::MAX)),
                    Just(json!(min)),
                    (min..=i64::MAX).prop_map(|n| json!(n)),
                ]
                .boxed()
            }
            Some("number") => number(schema),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
            Some("array") => {
                let items = schema
                    .get("items")
                    .unwrap_or_else(|| panic!("an array without items: {schema}"));
                proptest::collection::vec(values(spec, items), 0..3)
                    .prop_map(Value::Array)
                    .boxed()
            }
            other => panic!("no generator for type {other:?}: {schema}"),
        }
    };
    if schema.get("nullable") == Some(&Value::Bool(true)) {
        prop_oneof![Just(Value::Null), strategy].boxed()
    } else {
        strategy
    }
}

fn object(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let required = paynet_spec::required_properties(schema);
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = schema
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, property)| {
            let name = name.clone();
            let value = values(spec, property);
            if required.contains(name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::of(value.prop_map(move |v| (name.clone(), v))).boxed()
            }
        })
        .collect();
    let groups: Vec<Vec<String>> = paynet_spec::at_least_one_of(schema)
        .into_iter()
        .map(|group| group.into_iter().map(str::to_string).collect())
        .collect();
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect::<Map<_, _>>()))
        // The spec's at-least-one-of groups (`anyOf` of single requirements).
        .prop_filter("at least one field of each group", move |object| {
            groups
                .iter()
                .all(|group| group.iter().any(|field| object.get(field).is_some()))
        })
        .boxed()
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    // `format: date`: a calendar date (`yyyy-MM-dd`), as validators that
    // check formats (Prism) require; days up to 28 are in every month.
    let date = (schema.get("format").and_then(Value::as_str) == Some("date"))
        .then_some("^[12][0-9]{3}-(0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])$");
    let pattern = match date.or(schema.get("pattern").and_then(Value::as_str)) {
        Some(pattern) => pattern
            .trim_start_matches('^')
            .trim_end_matches('$')
            .to_string(),
        None => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0);
            let max = schema
                .get("maxLength")
                .and_then(Value::as_u64)
                .unwrap_or(40);
            format!("\\PC{{{min},{max}}}")
        }
    };
    proptest::string::string_regex(&pattern)
        .unwrap_or_else(|e| panic!("pattern {pattern}: {e}"))
        .prop_map(Value::String)
        .boxed()
}

fn number(schema: &Value) -> BoxedStrategy<Value> {
    let max = schema.get("maximum").and_then(Value::as_f64);
    let min = schema.get("minimum").and_then(Value::as_f64);
    if let Some(step) = schema.get("multipleOf").and_then(Value::as_f64) {
        // Whole multiples of a power-of-ten step, written as decimal text
        // (never through float arithmetic), within the bounds, boundaries
        // included.
        let places = (-step.log10()).round().max(0.0) as u32;
        let scale = 10f64.powi(places as i32);
        let lo = (min.unwrap_or(-1e12) * scale).ceil() as i64;
        let hi = (max.unwrap_or(1e12) * scale).floor() as i64;
        return prop_oneof![Just(lo), Just(hi), Just(0), lo..=hi]
            .prop_map(move |units| {
                let text = rust_decimal::Decimal::new(units, places).to_string();
                serde_json::from_str::<Value>(&text).unwrap()
            })
            .boxed();
    }
    let (lo, hi) = (min.unwrap_or(-1e15), max.unwrap_or(1e15));
    prop_oneof![Just(lo), Just(hi), lo..hi]
        .prop_map(|n| json!(n))
        .boxed()
}
