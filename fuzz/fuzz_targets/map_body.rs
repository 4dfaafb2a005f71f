//! Decoding and mapping of any answer, for every operation and at every
//! status the mapping tells apart: never a panic. The whole input is the
//! body, so the JSON files of `tests/fixtures/` are seeds as they are.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use paynet_api::types::{
    CaptureReversalResponse, InitReversalResponse, PreauthReversalResponse,
    TransactionCheckResponse,
};

const STATUSES: [u16; 8] = [200, 201, 400, 401, 403, 404, 500, 502];

fn check<T>(status: u16, body: &Bytes)
where
    T: serde::de::DeserializeOwned + paynet_ext::Verdict + Send + Sync + 'static,
{
    match paynet_ext::map_body::<T>(status, body.clone()) {
        Ok(reply) => {
            assert!((200..300).contains(&status), "a success at HTTP {status}");
            assert!(reply.result_code().is_success());
            assert_eq!(reply.raw_body(), &body[..]);
        }
        Err(error) => {
            assert_eq!(error.raw_body(), Some(&body[..]));
            let _ = error.to_string();
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let body = Bytes::copy_from_slice(data);
    for status in STATUSES {
        check::<CaptureReversalResponse>(status, &body);
        check::<PreauthReversalResponse>(status, &body);
        check::<InitReversalResponse>(status, &body);
        check::<TransactionCheckResponse>(status, &body);
    }
});
