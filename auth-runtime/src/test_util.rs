//! Shared helpers of the unit tests: a configuration check, a policy, HS256 signers (jsonwebtoken, an independent
//! implementation) and the whole HS256 verification at a fixed time.

use crate::claims::ClaimPolicy;
use crate::error::TokenError;
use crate::hs256::{Hs256Key, verify_signature};
use crate::jws;
use crate::verified::VerifiedToken;
use crate::verified::verify_claims;
use serde_json::Value;

/// A secret the configuration accepts.
pub(crate) const GOOD: &str = "k7Hq2v9XwLmP4sRt8YbNc3FgJd6ZaE1u";

/// The setting a configuration error names, if `builder` is refused for a value.
pub(crate) fn invalid_setting(builder: crate::AuthBuilder) -> Option<&'static str> {
    match builder.build() {
        Err(
            crate::ConfigError::Invalid { var, .. } | crate::ConfigError::WeakSecret { var, .. },
        ) => Some(var),
        _ => None,
    }
}

pub(crate) const SECRET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz-test-secret";
pub(crate) const NOW: u64 = 1_700_000_000;

pub(crate) fn policy() -> ClaimPolicy {
    ClaimPolicy {
        issuer: None,
        audience: None,
        leeway: 0,
        user_id_claim: "uid".into(),
        role_claim: "role".into(),
        scope_implications: Box::default(),
        audience_is_resource: false,
    }
}

/// Signs with `jsonwebtoken`, an independent implementation.
pub(crate) fn sign(claims: &Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET),
    )
    .expect("signing a JSON object cannot fail")
}

/// Signs arbitrary header and payload bytes with [`SECRET`], to build malformed tokens.
pub(crate) fn sign_raw(header: &[u8], payload: &[u8]) -> String {
    crate::testing::sign_hs256_raw(header, payload, SECRET)
}

/// Verifies an HS256 compact JWS against `keys` and validates its claims at time `now`.
pub(crate) fn verify_hs256(
    token: &str,
    keys: &[Hs256Key],
    policy: &ClaimPolicy,
    now: u64,
) -> Result<VerifiedToken, TokenError> {
    let jws = jws::parse(token)?;
    verify_signature(&jws, keys)?;
    verify_claims(&jws, policy, now)
}

/// [`verify_hs256`] with [`SECRET`], [`policy`] and [`NOW`].
pub(crate) fn check(token: &str) -> Result<VerifiedToken, TokenError> {
    verify_hs256(token, &[Hs256Key::new(SECRET)], &policy(), NOW)
}
