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

use paynet_api::runtime::{AnswerVisitor, Verdict};
use paynet_ext::{Error, map_body};
use paynet_tests::spec_gen::{answer_schema, spec, validator, values};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, TestRunner};
use serde::de::DeserializeOwned;
use serde_json::Value;

struct Check {
    spec: Value,
    visited: BTreeSet<&'static str>,
}

impl AnswerVisitor for Check {
    fn visit<T: Verdict + DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        operation_id: &'static str,
    ) {
        self.visited.insert(operation_id);
        let schema = answer_schema(&self.spec, operation_id);
        let strategy = values(&self.spec, &schema);
        let validator = validator(&self.spec, &schema);
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
        assert!(outcomes.contains("ok"), "{operation_id}: {outcomes:?}");
        if T::declares_code() {
            // The generator reaches both sides of the verdict.
            assert!(outcomes.len() > 1, "{operation_id}: {outcomes:?}");
        } else {
            // A query's answer has no verdict: every spec-valid one is a
            // success.
            assert_eq!(outcomes, BTreeSet::from(["ok"]), "{operation_id}");
        }
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
