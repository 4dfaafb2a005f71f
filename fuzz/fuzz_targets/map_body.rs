//! Decoding and mapping of any answer, for every operation: never a panic.
//! The first byte picks the HTTP status; the rest is the body.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use paynet_api::types::{CaptureReversalResponse, InitReversalResponse, PreauthReversalResponse};

const STATUSES: [u16; 8] = [200, 201, 400, 401, 403, 404, 500, 502];

fn check<T: serde::de::DeserializeOwned + paynet_ext::Verdict + Send + Sync + 'static>(status: u16, body: &[u8]) {
    match paynet_ext::map_body::<T>(status, Bytes::copy_from_slice(body)) {
        Ok(reply) => {
            assert!(reply.result_code().is_success());
            assert_eq!(reply.raw_body(), body);
        }
        Err(error) => {
            assert_eq!(error.raw_body(), Some(body));
            let _ = error.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let status = STATUSES[usize::from(selector) % STATUSES.len()];
    check::<CaptureReversalResponse>(status, body);
    check::<PreauthReversalResponse>(status, body);
    check::<InitReversalResponse>(status, body);
});
