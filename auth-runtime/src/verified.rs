//! A token whose signature and claims have been verified, as handlers see it.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use serde::de::{DeserializeOwned, DeserializeSeed};

use crate::claims::{
    ClaimPolicy, ClaimValue, ClaimsSeed, ValidClaims, claim_includes, validate_claims,
};
use crate::error::TokenError;
use crate::jws::Jws;

/// A token whose signature and claims have been verified.
///
/// Handlers usually reach it through [`Claims`](crate::Claims), which dereferences to it.
#[derive(Clone)]
pub struct VerifiedToken {
    /// What validation kept (`audience_len` bounds what [`strings`](Self::strings) may copy).
    claims: ValidClaims,
    /// `sub`, `iss` and `aud`, copied out of the payload only when a handler asks: validation
    /// compares them in place, so the common request allocates nothing for them.
    strings: OnceLock<StringClaims>,
}

#[derive(Clone, Default)]
struct StringClaims {
    subject: Option<String>,
    issuer: Option<String>,
    audience: Vec<String>,
}

impl VerifiedToken {
    /// The algorithm its signature was verified with, by its JOSE name (`"EdDSA"`, `"HS256"`,
    /// …).
    pub fn algorithm(&self) -> &'static str {
        self.claims.alg.name()
    }

    /// The user id: the value of the configured user-id claim (`uid` by default).
    pub fn user_id(&self) -> &str {
        &self.claims.user_id
    }

    /// The `sub` claim, if present.
    pub fn subject(&self) -> Option<&str> {
        self.strings().subject.as_deref()
    }

    /// The `iss` claim, if present.
    pub fn issuer(&self) -> Option<&str> {
        self.strings().issuer.as_deref()
    }

    /// The `aud` claim as a list (a single string becomes a list of one).
    pub fn audience(&self) -> &[String] {
        &self.strings().audience
    }

    /// The roles of the key source's role claim (`role` by default): a string split on commas,
    /// or an array of strings. Empty when the claim is absent or is anything else, and always
    /// for an OAuth access token, whose authority is its scopes.
    pub fn roles(&self) -> impl ExactSizeIterator<Item = &str> {
        self.claims.roles.iter().map(|role| &**role)
    }

    /// Whether the roles include `role`, compared exactly (no case folding or trimming).
    pub fn has_role(&self, role: &str) -> bool {
        self.claims.roles.iter().any(|own| **own == *role)
    }

    /// Whether this is an OAuth 2.1 access token (header `typ` `at+jwt`, RFC 9068) issued for
    /// this API's resource, rather than a Better Auth session token. Access tokens reach a
    /// handler only through `#[authorized(scope = …)]`.
    pub fn is_access_token(&self) -> bool {
        self.claims.access.is_some()
    }

    /// Whether this is an OAuth access token a client holds for itself (a `client_credentials`
    /// grant: its `sub` is its own `client_id`). It acts for no user, so it owns no user's
    /// path, whatever its `sub` says.
    pub fn is_client_token(&self) -> bool {
        self.claims
            .access
            .as_ref()
            .is_some_and(|access| access.for_client)
    }

    /// The scopes an access token grants (its space-separated `scope` claim); none for a
    /// session token.
    pub fn scopes(&self) -> impl ExactSizeIterator<Item = &str> {
        self.claims
            .access
            .as_ref()
            .map_or(&[][..], |access| &access.scopes)
            .iter()
            .map(|scope| &**scope)
    }

    /// Whether this is an access token granting every one of `scopes`, compared exactly.
    pub fn has_scopes(&self, scopes: &[&str]) -> bool {
        self.claims.access.as_ref().is_some_and(|access| {
            scopes
                .iter()
                .all(|scope| access.scopes.iter().any(|o| **o == **scope))
        })
    }

    /// Whether the roles include any of `roles`.
    pub fn has_any_role(&self, roles: &[&str]) -> bool {
        roles.iter().any(|role| self.has_role(role))
    }

    /// Whether the claim `name` is the string `value`, or an array of strings that contains
    /// `value`: what `#[authorized(path_param = "org_id", claim = "activeOrganizationId")]`
    /// checks. Compared exactly; a claim that is absent, of another type or given twice
    /// contains nothing. Reads the payload once per call.
    pub fn claim_includes(&self, name: &str, value: &str) -> bool {
        claim_includes(&self.claims.payload, name, value)
    }

    /// The token whose claims `validate_claims` accepted.
    pub(crate) fn new(claims: ValidClaims) -> Self {
        VerifiedToken {
            claims,
            strings: OnceLock::new(),
        }
    }

    /// The most heap memory this token holds, in bytes, now or later, as the allocator counts
    /// it (see [`heap_block`]): its user id, roles, scopes and payload, and the `sub`, `iss`
    /// and `aud` that [`strings`](Self::strings) may copy out of the payload later (each of
    /// them at most the payload's bytes, in a block of its own, plus the list of `aud`).
    pub(crate) fn max_heap_bytes(&self) -> usize {
        let list = |items: &[Box<str>]| {
            heap_block(std::mem::size_of_val(items))
                + items
                    .iter()
                    .map(|item| heap_block(item.len()))
                    .sum::<usize>()
        };
        let roles = list(&self.claims.roles);
        let access = self
            .claims
            .access
            .as_ref()
            .map_or(0, |access| list(&access.scopes));
        // `sub` and `iss` (one block each), the `aud` list and one block per element: their
        // bytes together are at most the payload's, each block at most 32 bytes more.
        let strings = self.claims.payload.len()
            + (2 + self.claims.audience_len) * HEAP_BLOCK_SLACK
            + heap_block(self.claims.audience_len * std::mem::size_of::<String>());
        heap_block(self.claims.user_id.capacity())
            + roles
            + access
            + heap_block(self.claims.payload.capacity())
            + strings
    }

    fn strings(&self) -> &StringClaims {
        self.strings.get_or_init(|| {
            // The payload passed validation, so it parses; the fallback is unreachable.
            let mut deserializer = serde_json::Deserializer::from_slice(&self.claims.payload);
            let Ok(raw) = ClaimsSeed::default().deserialize(&mut deserializer) else {
                return StringClaims::default();
            };
            let owned = |value: Option<ClaimValue<'_>>| match value {
                Some(ClaimValue::Str(s)) => Some(s.into_owned()),
                _ => None,
            };
            StringClaims {
                subject: owned(raw.sub),
                issuer: owned(raw.iss),
                audience: match raw.aud {
                    Some(ClaimValue::Str(s)) => vec![s.into_owned()],
                    Some(ClaimValue::StrList(list)) => {
                        list.into_iter().map(Cow::into_owned).collect()
                    }
                    _ => Vec::new(),
                },
            }
        })
    }

    /// `exp`, in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.claims.expires_at
    }

    /// `nbf`, in seconds since the Unix epoch, if present.
    pub fn not_before(&self) -> Option<u64> {
        self.claims.not_before
    }

    /// `iat`, in seconds since the Unix epoch, if present.
    pub fn issued_at(&self) -> Option<u64> {
        self.claims.issued_at
    }

    /// Deserializes the whole verified payload into the application's own claims type.
    pub fn custom_claims<T: DeserializeOwned>(&self) -> Result<T, TokenError> {
        serde_json::from_slice(&self.claims.payload).map_err(|_| TokenError::CustomClaims)
    }
}

/// Validates the claims of a JWS whose signature has verified: the token a handler sees.
pub(crate) fn verify_claims(
    jws: &Jws<'_>,
    policy: &ClaimPolicy,
    now: u64,
) -> Result<VerifiedToken, TokenError> {
    validate_claims(jws, policy, now).map(VerifiedToken::new)
}

/// What one heap allocation of `bytes` takes from the allocator: glibc's malloc adds an 8-byte
/// header, rounds up to 16 bytes and hands out at least 32 (jemalloc and mimalloc round to
/// size classes no larger). An empty allocation takes nothing.
pub(crate) const fn heap_block(bytes: usize) -> usize {
    if bytes == 0 {
        return 0;
    }
    let block = (bytes + 8).next_multiple_of(16);
    if block < 32 { 32 } else { block }
}

/// The most [`heap_block`] adds to the bytes it holds.
const HEAP_BLOCK_SLACK: usize = 32;

impl fmt::Debug for VerifiedToken {
    // Claim values are personal data: keep them out of `{:?}` output that may reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("expires_at", &self.claims.expires_at)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;
    use serde::Deserialize;

    #[test]
    fn accepts_a_valid_token_and_exposes_its_claims() {
        let token = sign(&serde_json::json!({
            "uid": "alice", "sub": "alice-sub", "exp": NOW + 60, "iat": NOW, "nbf": NOW,
            "iss": "http://localhost:3000", "aud": ["a", "b"], "role": "admin"
        }));
        let verified = check(&token).expect("valid");
        assert_eq!(verified.user_id(), "alice");
        assert_eq!(verified.subject(), Some("alice-sub"));
        assert_eq!(verified.issuer(), Some("http://localhost:3000"));
        assert_eq!(verified.audience(), ["a", "b"]);
        assert_eq!(verified.expires_at(), NOW + 60);
        assert_eq!(verified.issued_at(), Some(NOW));
        assert_eq!(verified.not_before(), Some(NOW));
        #[derive(Deserialize)]
        struct Custom {
            role: String,
        }
        assert_eq!(
            verified.custom_claims::<Custom>().expect("role").role,
            "admin"
        );
        assert_eq!(
            verified.custom_claims::<Vec<u8>>().err(),
            Some(TokenError::CustomClaims)
        );
    }
}
