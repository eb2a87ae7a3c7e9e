//! The claims and their validation, read only after the signature has verified: `exp`
//! required, `nbf` honoured, `iss`/`aud` when the key source requires them, the user id, and
//! the roles.
//!
//! The payload is read in one pass by a visitor that borrows strings from it and skips unknown
//! claims without building them.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::alg::Alg;
use crate::error::TokenError;
use crate::jws::{Jws, Str, decode_segment, has_duplicate};

/// A scope and every scope it grants too (transitively closed when configured).
pub(crate) type ScopeImplication = (Box<str>, Box<[Box<str>]>);

/// What a token must satisfy besides its signature.
#[derive(Debug)]
pub(crate) struct ClaimPolicy {
    pub(crate) issuer: Option<Box<str>>,
    pub(crate) audience: Option<Box<str>>,
    pub(crate) leeway: u64,
    pub(crate) user_id_claim: Box<str>,
    pub(crate) role_claim: Box<str>,
    /// For access tokens: each scope, and every scope it grants too (transitively); empty for
    /// session tokens.
    pub(crate) scope_implications: Box<[ScopeImplication]>,
    /// `audience` is a resource identifier (an access token's): an `aud` names it with the
    /// scheme and host in any case and with or without a trailing slash (the MCP
    /// authorization spec). Otherwise `aud` is compared exactly.
    pub(crate) audience_is_resource: bool,
}

/// Whether `aud` names the resource whose canonical form (lower-case scheme and host, no
/// trailing slash) is `canonical`.
pub(crate) fn same_resource(aud: &str, canonical: &str) -> bool {
    fn parts(url: &str) -> Option<(&str, &str, &str)> {
        let (scheme, rest) = url.split_once("://")?;
        let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        Some((scheme, host, path.trim_end_matches('/')))
    }
    match (parts(aud), parts(canonical)) {
        (Some((scheme, host, path)), Some((want_scheme, want_host, want_path))) => {
            scheme.eq_ignore_ascii_case(want_scheme)
                && host.eq_ignore_ascii_case(want_host)
                && path == want_path
        }
        _ => false,
    }
}

/// The registered claims as they appear in the payload, borrowed from it where possible,
/// types not yet checked.
#[derive(Default)]
pub(crate) struct RawClaims<'de> {
    pub(crate) exp: Option<ClaimValue<'de>>,
    pub(crate) nbf: Option<ClaimValue<'de>>,
    pub(crate) iat: Option<ClaimValue<'de>>,
    pub(crate) iss: Option<ClaimValue<'de>>,
    pub(crate) aud: Option<ClaimValue<'de>>,
    pub(crate) sub: Option<ClaimValue<'de>>,
    pub(crate) user_id: Option<ClaimValue<'de>>,
    pub(crate) role: Option<ClaimValue<'de>>,
    /// The OAuth `scope` (RFC 9068 §2.2.3), read for access tokens.
    pub(crate) scope: Option<ClaimValue<'de>>,
    /// The OAuth `client_id` (RFC 9068 §2.2), read for access tokens.
    pub(crate) client_id: Option<ClaimValue<'de>>,
    /// An ID token's own claim (`at_hash`, `auth_time`) is present: its name.
    pub(crate) id_token_claim: Option<&'static str>,
    /// A confirmation claim (`cnf`, RFC 7800) is present: the token is bound to a key.
    pub(crate) confirmation: bool,
    /// A registered claim, the user-id or the role claim appears more than once.
    pub(crate) duplicate: Option<&'static str>,
    /// Some member appears more than once (escaped spellings included).
    pub(crate) duplicate_member: bool,
}

/// A claim's JSON value, reduced to what validation distinguishes.
pub(crate) enum ClaimValue<'de> {
    Str(Cow<'de, str>),
    /// A non-negative integer.
    Int(u64),
    /// An array whose elements are all strings.
    StrList(Vec<Cow<'de, str>>),
    /// Anything else: null, a boolean, a negative or fractional number, an object, a mixed array.
    Other,
}

impl<'de> serde::Deserialize<'de> for ClaimValue<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ClaimValueVisitor)
    }
}

struct ClaimValueVisitor;

impl<'de> Visitor<'de> for ClaimValueVisitor {
    type Value = ClaimValue<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(ClaimValue::Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(ClaimValue::Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(ClaimValue::Str(Cow::Owned(v)))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(ClaimValue::Int(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(u64::try_from(v).map_or(ClaimValue::Other, ClaimValue::Int))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
        Ok(ClaimValue::Other)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(ClaimValue::Other)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(ClaimValue::Other)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut list = Vec::new();
        let mut all_strings = true;
        // Nesting is bounded by serde_json's recursion limit.
        while let Some(element) = seq.next_element::<ClaimValue<'de>>()? {
            match element {
                ClaimValue::Str(s) if all_strings => list.push(s),
                _ => all_strings = false,
            }
        }
        Ok(if all_strings {
            ClaimValue::StrList(list)
        } else {
            ClaimValue::Other
        })
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(ClaimValue::Other)
    }
}

/// A claim name, classified.
#[derive(Clone, Copy)]
enum ClaimName {
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
    Sub,
    UserId,
    Role,
    Scope,
    ClientId,
    /// `at_hash` or `auth_time`: only OpenID Connect ID tokens carry them.
    IdTokenOnly(&'static str),
    /// `cnf`: the token is bound to a key.
    Confirmation,
    Other,
}

impl ClaimName {
    fn name(self) -> &'static str {
        match self {
            ClaimName::Exp => "exp",
            ClaimName::Nbf => "nbf",
            ClaimName::Iat => "iat",
            ClaimName::Iss => "iss",
            ClaimName::Aud => "aud",
            ClaimName::Sub => "sub",
            ClaimName::UserId => "user id",
            ClaimName::Role => "role",
            ClaimName::Scope => "scope",
            ClaimName::ClientId => "client_id",
            ClaimName::IdTokenOnly(name) => name,
            ClaimName::Confirmation => "cnf",
            ClaimName::Other => "",
        }
    }
}

/// Classifies claim names, with the key source's user-id and role claims when given.
#[derive(Clone, Copy, Default)]
pub(crate) struct ClaimsSeed<'p> {
    pub(crate) user_id: Option<&'p str>,
    pub(crate) role: Option<&'p str>,
}

impl ClaimsSeed<'_> {
    fn classify(self, name: &str) -> ClaimName {
        // The configuration keeps the role claim apart from the user-id and registered claims.
        if self.user_id == Some(name) {
            ClaimName::UserId
        } else if self.role == Some(name) {
            ClaimName::Role
        } else {
            match name {
                "exp" => ClaimName::Exp,
                "nbf" => ClaimName::Nbf,
                "iat" => ClaimName::Iat,
                "iss" => ClaimName::Iss,
                "aud" => ClaimName::Aud,
                "sub" => ClaimName::Sub,
                "scope" => ClaimName::Scope,
                "client_id" => ClaimName::ClientId,
                "at_hash" => ClaimName::IdTokenOnly("at_hash"),
                "auth_time" => ClaimName::IdTokenOnly("auth_time"),
                "cnf" => ClaimName::Confirmation,
                _ => ClaimName::Other,
            }
        }
    }
}

/// A member name (escapes decoded, borrowed when it holds none) and its classification.
struct ClaimNameSeed<'p>(ClaimsSeed<'p>);

impl<'de> DeserializeSeed<'de> for ClaimNameSeed<'_> {
    type Value = (ClaimName, Cow<'de, str>);
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        let Str(name) = Str::deserialize(deserializer)?;
        Ok((self.0.classify(&name), name))
    }
}

impl<'de> DeserializeSeed<'de> for ClaimsSeed<'_> {
    type Value = RawClaims<'de>;
    fn deserialize<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<RawClaims<'de>, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for ClaimsSeed<'_> {
    type Value = RawClaims<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawClaims<'de>, A::Error> {
        let mut raw = RawClaims::default();
        let mut names = Vec::with_capacity(16);
        while let Some((key, name)) = map.next_key_seed(ClaimNameSeed(self))? {
            names.push(name);
            let slot = match key {
                ClaimName::Exp => &mut raw.exp,
                ClaimName::Nbf => &mut raw.nbf,
                ClaimName::Iat => &mut raw.iat,
                ClaimName::Iss => &mut raw.iss,
                ClaimName::Aud => &mut raw.aud,
                ClaimName::Sub => &mut raw.sub,
                ClaimName::UserId => &mut raw.user_id,
                ClaimName::Role => &mut raw.role,
                ClaimName::Scope => &mut raw.scope,
                ClaimName::ClientId => &mut raw.client_id,
                ClaimName::IdTokenOnly(name) => {
                    raw.id_token_claim = Some(name);
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                ClaimName::Confirmation => {
                    raw.confirmation = true;
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
                ClaimName::Other => {
                    map.next_value::<IgnoredAny>()?;
                    continue;
                }
            };
            let value = map.next_value::<ClaimValue<'de>>()?;
            // RFC 7519 §4 lets a parser refuse duplicate claim names; one that kept the last
            // value could be fooled by a token that another parser reads differently.
            if slot.replace(value).is_some() && raw.duplicate.is_none() {
                raw.duplicate = Some(key.name());
            }
        }
        // Any other member given twice too: the application's own claims type, or
        // `claim = "…"`, must never read a value that another parser would not.
        raw.duplicate_member = has_duplicate(&mut names);
        Ok(raw)
    }
}

fn numeric_date(
    value: Option<ClaimValue<'_>>,
    name: &'static str,
) -> Result<Option<u64>, TokenError> {
    match value {
        None => Ok(None),
        // Integers only: a fraction, a negative number, a string or null is refused.
        Some(ClaimValue::Int(n)) => Ok(Some(n)),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

fn optional_str<'de>(
    value: Option<ClaimValue<'de>>,
    name: &'static str,
) -> Result<Option<Cow<'de, str>>, TokenError> {
    match value {
        None => Ok(None),
        Some(ClaimValue::Str(s)) => Ok(Some(s)),
        Some(_) => Err(TokenError::InvalidClaim(name)),
    }
}

/// `exp` and `nbf` against the clock, with `leeway` seconds of skew: run at every verification,
/// and again at every use of a cached one.
pub(crate) fn check_time(
    expires_at: u64,
    not_before: Option<u64>,
    leeway: u64,
    now: u64,
) -> Result<(), TokenError> {
    if now >= expires_at.saturating_add(leeway) {
        return Err(TokenError::Expired);
    }
    if let Some(nbf) = not_before
        && now.saturating_add(leeway) < nbf
    {
        return Err(TokenError::NotYetValid);
    }
    Ok(())
}

/// What an OAuth access token grants.
#[derive(Clone)]
pub(crate) struct Access {
    /// Its `scope` claim, split on spaces.
    pub(crate) scopes: Box<[Box<str>]>,
    /// Its `sub` is its own `client_id` (`client_credentials`): it acts for no user.
    pub(crate) for_client: bool,
}

/// The claims of a token that passed [`validate_claims`], as a
/// [`VerifiedToken`](crate::VerifiedToken) keeps them.
#[derive(Clone)]
pub(crate) struct ValidClaims {
    pub(crate) alg: Alg,
    pub(crate) user_id: String,
    pub(crate) roles: Box<[Box<str>]>,
    pub(crate) expires_at: u64,
    pub(crate) not_before: Option<u64>,
    pub(crate) issued_at: Option<u64>,
    pub(crate) payload: Vec<u8>,
    /// How many strings `aud` holds.
    pub(crate) audience_len: usize,
    /// For an OAuth access token, what it grants; `None` for a session token.
    pub(crate) access: Option<Access>,
}

/// Decodes the payload of a JWS whose signature has verified, and validates its claims.
pub(crate) fn validate_claims(
    jws: &Jws<'_>,
    policy: &ClaimPolicy,
    now: u64,
) -> Result<ValidClaims, TokenError> {
    let payload = decode_segment(jws.payload_b64)?;
    let (user_id, roles, expires_at, not_before, issued_at, audience_len, access) = {
        let mut deserializer = serde_json::Deserializer::from_slice(&payload);
        let seed = ClaimsSeed {
            user_id: Some(&policy.user_id_claim),
            role: Some(&policy.role_claim),
        };
        let raw = seed
            .deserialize(&mut deserializer)
            .and_then(|raw| deserializer.end().map(|()| raw))
            .map_err(|_| TokenError::Malformed)?;
        if let Some(name) = raw.duplicate {
            return Err(TokenError::InvalidClaim(name));
        }
        if raw.duplicate_member {
            return Err(TokenError::DuplicateClaim);
        }
        // Never accepted, whatever the keys, issuer and audience configured: say so first.
        if raw.id_token_claim.is_some() {
            return Err(TokenError::IdToken);
        }
        if raw.confirmation {
            return Err(TokenError::KeyBound);
        }

        let expires_at = numeric_date(raw.exp, "exp")?.ok_or(TokenError::MissingExpiry)?;
        let not_before = numeric_date(raw.nbf, "nbf")?;
        let issued_at = numeric_date(raw.iat, "iat")?;
        check_time(expires_at, not_before, policy.leeway, now)?;

        let issuer = optional_str(raw.iss, "iss")?;
        if let Some(expected) = &policy.issuer
            && issuer.as_deref() != Some(&**expected)
        {
            return Err(TokenError::WrongIssuer);
        }
        let names = |aud: &str, expected: &str| match policy.audience_is_resource {
            true => same_resource(aud, expected),
            false => aud == expected,
        };
        let audience_ok = |expected: &str| match &raw.aud {
            Some(ClaimValue::Str(aud)) => names(aud, expected),
            Some(ClaimValue::StrList(list)) => list.iter().any(|aud| names(aud, expected)),
            _ => false,
        };
        match (&raw.aud, &policy.audience) {
            (None | Some(ClaimValue::Str(_) | ClaimValue::StrList(_)), None) => {}
            (Some(ClaimValue::Int(_) | ClaimValue::Other), _) => {
                return Err(TokenError::InvalidClaim("aud"));
            }
            (_, Some(expected)) if !audience_ok(expected) => return Err(TokenError::WrongAudience),
            _ => {}
        }
        optional_str(raw.sub, "sub")?;

        let user_id = match raw.user_id {
            None => return Err(TokenError::MissingUserId),
            Some(ClaimValue::Str(id)) if !id.trim().is_empty() => id.into_owned(),
            Some(_) => return Err(TokenError::InvalidUserId),
        };
        let audience_len = match &raw.aud {
            Some(ClaimValue::StrList(list)) => list.len(),
            _ => 1,
        };
        let (roles, access): (Box<[Box<str>]>, _) = if jws.access_token {
            // An access token's authority is its scopes (RFC 9068 §2.2.3, RFC 8693 §4.2: a
            // space-separated string, each compared exactly); a role claim in it grants
            // nothing, since the client chose what it asked for, not the user's standing.
            let scopes: Box<[Box<str>]> = optional_str(raw.scope, "scope")?
                .map(|scope| {
                    scope
                        .split(' ')
                        .filter(|scope| !scope.is_empty())
                        .take(MAX_CLAIM_VALUES + 1)
                        .map(Box::from)
                        .collect()
                })
                .unwrap_or_default();
            if scopes.len() > MAX_CLAIM_VALUES {
                return Err(TokenError::TooManyValues("scope"));
            }
            let scopes = implied_scopes(scopes, &policy.scope_implications);
            // A token a client holds for itself (`client_credentials`: its `sub` is its own
            // client id) acts for no user.
            let client_id =
                optional_str(raw.client_id, "client_id")?.ok_or(TokenError::MissingClientId)?;
            let for_client = *client_id == *user_id;
            (Box::default(), Some(Access { scopes, for_client }))
        } else {
            (roles(raw.role)?, None)
        };
        (
            user_id,
            roles,
            expires_at,
            not_before,
            issued_at,
            audience_len,
            access,
        )
    };

    Ok(ValidClaims {
        alg: jws.alg,
        user_id,
        roles,
        expires_at,
        not_before,
        issued_at,
        payload,
        audience_len,
        access,
    })
}

/// `granted` and every scope the configured implications add to it (a broader scope grants the
/// narrower ones; the implications are closed transitively when configured, so one pass does).
fn implied_scopes(granted: Box<[Box<str>]>, implications: &[ScopeImplication]) -> Box<[Box<str>]> {
    let mut added: Vec<Box<str>> = Vec::new();
    for (broader, narrower) in implications {
        if granted.contains(broader) {
            for scope in narrower {
                if !granted.contains(scope) && !added.contains(scope) {
                    added.push(scope.clone());
                }
            }
        }
    }
    if added.is_empty() {
        return granted;
    }
    let mut all = granted.into_vec();
    all.append(&mut added);
    all.into_boxed_slice()
}

/// The most values the role claim or the `scope` claim may hold; a token with more is refused
/// ([`TokenError::TooManyValues`]). Better Auth's users hold a few roles and its clients a few
/// scopes: the bound keeps what one cached token holds small and predictable.
pub const MAX_CLAIM_VALUES: usize = 64;

/// The roles a role claim grants: a string is split on commas (Better Auth's admin plugin
/// stores several roles as `"user,admin"`), an array's strings are roles as they are. Nothing
/// is trimmed or case-folded, and empty names are dropped. Anything else (a number, an object,
/// an array holding a non-string) grants no role: roles only ever admit, so a claim that
/// cannot be read admits nothing. More than [`MAX_CLAIM_VALUES`] roles are refused.
fn roles(value: Option<ClaimValue<'_>>) -> Result<Box<[Box<str>]>, TokenError> {
    let roles: Vec<Box<str>> = match value {
        Some(ClaimValue::Str(roles)) => roles
            .split(',')
            .filter(|role| !role.is_empty())
            .take(MAX_CLAIM_VALUES + 1)
            .map(Box::from)
            .collect(),
        Some(ClaimValue::StrList(roles)) => roles
            .into_iter()
            .filter(|role| !role.is_empty())
            .take(MAX_CLAIM_VALUES + 1)
            .map(|role| role.into_owned().into_boxed_str())
            .collect(),
        _ => Vec::new(),
    };
    if roles.len() > MAX_CLAIM_VALUES {
        return Err(TokenError::TooManyValues("role"));
    }
    Ok(roles.into_boxed_slice())
}

/// Whether a value read from a path can name a user or a resource: a blank or
/// whitespace-only value never matches a claim, nor a user id.
pub(crate) fn names_something(value: &str) -> bool {
    // `trim` reads both ends; the first character that is not white space settles it.
    value.chars().any(|c| !c.is_whitespace())
}

/// Whether the claim `name` of a verified payload is the string `value`, or an array of
/// strings with `value` among its elements. A blank `value` matches nothing, and a claim
/// that is absent, of another type, or given twice matches nothing.
pub(crate) fn claim_includes(payload: &[u8], name: &str, value: &str) -> bool {
    if !names_something(value) {
        return false;
    }
    let mut deserializer = serde_json::Deserializer::from_slice(payload);
    match (NamedClaimSeed { name }).deserialize(&mut deserializer) {
        Ok(Some(ClaimValue::Str(claim))) => claim == value,
        Ok(Some(ClaimValue::StrList(list))) => list.iter().any(|element| element == value),
        _ => false,
    }
}

/// Finds one claim by name in a payload; `None` when it is absent or given twice.
struct NamedClaimSeed<'n> {
    name: &'n str,
}

impl<'de> DeserializeSeed<'de> for NamedClaimSeed<'_> {
    type Value = Option<ClaimValue<'de>>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for NamedClaimSeed<'_> {
    type Value = Option<ClaimValue<'de>>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JWT claims object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut count = 0_usize;
        // The name looked for takes the user-id claim's place in the classification (escapes
        // decoded, compared before the registered names).
        let seed = ClaimsSeed {
            user_id: Some(self.name),
            role: None,
        };
        while let Some((key, _)) = map.next_key_seed(ClaimNameSeed(seed))? {
            if matches!(key, ClaimName::UserId) {
                count += 1;
                found = Some(map.next_value::<ClaimValue<'de>>()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(if count == 1 { found } else { None })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hs256::Hs256Key;
    use crate::test_util::*;
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use serde_json::Value;

    #[test]
    fn time_claims_are_strict() {
        let with = |claims: Value| check(&sign(&claims)).err();
        assert_eq!(
            with(serde_json::json!({"uid": "a"})),
            Some(TokenError::MissingExpiry)
        );
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": NOW})),
            Some(TokenError::Expired)
        );
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": NOW - 1})),
            Some(TokenError::Expired)
        );
        assert_eq!(with(serde_json::json!({"uid": "a", "exp": NOW + 1})), None);
        for bad in [
            serde_json::json!(null),
            serde_json::json!("1800000000"),
            serde_json::json!(1.8e9),
            serde_json::json!(-1),
            serde_json::json!([NOW + 60]),
        ] {
            assert_eq!(
                with(serde_json::json!({"uid": "a", "exp": bad})),
                Some(TokenError::InvalidClaim("exp")),
                "exp = {bad}"
            );
        }
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": u64::MAX})),
            None,
            "a huge exp does not overflow"
        );
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": NOW + 60, "nbf": NOW + 1})),
            Some(TokenError::NotYetValid)
        );
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": NOW + 60, "nbf": u64::MAX})),
            Some(TokenError::NotYetValid)
        );
        assert_eq!(
            with(serde_json::json!({"uid": "a", "exp": NOW + 60, "iat": "yesterday"})),
            Some(TokenError::InvalidClaim("iat"))
        );
    }

    #[test]
    fn leeway_applies_to_exp_and_nbf() {
        let policy = ClaimPolicy {
            leeway: 30,
            ..policy()
        };
        let key = [Hs256Key::new(SECRET)];
        let token = sign(&serde_json::json!({"uid": "a", "exp": NOW - 10, "nbf": NOW + 10}));
        assert!(verify_hs256(&token, &key, &policy, NOW).is_ok());
        let token = sign(&serde_json::json!({"uid": "a", "exp": NOW - 30}));
        assert_eq!(
            verify_hs256(&token, &key, &policy, NOW).err(),
            Some(TokenError::Expired)
        );
    }

    #[test]
    fn user_id_must_be_a_non_empty_string() {
        let with =
            |uid: Value| check(&sign(&serde_json::json!({"uid": uid, "exp": NOW + 60}))).err();
        for bad in [
            serde_json::json!(null),
            serde_json::json!(42),
            serde_json::json!(["alice"]),
            serde_json::json!({"id": "alice"}),
            serde_json::json!(true),
            serde_json::json!(""),
            serde_json::json!("  \t"),
        ] {
            assert_eq!(
                with(bad.clone()),
                Some(TokenError::InvalidUserId),
                "uid = {bad}"
            );
        }
        assert_eq!(
            check(&sign(&serde_json::json!({"sub": "alice", "exp": NOW + 60}))).err(),
            Some(TokenError::MissingUserId),
            "a stock Better Auth token carries `sub`, not `uid`"
        );
    }

    #[test]
    fn duplicate_claims_are_refused() {
        let payload = format!(r#"{{"uid":"a","exp":{},"exp":{}}}"#, NOW - 100, NOW + 100);
        let token = sign_raw(br#"{"alg":"HS256"}"#, payload.as_bytes());
        assert_eq!(check(&token).err(), Some(TokenError::InvalidClaim("exp")));
        let payload = format!(r#"{{"uid":"a","exp":{},"uid":"b"}}"#, NOW + 100);
        let token = sign_raw(br#"{"alg":"HS256"}"#, payload.as_bytes());
        assert_eq!(
            check(&token).err(),
            Some(TokenError::InvalidClaim("user id"))
        );
        let payload = format!(r#"{{"uid":"a","exp":{},"\u0065xp":1}}"#, NOW + 100);
        let token = sign_raw(br#"{"alg":"HS256"}"#, payload.as_bytes());
        assert_eq!(
            check(&token).err(),
            Some(TokenError::InvalidClaim("exp")),
            "escaped names are the same name"
        );
    }

    #[test]
    fn no_member_of_the_payload_may_be_given_twice() {
        let token = |payload: &str| {
            let payload = payload.replace("{exp}", &(NOW + 100).to_string());
            sign_raw(br#"{"alg":"HS256"}"#, payload.as_bytes())
        };
        for payload in [
            r#"{"uid":"a","exp":{exp},"name":"x","name":"y"}"#,
            r#"{"uid":"a","exp":{exp},"activeOrganizationId":"o","activeOrganizationId":"o"}"#,
            r#"{"uid":"a","exp":{exp},"x":null,"\u0078":null}"#,
            r#"{"uid":"a","exp":{exp},"jti":"1","jti":"2"}"#,
        ] {
            assert_eq!(
                check(&token(payload)).err(),
                Some(TokenError::DuplicateClaim),
                "{payload}"
            );
        }
        assert_eq!(
            check(&token(
                r#"{"uid":"a","exp":{exp},"role":"user","r\u006fle":"admin"}"#
            ))
            .err(),
            Some(TokenError::InvalidClaim("role")),
            "the role claim is refused by name"
        );
        // Members of nested objects are not members of the payload.
        let nested = r#"{"uid":"a","exp":{exp},"user":{"id":"a","id":"b"},"X":1,"x":1}"#;
        assert_eq!(check(&token(nested)).err(), None);
    }

    #[test]
    fn a_blank_value_matches_no_claim() {
        let verified = check(&sign(&serde_json::json!({
            "uid": "a", "exp": NOW + 60, "org": "", "space": " ", "orgs": ["", " \t", "o"],
        })))
        .expect("valid");
        for (claim, value) in [
            ("org", ""),
            ("space", " "),
            ("orgs", ""),
            ("orgs", " \t"),
            ("missing", ""),
        ] {
            assert!(
                !verified.claim_includes(claim, value),
                "{claim} = {value:?}"
            );
        }
        assert!(verified.claim_includes("orgs", "o"));
    }

    #[test]
    fn issuer_and_audience_are_required_when_configured() {
        let policy = ClaimPolicy {
            issuer: Some("http://localhost:3000".into()),
            audience: Some("http://localhost:3000".into()),
            ..policy()
        };
        let key = [Hs256Key::new(SECRET)];
        let run = |claims: Value| verify_hs256(&sign(&claims), &key, &policy, NOW).err();
        let origin = "http://localhost:3000";
        assert_eq!(
            run(serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": origin, "aud": origin})),
            None
        );
        assert_eq!(
            run(
                serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": origin, "aud": ["x", origin]})
            ),
            None
        );
        assert_eq!(
            run(serde_json::json!({"uid": "a", "exp": NOW + 9, "aud": origin})),
            Some(TokenError::WrongIssuer)
        );
        assert_eq!(
            run(
                serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": format!("{origin}/"), "aud": origin})
            ),
            Some(TokenError::WrongIssuer)
        );
        assert_eq!(
            run(serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": origin})),
            Some(TokenError::WrongAudience)
        );
        assert_eq!(
            run(serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": origin, "aud": []})),
            Some(TokenError::WrongAudience)
        );
        assert_eq!(
            run(serde_json::json!({"uid": "a", "exp": NOW + 9, "iss": origin, "aud": [1]})),
            Some(TokenError::InvalidClaim("aud"))
        );
    }

    #[test]
    fn an_id_token_is_refused_whatever_its_issuer_and_audience() {
        // Everything a policy could pin holds: only the ID token's own claims tell it apart.
        let policy = ClaimPolicy {
            issuer: Some("https://auth.example.com/api/auth".into()),
            audience: Some("client-1".into()),
            ..policy()
        };
        let key = [Hs256Key::new(SECRET)];
        for marker in ["at_hash", "auth_time"] {
            let mut claims = serde_json::json!({
                "uid": "a", "exp": NOW + 60, "iss": "https://auth.example.com/api/auth",
                "aud": "client-1",
            });
            claims[marker] = serde_json::json!(if marker == "at_hash" {
                serde_json::json!("x4Bv2_3aW8rZ")
            } else {
                serde_json::json!(NOW)
            });
            assert_eq!(
                verify_hs256(&sign(&claims), &key, &policy, NOW).err(),
                Some(TokenError::IdToken),
                "{marker}"
            );
        }
    }

    #[test]
    fn a_key_bound_token_is_no_bearer_token() {
        let token = sign(&serde_json::json!({
            "uid": "a", "exp": NOW + 60, "cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"},
        }));
        assert_eq!(check(&token).err(), Some(TokenError::KeyBound));
        let token = sign(&serde_json::json!({"uid": "a", "exp": NOW + 60, "cnf": null}));
        assert_eq!(check(&token).err(), Some(TokenError::KeyBound), "any cnf");
    }

    #[test]
    fn roles_and_scopes_are_bounded_in_number() {
        let roles = |n: usize| vec!["r"; n].join(",");
        assert_eq!(
            check(&sign(&serde_json::json!({
                "uid": "a", "exp": NOW + 60, "role": roles(MAX_CLAIM_VALUES),
            })))
            .map(|token| token.roles().len())
            .ok(),
            Some(MAX_CLAIM_VALUES)
        );
        for role in [
            serde_json::json!(roles(MAX_CLAIM_VALUES + 1)),
            serde_json::json!(vec!["r"; 1500]),
        ] {
            assert_eq!(
                check(&sign(
                    &serde_json::json!({"uid": "a", "exp": NOW + 60, "role": role})
                ))
                .err(),
                Some(TokenError::TooManyValues("role"))
            );
        }
        let scope = vec!["s"; MAX_CLAIM_VALUES + 1].join(" ");
        let access = access_token(&serde_json::json!({
            "uid": "a", "exp": NOW + 60, "client_id": "c", "scope": scope,
        }));
        assert_eq!(access.err(), Some(TokenError::TooManyValues("scope")));
    }

    /// Validates `claims` as an access token's (typ `at+jwt`); the signature is not the point.
    fn access_token(claims: &Value) -> Result<crate::verified::VerifiedToken, TokenError> {
        let token = sign(claims);
        let mut jws = crate::jws::parse(&token)?;
        jws.access_token = true;
        validate_claims(&jws, &policy(), NOW).map(crate::verified::VerifiedToken::new)
    }

    #[test]
    fn an_access_token_grants_scopes_never_roles() {
        let token = access_token(&serde_json::json!({
            "uid": "alice", "exp": NOW + 60, "client_id": "app", "scope": "tasks:read",
            "role": "admin",
        }))
        .expect("valid");
        assert!(token.is_access_token());
        assert_eq!(token.roles().len(), 0, "a role claim grants nothing");
        assert!(!token.has_role("admin"));
        assert!(token.has_scopes(&["tasks:read"]));
        assert!(!token.is_client_token());
    }

    #[test]
    fn a_resource_is_named_whatever_the_case_of_its_scheme_and_host_and_a_trailing_slash() {
        let canonical = "https://api.example.com/v1";
        for same in [
            "https://api.example.com/v1",
            "HTTPS://API.Example.com/v1",
            "https://api.example.com/v1/",
        ] {
            assert!(same_resource(same, canonical), "{same}");
        }
        for other in [
            "https://api.example.com/V1",
            "https://api.example.com/v1/x",
            "http://api.example.com/v1",
            "https://api.example.com:443/v1",
            "https://api.example.org/v1",
            "api.example.com/v1",
        ] {
            assert!(!same_resource(other, canonical), "{other}");
        }
        assert!(same_resource("https://API.test/", "https://api.test"));
    }

    #[test]
    fn a_broader_scope_grants_the_narrower_ones() {
        let token = sign(&serde_json::json!({
            "uid": "alice", "exp": NOW + 60, "client_id": "app", "scope": "tasks:admin",
        }));
        let mut jws = crate::jws::parse(&token).expect("a JWS");
        jws.access_token = true;
        let policy = ClaimPolicy {
            scope_implications: vec![
                (
                    Box::from("tasks:admin"),
                    vec![Box::from("tasks:write"), Box::from("tasks:read")].into_boxed_slice(),
                ),
                (
                    Box::from("tasks:write"),
                    vec![Box::from("tasks:read")].into_boxed_slice(),
                ),
            ]
            .into_boxed_slice(),
            ..policy()
        };
        let verified = validate_claims(&jws, &policy, NOW)
            .map(crate::verified::VerifiedToken::new)
            .expect("valid");
        assert!(verified.has_scopes(&["tasks:admin", "tasks:write", "tasks:read"]));
        assert_eq!(verified.scopes().len(), 3, "each implied scope once");
        let narrow = access_token(&serde_json::json!({
            "uid": "alice", "exp": NOW + 60, "client_id": "app", "scope": "tasks:read",
        }))
        .expect("valid");
        assert!(!narrow.has_scopes(&["tasks:write"]), "never upwards");
    }

    #[test]
    fn a_client_credentials_token_acts_for_no_user() {
        let token = access_token(&serde_json::json!({
            "uid": "app", "exp": NOW + 60, "client_id": "app", "scope": "tasks:read",
        }))
        .expect("valid");
        assert!(token.is_client_token());
        assert_eq!(
            crate::authorize_owner(&token, "app"),
            Err(crate::AuthError::Forbidden),
            "its client id is no user's path"
        );
        for bad in [serde_json::json!(null), serde_json::json!(["app"])] {
            assert_eq!(
                access_token(&serde_json::json!({
                    "uid": "app", "exp": NOW + 60, "client_id": bad,
                }))
                .err(),
                Some(TokenError::InvalidClaim("client_id"))
            );
        }
        assert_eq!(
            access_token(&serde_json::json!({"uid": "app", "exp": NOW + 60})).err(),
            Some(TokenError::MissingClientId),
            "RFC 9068 requires client_id"
        );
    }

    #[test]
    fn payload_is_read_only_after_the_signature() {
        // A garbage payload with a bad signature is a signature failure, not a parse error.
        let token = format!(
            "{}.{}.{}",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256"}"#),
            URL_SAFE_NO_PAD.encode(b"not json"),
            "AAAA"
        );
        assert_eq!(check(&token).err(), Some(TokenError::BadSignature));
        let token = sign_raw(br#"{"alg":"HS256"}"#, b"not json");
        assert_eq!(check(&token).err(), Some(TokenError::Malformed));
        let token = sign_raw(br#"{"alg":"HS256"}"#, br#"[1,2]"#);
        assert_eq!(check(&token).err(), Some(TokenError::Malformed));
        let nested = format!(
            r#"{{"uid":"a","exp":{},"x":{}1{}}}"#,
            NOW + 60,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let token = sign_raw(br#"{"alg":"HS256"}"#, nested.as_bytes());
        assert_eq!(check(&token).err(), Some(TokenError::TooLong));
        // Deep nesting in an unknown claim is skipped without recursion; in a registered claim
        // it meets serde_json's recursion limit. Neither overflows the stack.
        let nested = format!(
            r#"{{"uid":"a","exp":{},"x":{}1{}}}"#,
            NOW + 60,
            "[".repeat(1_000),
            "]".repeat(1_000)
        );
        let token = sign_raw(br#"{"alg":"HS256"}"#, nested.as_bytes());
        assert_eq!(check(&token).err(), None);
        let nested = format!(
            r#"{{"uid":"a","exp":{},"aud":{}1{}}}"#,
            NOW + 60,
            "[".repeat(1_000),
            "]".repeat(1_000)
        );
        let token = sign_raw(br#"{"alg":"HS256"}"#, nested.as_bytes());
        assert_eq!(check(&token).err(), Some(TokenError::Malformed));
    }
}
