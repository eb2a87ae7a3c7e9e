//! The compact JWS and its header policy: size cap, three base64url segments, a JSON object
//! header without `crit`/`b64`, a known `alg`, and a `typ` of `JWT` if any. Nothing here has
//! verified a signature; the payload is not looked at.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

use crate::alg::Alg;
use crate::error::TokenError;

/// The longest token accepted, in bytes. Longer tokens are refused before any decoding.
pub const MAX_TOKEN_LEN: usize = 8 * 1024;

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

/// Decodes one base64url segment (no padding, canonical trailing bits) holding a JSON object.
pub(crate) fn decode_segment(segment: &str) -> Result<Vec<u8>, TokenError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::*;

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
    }
}
