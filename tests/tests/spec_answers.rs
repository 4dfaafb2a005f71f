//! Answers generated from `spec/paynet.json` itself: for every operation,
//! bodies valid against its 2xx response schema (every `oneOf` branch, every
//! optional field absent or present, boundary values) decode whole and map
//! to a verdict. None is `Undecodable`, none leaves a field undecoded: what
//! the Rust types accept is what the spec calls valid, no less.
//!
//! The operations come from the generated `paynet_api::visit_answers`, the
//! schemas from the spec: an operation added to the spec is covered with no
//! new code here.

use std::collections::BTreeSet;
use std::path::Path;

use paynet_api::runtime::{AnswerVisitor, Verdict};
use paynet_ext::{Error, map_body};
use proptest::prelude::*;
use proptest::strategy::{BoxedStrategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value, json};

fn spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../spec/paynet.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn resolve<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => resolve(spec, spec.pointer(&reference[1..]).unwrap()),
        None => schema,
    }
}

/// A strategy for the values `schema` calls valid, for the keywords the
/// spec uses. An unknown keyword fails the test, so that a spec that grows
/// one is not silently under-tested.
fn values(spec: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let schema = resolve(spec, schema);
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
            Some("integer") => prop_oneof![
                Just(json!(0)),
                Just(json!(i64::MAX)),
                Just(json!(i64::MIN)),
                any::<i64>().prop_map(|n| json!(n)),
            ]
            .boxed(),
            Some("number") => number(schema),
            Some("boolean") => any::<bool>().prop_map(Value::Bool).boxed(),
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
    let required: BTreeSet<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
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
    fields
        .prop_map(|fields| Value::Object(fields.into_iter().flatten().collect::<Map<_, _>>()))
        .boxed()
}

fn string(schema: &Value) -> BoxedStrategy<Value> {
    let pattern = match schema.get("pattern").and_then(Value::as_str) {
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
    if let Some(digits) = schema
        .get("x-paynet-significant-digits")
        .and_then(Value::as_u64)
    {
        // `units` scaled down by `scale` places: at most `digits`
        // significant digits, within the bounds the spec gives.
        let limit = 10i64.pow(digits as u32) - 1;
        return (-limit..=limit, 0u32..=digits as u32)
            .prop_filter_map("within the spec's bounds", move |(units, scale)| {
                let text = rust_decimal::Decimal::new(units, scale).to_string();
                let value: f64 = text.parse().unwrap();
                let inside = max.is_none_or(|m| value <= m) && min.is_none_or(|m| value >= m);
                inside.then(|| serde_json::from_str::<Value>(&text).unwrap())
            })
            .boxed();
    }
    let (lo, hi) = (min.unwrap_or(-1e15), max.unwrap_or(1e15));
    prop_oneof![Just(lo), Just(hi), lo..hi]
        .prop_map(|n| json!(n))
        .boxed()
}

struct Check {
    spec: Value,
    visited: BTreeSet<&'static str>,
}

impl Check {
    fn answer_schema(&self, operation_id: &str) -> Value {
        for item in self.spec["paths"].as_object().unwrap().values() {
            for op in item.as_object().unwrap().values() {
                if op.get("operationId").and_then(Value::as_str) != Some(operation_id) {
                    continue;
                }
                for (status, response) in op["responses"].as_object().unwrap() {
                    if status.starts_with('2') {
                        return response["content"]["application/json"]["schema"].clone();
                    }
                }
            }
        }
        panic!("{operation_id}: no 2xx answer in the spec")
    }
}

impl AnswerVisitor for Check {
    fn visit<T: Verdict + DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        operation_id: &'static str,
    ) {
        self.visited.insert(operation_id);
        let schema = self.answer_schema(operation_id);
        let strategy = values(&self.spec, &schema);
        let validator = jsonschema_like(&self.spec, &schema);
        let mut runner = TestRunner::new(Config {
            cases: 512,
            ..Config::default()
        });
        let mut outcomes = BTreeSet::new();
        for _ in 0..512 {
            let body = strategy.new_tree(&mut runner).unwrap().current();
            validator(&body);
            let bytes = bytes::Bytes::from(serde_json::to_vec(&body).unwrap());
            match map_body::<T>(200, bytes) {
                Ok(reply) => {
                    assert!(
                        reply.undecoded_fields().is_empty(),
                        "{operation_id}: a spec-valid field did not decode: {:?} in {body}",
                        reply.undecoded_fields()
                    );
                    outcomes.insert("ok");
                }
                Err(Error::Undecodable { reason, .. }) => {
                    panic!("{operation_id}: a spec-valid answer is Undecodable ({reason}): {body}")
                }
                Err(e) => {
                    assert!(
                        e.undecoded_fields().is_empty(),
                        "{operation_id}: a spec-valid field did not decode: {:?} in {body}",
                        e.undecoded_fields()
                    );
                    outcomes.insert(e.kind());
                }
            }
        }
        // The generator reaches both sides of the verdict.
        assert!(outcomes.contains("ok"), "{operation_id}: {outcomes:?}");
        assert!(outcomes.len() > 1, "{operation_id}: {outcomes:?}");
    }
}

/// The generator's own check: every generated body is valid against the
/// spec (so that a generator bug cannot make this test pass vacuously).
fn jsonschema_like(spec: &Value, schema: &Value) -> impl Fn(&Value) {
    let schema = paynet_tests::json_schema_of(spec, schema);
    let validator = jsonschema::validator_for(&schema).unwrap();
    move |body: &Value| {
        let errors: Vec<String> = validator.iter_errors(body).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "generated an invalid body {body}: {errors:?}"
        );
    }
}

#[test]
fn every_spec_valid_answer_of_every_operation_maps_to_a_verdict() {
    let mut check = Check {
        spec: spec(),
        visited: BTreeSet::new(),
    };
    paynet_api::visit_answers(&mut check);
    let in_spec: BTreeSet<&str> = paynet_api::runtime::operations()
        .iter()
        .map(|op| op.id)
        .collect();
    assert_eq!(
        check.visited, in_spec,
        "every operation of the spec was checked"
    );
}
