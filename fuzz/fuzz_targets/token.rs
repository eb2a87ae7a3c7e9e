//! Arbitrary bytes as a bearer token: parsing and verification never panic, and nothing but a
//! token signed with the secret is accepted (the fuzzer cannot forge HMAC-SHA256).
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use common::setup;

fuzz_target!(|data: &[u8]| {
    let Ok(token) = std::str::from_utf8(data) else { return };
    let (rt, auth) = setup();
    if let Ok(verified) = rt.block_on(auth.verify(token)) {
        // Only a real signature gets here: the fuzzer would have forged HMAC-SHA256.
        panic!("accepted a fuzzed token for {:?}", verified.user_id());
    }
});
