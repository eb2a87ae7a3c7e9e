//! Arbitrary header and payload bytes, validly signed with the secret: the header policy and
//! the claims parser see everything the fuzzer can invent, past the signature check.
//! Never a panic; an accepted token always has an exp in the future and a non-blank user id,
//! and its roles are never empty and grant exactly what they list.
#![no_main]

use auth_runtime::testing::{TEST_SECRET, sign_hs256_raw};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;
use common::setup;

fuzz_target!(|data: &[u8]| {
    // The first byte splits the input into header and payload.
    let Some((&split, rest)) = data.split_first() else { return };
    let split = usize::from(split).min(rest.len());
    let (header, payload) = rest.split_at(split);
    let token = sign_hs256_raw(header, payload, TEST_SECRET.as_bytes());

    let (rt, auth) = setup();
    if let Ok(verified) = rt.block_on(auth.verify(&token)) {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        assert!(verified.expires_at().saturating_add(5) > now, "accepted an expired token");
        assert!(!verified.user_id().trim().is_empty(), "accepted a blank user id");
        let roles: Vec<&str> = verified.roles().collect();
        for role in &roles {
            assert!(!role.is_empty(), "an empty role");
            assert!(verified.has_role(role), "a listed role is not granted");
        }
        assert_eq!(verified.has_role("admin"), roles.contains(&"admin"));
        // Any claim, any value: never a panic.
        let _ = verified.claim_includes("activeOrganizationId", "org_1");
    }
});
