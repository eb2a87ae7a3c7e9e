//! JWS compact parsing, HS256 verification and claim validation.
//!
//! The order of work is fixed: size cap, structure, header policy, signature, and only then
//! the payload. Nothing in the payload is looked at before the signature has verified.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use sha2::Sha256;

use crate::error::TokenError;

/// The longest token accepted, in bytes. Longer tokens are refused before any decoding.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

/// A prepared HMAC-SHA256 key: the inner and outer pads are computed once, at start-up.
#[derive(Clone)]
pub(crate) struct HmacKey(Hmac<Sha256>);

impl HmacKey {
    pub(crate) fn new(secret: &[u8]) -> Self {
        // HMAC accepts keys of any length; `new_from_slice` cannot fail for it.
        match Hmac::<Sha256>::new_from_slice(secret) {
            Ok(mac) => HmacKey(mac),
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    fn verify(&self, signing_input: &[u8], signature: &[u8]) -> bool {
        let mut mac = self.0.clone();
        mac.update(signing_input);
        // Constant-time comparison.
        mac.verify_slice(signature).is_ok()
    }
}

/// What a token must satisfy besides its signature.
#[derive(Debug)]
pub(crate) struct ClaimPolicy {
    pub(crate) issuer: Option<Box<str>>,
    pub(crate) audience: Option<Box<str>>,
    pub(crate) leeway: u64,
    pub(crate) user_id_claim: Box<str>,
}

/// A token whose signature and claims have been verified.
///
/// Handlers usually reach it through [`Claims`](crate::Claims), which dereferences to it.
#[derive(Clone)]
pub struct VerifiedToken {
    user_id: String,
    expires_at: u64,
    not_before: Option<u64>,
    issued_at: Option<u64>,
    payload: Vec<u8>,
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
    /// The user id: the value of the configured user-id claim (`uid` by default).
    pub fn user_id(&self) -> &str {
        &self.user_id
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

    fn strings(&self) -> &StringClaims {
        self.strings.get_or_init(|| {
            // The payload passed validation, so it parses; the fallback is unreachable.
            let mut deserializer = serde_json::Deserializer::from_slice(&self.payload);
            let Ok(raw) = ClaimsSeed(None).deserialize(&mut deserializer) else {
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
        self.expires_at
    }

    /// `nbf`, in seconds since the Unix epoch, if present.
    pub fn not_before(&self) -> Option<u64> {
        self.not_before
    }

    /// `iat`, in seconds since the Unix epoch, if present.
    pub fn issued_at(&self) -> Option<u64> {
        self.issued_at
    }

    /// Deserializes the whole verified payload into the application's own claims type.
    pub fn custom_claims<T: DeserializeOwned>(&self) -> Result<T, TokenError> {
        serde_json::from_slice(&self.payload).map_err(|_| TokenError::CustomClaims)
    }
}

impl fmt::Debug for VerifiedToken {
    // Claim values are personal data: keep them out of `{:?}` output that may reach a log.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifiedToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// The algorithms a token may name. Anything else is refused before any key is looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alg {
    Hs256,
    EdDsa,
    Es256,
    Es384,
    Rs256,
    Rs384,
    Rs512,
    Ps256,
    Ps384,
    Ps512,
}

impl Alg {
    /// The JOSE name, compared exactly (RFC 7515 §4.1.1: case-sensitive).
    fn from_name(name: &str) -> Option<Alg> {
        Some(match name {
            "HS256" => Alg::Hs256,
            "EdDSA" => Alg::EdDsa,
            "ES256" => Alg::Es256,
            "ES384" => Alg::Es384,
            "RS256" => Alg::Rs256,
            "RS384" => Alg::Rs384,
            "RS512" => Alg::Rs512,
            "PS256" => Alg::Ps256,
            "PS384" => Alg::Ps384,
            "PS512" => Alg::Ps512,
            _ => return None,
        })
    }
}

/// A compact JWS split into its parts, with a header that passed the header policy.
/// Nothing has been verified yet.
pub(crate) struct Jws<'a> {
    pub(crate) signing_input: &'a str,
    pub(crate) payload_b64: &'a str,
    pub(crate) signature_b64: &'a str,
    pub(crate) alg: Alg,
    pub(crate) kid: Option<String>,
}

/// The base64url encodings of the HS256 headers that `jose` (Better Auth's sign hook) and
/// `jsonwebtoken` write. A header segment equal to one of these, byte for byte, decodes to a
/// header that passes the policy, so it is not decoded and parsed again on every request.
/// `tests::common_headers_pass_the_policy` checks the list.
const COMMON_HS256_HEADERS: [&str; 3] = [
    // {"alg":"HS256","typ":"JWT"}
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
    // {"typ":"JWT","alg":"HS256"}
    "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9",
    // {"alg":"HS256"}
    "eyJhbGciOiJIUzI1NiJ9",
];

/// Splits a compact JWS and checks its header: size cap, three base64url segments, a JSON
/// object header without `crit`/`b64`, a known `alg`, and a `typ` of `JWT` if any.
pub(crate) fn parse(token: &str) -> Result<Jws<'_>, TokenError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(TokenError::TooLong);
    }
    let (signing_input, signature_b64) = token.rsplit_once('.').ok_or(TokenError::Malformed)?;
    let (header_b64, payload_b64) = signing_input.split_once('.').ok_or(TokenError::Malformed)?;
    if payload_b64.contains('.') {
        // Four or more segments: a JWE, or garbage.
        return Err(TokenError::Malformed);
    }
    let (alg, kid) = match COMMON_HS256_HEADERS.contains(&header_b64) {
        // Byte-equal to a header that passes the policy: its parse is known.
        true => (Alg::Hs256, None),
        false => check_header(&decode_segment(header_b64)?)?,
    };
    Ok(Jws {
        signing_input,
        payload_b64,
        signature_b64,
        alg,
        kid,
    })
}

/// Verifies an HS256 signature against any of `keys`.
pub(crate) fn verify_hmac(jws: &Jws<'_>, keys: &[HmacKey]) -> Result<(), TokenError> {
    if jws.alg != Alg::Hs256 {
        return Err(TokenError::UnsupportedAlgorithm);
    }
    let mut signature = [0u8; 32];
    match URL_SAFE_NO_PAD.decode_slice(jws.signature_b64, &mut signature) {
        Ok(32) => {}
        _ => return Err(TokenError::BadSignature),
    }
    if keys
        .iter()
        .any(|key| key.verify(jws.signing_input.as_bytes(), &signature))
    {
        Ok(())
    } else {
        Err(TokenError::BadSignature)
    }
}

/// Verifies an HS256 compact JWS against `keys` and validates its claims at time `now`.
#[cfg(test)]
fn verify_hs256(
    token: &str,
    keys: &[HmacKey],
    policy: &ClaimPolicy,
    now: u64,
) -> Result<VerifiedToken, TokenError> {
    let jws = parse(token)?;
    verify_hmac(&jws, keys)?;
    validate_claims(&jws, policy, now)
}

/// Decodes one base64url segment (no padding, canonical trailing bits) holding a JSON object.
fn decode_segment(segment: &str) -> Result<Vec<u8>, TokenError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(segment)
        .map_err(|_| TokenError::Malformed)?;
    // serde would also accept a JSON array for a struct; a JOSE header and a JWT claims set
    // must be objects (RFC 7515 §4, RFC 7519 §7.2).
    match bytes.iter().find(|b| !b.is_ascii_whitespace()) {
        Some(b'{') => Ok(bytes),
        _ => Err(TokenError::Malformed),
    }
}

#[derive(Deserialize)]
struct Header<'a> {
    #[serde(borrow)]
    alg: std::borrow::Cow<'a, str>,
    #[serde(default, borrow)]
    typ: Option<std::borrow::Cow<'a, str>>,
    #[serde(default)]
    kid: Option<String>,
    #[serde(default, deserialize_with = "present")]
    crit: bool,
    #[serde(default, deserialize_with = "present")]
    b64: bool,
}

/// `true` whenever the member exists, whatever its value (`null` included).
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    IgnoredAny::deserialize(deserializer).map(|_| true)
}

fn check_header(json: &[u8]) -> Result<(Alg, Option<String>), TokenError> {
    // Duplicate members are refused by serde's derived visitor ("duplicate field").
    let header: Header<'_> = serde_json::from_slice(json).map_err(|_| TokenError::Malformed)?;
    if header.crit || header.b64 {
        return Err(TokenError::CriticalHeader);
    }
    let alg = Alg::from_name(&header.alg).ok_or(TokenError::UnsupportedAlgorithm)?;
    if let Some(typ) = header.typ
        && !typ.eq_ignore_ascii_case("JWT")
        && !typ.eq_ignore_ascii_case("application/jwt")
    {
        return Err(TokenError::UnsupportedType);
    }
    Ok((alg, header.kid))
}

/// The registered claims as they appear in the payload, borrowed from it where possible,
/// types not yet checked.
#[derive(Default)]
struct RawClaims<'de> {
    exp: Option<ClaimValue<'de>>,
    nbf: Option<ClaimValue<'de>>,
    iat: Option<ClaimValue<'de>>,
    iss: Option<ClaimValue<'de>>,
    aud: Option<ClaimValue<'de>>,
    sub: Option<ClaimValue<'de>>,
    user_id: Option<ClaimValue<'de>>,
    duplicate: Option<&'static str>,
}

/// A claim's JSON value, reduced to what validation distinguishes.
enum ClaimValue<'de> {
    Str(Cow<'de, str>),
    /// A non-negative integer.
    Int(u64),
    /// An array whose elements are all strings.
    StrList(Vec<Cow<'de, str>>),
    /// Anything else: null, a boolean, a negative or fractional number, an object, a mixed array.
    Other,
}

impl<'de> Deserialize<'de> for ClaimValue<'de> {
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

#[derive(Clone, Copy)]
enum Key {
    Exp,
    Nbf,
    Iat,
    Iss,
    Aud,
    Sub,
    UserId,
    Other,
}

impl Key {
    fn name(self) -> &'static str {
        match self {
            Key::Exp => "exp",
            Key::Nbf => "nbf",
            Key::Iat => "iat",
            Key::Iss => "iss",
            Key::Aud => "aud",
            Key::Sub => "sub",
            Key::UserId => "user id",
            Key::Other => "",
        }
    }
}

/// Classifies claim names; `Some(name)` is the configured user-id claim.
struct KeySeed<'p>(Option<&'p str>);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Key;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Key, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for KeySeed<'_> {
    type Value = Key;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a claim name")
    }
    fn visit_str<E: de::Error>(self, name: &str) -> Result<Key, E> {
        Ok(if self.0 == Some(name) {
            Key::UserId
        } else {
            match name {
                "exp" => Key::Exp,
                "nbf" => Key::Nbf,
                "iat" => Key::Iat,
                "iss" => Key::Iss,
                "aud" => Key::Aud,
                "sub" => Key::Sub,
                _ => Key::Other,
            }
        })
    }
}

struct ClaimsSeed<'p>(Option<&'p str>);

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
        while let Some(key) = map.next_key_seed(KeySeed(self.0))? {
            let slot = match key {
                Key::Exp => &mut raw.exp,
                Key::Nbf => &mut raw.nbf,
                Key::Iat => &mut raw.iat,
                Key::Iss => &mut raw.iss,
                Key::Aud => &mut raw.aud,
                Key::Sub => &mut raw.sub,
                Key::UserId => &mut raw.user_id,
                Key::Other => {
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

/// Decodes the payload of a JWS whose signature has verified, and validates its claims.
pub(crate) fn validate_claims(
    jws: &Jws<'_>,
    policy: &ClaimPolicy,
    now: u64,
) -> Result<VerifiedToken, TokenError> {
    let payload = decode_segment(jws.payload_b64)?;
    let (user_id, expires_at, not_before, issued_at) = {
        let mut deserializer = serde_json::Deserializer::from_slice(&payload);
        let raw = ClaimsSeed(Some(&policy.user_id_claim))
            .deserialize(&mut deserializer)
            .and_then(|raw| deserializer.end().map(|()| raw))
            .map_err(|_| TokenError::Malformed)?;
        if let Some(name) = raw.duplicate {
            return Err(TokenError::InvalidClaim(name));
        }

        let expires_at = numeric_date(raw.exp, "exp")?.ok_or(TokenError::MissingExpiry)?;
        let not_before = numeric_date(raw.nbf, "nbf")?;
        let issued_at = numeric_date(raw.iat, "iat")?;
        if now >= expires_at.saturating_add(policy.leeway) {
            return Err(TokenError::Expired);
        }
        if let Some(nbf) = not_before
            && now.saturating_add(policy.leeway) < nbf
        {
            return Err(TokenError::NotYetValid);
        }

        let issuer = optional_str(raw.iss, "iss")?;
        if let Some(expected) = &policy.issuer
            && issuer.as_deref() != Some(&**expected)
        {
            return Err(TokenError::WrongIssuer);
        }
        let audience_ok = |expected: &str| match &raw.aud {
            Some(ClaimValue::Str(aud)) => aud == expected,
            Some(ClaimValue::StrList(list)) => list.iter().any(|aud| aud == expected),
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
        (user_id, expires_at, not_before, issued_at)
    };

    Ok(VerifiedToken {
        user_id,
        expires_at,
        not_before,
        issued_at,
        payload,
        strings: OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    const SECRET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz-test-secret";
    const NOW: u64 = 1_700_000_000;

    fn policy() -> ClaimPolicy {
        ClaimPolicy {
            issuer: None,
            audience: None,
            leeway: 0,
            user_id_claim: "uid".into(),
        }
    }

    /// Signs with `jsonwebtoken`, an independent implementation.
    fn sign(claims: &Value) -> String {
        jsonwebtoken::encode(
            &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
            claims,
            &jsonwebtoken::EncodingKey::from_secret(SECRET),
        )
        .expect("signing a JSON object cannot fail")
    }

    /// Signs arbitrary header and payload bytes with our key, to build malformed tokens.
    fn sign_raw(header: &[u8], payload: &[u8]) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header),
            URL_SAFE_NO_PAD.encode(payload)
        );
        let mut mac = Hmac::<Sha256>::new_from_slice(SECRET).expect("any key length");
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn check(token: &str) -> Result<VerifiedToken, TokenError> {
        verify_hs256(token, &[HmacKey::new(SECRET)], &policy(), NOW)
    }

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
        let key = [HmacKey::new(SECRET)];
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
    fn issuer_and_audience_are_required_when_configured() {
        let policy = ClaimPolicy {
            issuer: Some("http://localhost:3000".into()),
            audience: Some("http://localhost:3000".into()),
            ..policy()
        };
        let key = [HmacKey::new(SECRET)];
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
    fn common_headers_pass_the_policy() {
        for (encoded, json) in COMMON_HS256_HEADERS.iter().zip([
            r#"{"alg":"HS256","typ":"JWT"}"#,
            r#"{"typ":"JWT","alg":"HS256"}"#,
            r#"{"alg":"HS256"}"#,
        ]) {
            assert_eq!(*encoded, URL_SAFE_NO_PAD.encode(json));
            assert_eq!(check_header(json.as_bytes()), Ok((Alg::Hs256, None)));
        }
    }

    #[test]
    fn header_policy() {
        let payload = format!(r#"{{"uid":"a","exp":{}}}"#, NOW + 100);
        let with = |header: &str| check(&sign_raw(header.as_bytes(), payload.as_bytes())).err();
        assert_eq!(with(r#"{"alg":"HS256"}"#), None);
        assert_eq!(
            with(
                r#"{"alg":"HS256","typ":"JWT","kid":"../../etc/passwd","jku":"http://127.0.0.1:1/"}"#
            ),
            None
        );
        assert_eq!(with(r#"{"alg":"HS256","typ":"jwt"}"#), None);
        for alg in [
            "none", "None", "NONE", "nOnE", "HS384", "HS512", "RS256", "ES256", "EdDSA", "hs256",
            "",
        ] {
            assert_eq!(
                with(&format!(r#"{{"alg":"{alg}"}}"#)),
                Some(TokenError::UnsupportedAlgorithm),
                "alg {alg}"
            );
        }
        assert_eq!(
            with(r#"{"typ":"JWT"}"#),
            Some(TokenError::Malformed),
            "no alg"
        );
        assert_eq!(
            with(r#"{"alg":"HS256","alg":"none"}"#),
            Some(TokenError::Malformed)
        );
        assert_eq!(with(r#"{"alg":null}"#), Some(TokenError::Malformed));
        assert_eq!(with(r#"["HS256"]"#), Some(TokenError::Malformed));
        assert_eq!(
            with(r#"{"alg":"HS256","crit":["exp"]}"#),
            Some(TokenError::CriticalHeader)
        );
        assert_eq!(
            with(r#"{"alg":"HS256","crit":null}"#),
            Some(TokenError::CriticalHeader)
        );
        assert_eq!(
            with(r#"{"alg":"HS256","b64":false}"#),
            Some(TokenError::CriticalHeader)
        );
        assert_eq!(
            with(r#"{"alg":"HS256","typ":"JWE"}"#),
            Some(TokenError::UnsupportedType)
        );
    }

    #[test]
    fn structure_and_signature() {
        let good = sign(&serde_json::json!({"uid": "a", "exp": NOW + 60}));
        assert!(check(&good).is_ok());
        let (input, sig) = good.rsplit_once('.').expect("three parts");
        assert_eq!(
            check(input).err(),
            Some(TokenError::Malformed),
            "two segments"
        );
        assert_eq!(
            check(&format!("{good}.")).err(),
            Some(TokenError::Malformed)
        );
        assert_eq!(
            check(&format!("{input}.")).err(),
            Some(TokenError::BadSignature)
        );
        assert_eq!(
            check(&format!("{input}.{}", &sig[..sig.len() - 2])).err(),
            Some(TokenError::BadSignature)
        );
        assert_eq!(
            check(&format!("{good}=")).err(),
            Some(TokenError::BadSignature),
            "padding"
        );
        assert_eq!(
            check(&format!("{input}.{sig}.x.y")).err(),
            Some(TokenError::Malformed),
            "JWE shape"
        );
        assert_eq!(check("").err(), Some(TokenError::Malformed));
        assert_eq!(check("..").err(), Some(TokenError::Malformed));
        assert_eq!(
            check(&"a".repeat(MAX_TOKEN_LEN + 1)).err(),
            Some(TokenError::TooLong)
        );

        let other = verify_hs256(
            &good,
            &[HmacKey::new(b"another-secret-of-thirty-two-bytes!!")],
            &policy(),
            NOW,
        );
        assert_eq!(other.err(), Some(TokenError::BadSignature));
        let rotated = verify_hs256(
            &good,
            &[
                HmacKey::new(b"another-secret-of-thirty-two-bytes!!"),
                HmacKey::new(SECRET),
            ],
            &policy(),
            NOW,
        );
        assert!(rotated.is_ok(), "any configured key verifies");

        // The last character of a 43-character signature carries 2 unused bits: a
        // non-canonical encoding of the same bytes is refused.
        let last = sig.chars().last().expect("non-empty");
        let sibling = match last {
            'A' => 'B',
            c => char::from(c as u8 - 1),
        };
        assert_eq!(
            check(&format!("{input}.{}{sibling}", &sig[..sig.len() - 1])).err(),
            Some(TokenError::BadSignature)
        );

        // Every single-byte change is refused.
        for i in 0..good.len() {
            let mut bytes = good.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).expect("ascii");
            if tampered != good {
                assert!(check(&tampered).is_err(), "byte {i}");
            }
        }
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
        assert!(token.len() > MAX_TOKEN_LEN);
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
