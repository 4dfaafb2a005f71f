//! The client against an independent mock made from `spec/paynet.json`
//! (Prism, `prism mock -d`), which answers random bodies that are valid
//! against the spec: every operation, many answers. None may be
//! `Undecodable`; an answer that is valid against the spec may not leave a
//! field undecoded. (Prism's generator computes `multipleOf` in floating
//! point and now and then answers an amount such as `887037557542.0498`
//! that breaks it; such an answer is checked against the spec here, and
//! must still map to a verdict, with that field reported as undecoded.)
//!
//! Ignored by default: it needs the mock running. `scripts/independent-mock.sh`
//! installs Prism from npm, starts it on loopback, and runs this test with
//! `PAYNET_INDEPENDENT_MOCK` set to its address (CI runs it).

use paynet_api::runtime::{AnswerVisitor, Verdict};
use paynet_ext::{Error, map_body};
use paynet_tests::spec_gen::{answer_schema, errors_against, operation, spec, values};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// Answers asked per operation.
const ANSWERS: usize = 100;

struct Against {
    base: String,
    spec: Value,
    http: reqwest::Client,
    runtime: tokio::runtime::Runtime,
    visited: usize,
}

impl AnswerVisitor for Against {
    fn visit<T: Verdict + DeserializeOwned + Send + Sync + 'static>(
        &mut self,
        operation_id: &'static str,
    ) {
        self.visited += 1;
        let (path, method, op) = operation(&self.spec, operation_id);
        assert_eq!(method, "post", "{operation_id}: only POST is driven here");
        let row = paynet_api::runtime::operation(operation_id).unwrap();
        let request_schema = &op["requestBody"]["content"]["application/json"]["schema"];
        let bodies = values(&self.spec, request_schema);
        let mut runner = TestRunner::deterministic();
        let mut successes = 0;
        let mut off_spec = 0;
        let check = errors_against(&self.spec, &answer_schema(&self.spec, operation_id));
        for _ in 0..ANSWERS {
            let body = bodies.new_tree(&mut runner).unwrap().current();
            let mut request = self.http.post(format!("{}{path}", self.base)).json(&body);
            for alternative in row.security.iter().take(1) {
                for scheme in alternative.iter() {
                    let scheme = paynet_api::runtime::security_schemes()
                        .iter()
                        .find(|s| s.name == *scheme)
                        .unwrap();
                    request = request.header(scheme.header, "Basic sck_independent_mock");
                }
            }
            for header in row.header_parameters {
                request = request.header(*header, "independent-mock");
            }
            let (status, bytes) = self.runtime.block_on(async {
                let response = request.send().await.unwrap();
                let status = response.status().as_u16();
                (status, response.bytes().await.unwrap())
            });
            assert!(
                (200..300).contains(&status),
                "{operation_id}: the mock refused our request ({status}): {}",
                String::from_utf8_lossy(&bytes)
            );
            let valid = serde_json::from_slice::<Value>(&bytes)
                .map(|answer| check(&answer).is_empty())
                .unwrap_or(false);
            off_spec += usize::from(!valid);
            match map_body::<T>(status, bytes.clone()) {
                Ok(reply) => {
                    assert!(
                        !valid || reply.undecoded_fields().is_empty(),
                        "{operation_id}: {:?} in {}",
                        reply.undecoded_fields(),
                        String::from_utf8_lossy(&bytes)
                    );
                    successes += 1;
                }
                Err(Error::Undecodable { reason, .. }) => panic!(
                    "{operation_id}: a spec-valid answer is Undecodable ({reason}): {}",
                    String::from_utf8_lossy(&bytes)
                ),
                Err(e) => assert!(
                    !valid || e.undecoded_fields().is_empty(),
                    "{operation_id}: {:?} in {}",
                    e.undecoded_fields(),
                    String::from_utf8_lossy(&bytes)
                ),
            }
        }
        println!(
            "{operation_id}: {ANSWERS} answers ({off_spec} off the spec), {successes} mapped to Ok, none undecodable"
        );
        assert!(
            off_spec < ANSWERS,
            "{operation_id}: no answer of the mock was valid against the spec"
        );
    }
}

#[test]
#[ignore = "needs the independent mock: scripts/independent-mock.sh"]
fn every_answer_of_the_independent_mock_maps_to_a_verdict() {
    let base = std::env::var("PAYNET_INDEPENDENT_MOCK")
        .expect("PAYNET_INDEPENDENT_MOCK: the mock's loopback address");
    let url = reqwest::Url::parse(&base).unwrap();
    assert!(
        matches!(url.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
        "loopback only"
    );
    let mut against = Against {
        base: base.trim_end_matches('/').to_string(),
        spec: spec(),
        http: reqwest::Client::builder().no_proxy().build().unwrap(),
        runtime: tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap(),
        visited: 0,
    };
    paynet_api::visit_answers(&mut against);
    assert_eq!(against.visited, paynet_api::runtime::operations().len());
}
