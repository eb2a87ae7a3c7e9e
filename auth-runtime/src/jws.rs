//! The compact JWS and its header policy: size cap, three base64url segments, a JSON object
//! header with no member given twice and without `crit`/`b64`, a known `alg`, and a `typ` of
//! `JWT` or `application/jwt` (in any ASCII case) if any, or `at+jwt` (RFC 9068), which marks
//! an OAuth access token. Nothing here has verified a signature; the payload is not looked at.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use std::borrow::Cow;
use std::fmt;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
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
    #[cfg_attr(not(feature = "jwks"), allow(dead_code))]
    pub(crate) kid: Option<String>,
    /// The header's `typ` is `at+jwt`: an OAuth access token (RFC 9068), verified only as one.
    pub(crate) access_token: bool,
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

/// Splits a compact JWS and checks its header (see the module documentation).
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
    let (alg, kid, access_token) = match COMMON_HS256_HEADERS.contains(&header_b64) {
        // Byte-equal to a header that passes the policy: its parse is known.
        true => (Alg::Hs256, None, false),
        false => check_header(&decode_segment(header_b64)?)?,
    };
    Ok(Jws {
        signing_input,
        payload_b64,
        signature_b64,
        alg,
        kid,
        access_token,
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

/// A JSON member name or string value, borrowed from the input when it holds no escape.
pub(crate) struct Str<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Str<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(StrVisitor)
    }
}

struct StrVisitor;

impl<'de> Visitor<'de> for StrVisitor {
    type Value = Str<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Borrowed(v)))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v.to_owned())))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Str(Cow::Owned(v)))
    }
}

/// Whether any name occurs twice. Names are compared decoded, so `"\u0061lg"` is `"alg"`.
/// Sorting keeps this O(n log n) for a header or payload of thousands of members.
pub(crate) fn has_duplicate(names: &mut [Cow<'_, str>]) -> bool {
    names.sort_unstable();
    names.windows(2).any(|pair| pair[0] == pair[1])
}

/// The JOSE header members the policy reads.
struct Header<'a> {
    alg: Cow<'a, str>,
    typ: Option<Cow<'a, str>>,
    kid: Option<String>,
    /// `crit` or `b64` is present, whatever its value (`null` included).
    extension: bool,
}

impl<'de> Deserialize<'de> for Header<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(HeaderVisitor)
    }
}

struct HeaderVisitor;

impl<'de> Visitor<'de> for HeaderVisitor {
    type Value = Header<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JOSE header object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Header<'de>, A::Error> {
        let (mut alg, mut typ, mut kid, mut extension) = (None, None, None, false);
        let mut names = Vec::with_capacity(4);
        while let Some(Str(name)) = map.next_key::<Str<'de>>()? {
            match &*name {
                "alg" => alg = Some(map.next_value::<Str<'de>>()?.0),
                "typ" => typ = map.next_value::<Option<Str<'de>>>()?.map(|s| s.0),
                "kid" => {
                    kid = map
                        .next_value::<Option<Str<'de>>>()?
                        .map(|s| s.0.into_owned())
                }
                "crit" | "b64" => {
                    map.next_value::<IgnoredAny>()?;
                    extension = true;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            names.push(name);
        }
        // RFC 7515 §4: member names must be unique. A parser that kept the first or the last
        // could be fooled by a header another parser reads differently.
        if has_duplicate(&mut names) {
            return Err(de::Error::custom("a header member is given twice"));
        }
        let alg = alg.ok_or_else(|| de::Error::missing_field("alg"))?;
        Ok(Header {
            alg,
            typ,
            kid,
            extension,
        })
    }
}

/// The header's algorithm, `kid`, and whether its `typ` marks an OAuth access token.
fn check_header(json: &[u8]) -> Result<(Alg, Option<String>, bool), TokenError> {
    let header: Header<'_> = serde_json::from_slice(json).map_err(|_| TokenError::Malformed)?;
    if header.extension {
        return Err(TokenError::CriticalHeader);
    }
    let alg = Alg::from_name(&header.alg).ok_or(TokenError::UnsupportedAlgorithm)?;
    // RFC 7515 §4.1.9: `typ` is a media type, compared ignoring ASCII case, whose
    // `application/` prefix may be left out. RFC 9068 §2.1: an access token's is `at+jwt`.
    let is = |typ: &str, name: &str| {
        typ.eq_ignore_ascii_case(name)
            || typ
                .get(..12)
                .is_some_and(|prefix| prefix.eq_ignore_ascii_case("application/"))
                && typ[12..].eq_ignore_ascii_case(name)
    };
    let access_token = match header.typ {
        None => false,
        Some(typ) if is(&typ, "jwt") => false,
        Some(typ) if is(&typ, "at+jwt") => true,
        Some(_) => return Err(TokenError::UnsupportedType),
    };
    Ok((alg, header.kid, access_token))
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
            assert_eq!(check_header(json.as_bytes()), Ok((Alg::Hs256, None, false)));
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
    fn an_hs256_access_token_is_refused() {
        // Better Auth signs access tokens with its JWKS keys: never with the shared secret.
        let payload = format!(r#"{{"uid":"a","exp":{}}}"#, NOW + 100);
        let token = sign_raw(br#"{"alg":"HS256","typ":"at+jwt"}"#, payload.as_bytes());
        assert_eq!(check(&token).err(), Some(TokenError::UnsupportedType));
    }

    #[test]
    fn typ_marks_an_access_token() {
        let header = |typ: &str| format!(r#"{{"alg":"EdDSA","typ":"{typ}","kid":"k"}}"#);
        for typ in [
            "at+jwt",
            "AT+JWT",
            "application/at+jwt",
            "Application/At+JWT",
        ] {
            assert_eq!(
                check_header(header(typ).as_bytes()),
                Ok((Alg::EdDsa, Some("k".to_owned()), true)),
                "{typ}"
            );
        }
        for typ in ["JWT", "application/jwt", "jwt"] {
            assert_eq!(
                check_header(header(typ).as_bytes()).map(|(_, _, access)| access),
                Ok(false),
                "{typ}"
            );
        }
        for typ in [
            "at+jwtx",
            "at-jwt",
            "application/",
            "applicationat+jwt",
            "",
            "at+jwt ",
        ] {
            assert_eq!(
                check_header(header(typ).as_bytes()),
                Err(TokenError::UnsupportedType),
                "{typ}"
            );
        }
    }

    #[test]
    fn no_header_member_may_be_given_twice() {
        for header in [
            r#"{"alg":"HS256","typ":"JWT","x":1,"x":2}"#,
            r#"{"alg":"HS256","jku":"http://127.0.0.1:1/a","jku":"http://127.0.0.1:1/b"}"#,
            r#"{"alg":"HS256","x":{"a":1},"x":null}"#,
            r#"{"alg":"HS256","kid":"a","kid":"a"}"#,
            r#"{"alg":"HS256","typ":"JWT","typ":"JWT"}"#,
            // Escaped spellings are the same name.
            r#"{"alg":"HS256","\u0061lg":"HS256"}"#,
            r#"{"alg":"HS256","x5u":"a","\u0078\u0035u":"b"}"#,
            r#"{"alg":"HS256","\/x":1,"/x":2}"#,
        ] {
            assert_eq!(
                check_header(header.as_bytes()),
                Err(TokenError::Malformed),
                "{header}"
            );
        }
        // Distinct names, nested duplicates (not members of the header) and many members pass.
        let many = (0..1_000)
            .map(|i| format!(r#","m{i}":0"#))
            .collect::<String>();
        for header in [
            r#"{"alg":"HS256","x":1,"X":2}"#.to_owned(),
            r#"{"alg":"HS256","x":{"a":1,"a":2}}"#.to_owned(),
            format!(r#"{{"alg":"HS256"{many}}}"#),
        ] {
            assert_eq!(
                check_header(header.as_bytes()),
                Ok((Alg::Hs256, None, false)),
                "{header}"
            );
        }
    }

    #[test]
    fn typ_is_jwt_or_application_jwt_in_any_ascii_case() {
        for typ in [
            "JWT",
            "jwt",
            "Jwt",
            "application/jwt",
            "APPLICATION/JWT",
            "Application/Jwt",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert_eq!(
                check_header(header.as_bytes()),
                Ok((Alg::Hs256, None, false)),
                "{typ}"
            );
        }
        for typ in [
            "JWE",
            "",
            " JWT",
            "JWT ",
            "application/jwt; x=1",
            "text/jwt",
            "jwt+json",
            "better-auth.session-cache+jwt",
            "JWT\\u0000",
        ] {
            let header = format!(r#"{{"alg":"HS256","typ":"{typ}"}}"#);
            assert_eq!(
                check_header(header.as_bytes()),
                Err(TokenError::UnsupportedType),
                "{typ}"
            );
        }
        // `typ: null` is no type at all; a `typ` that is not a string is malformed.
        assert_eq!(
            check_header(br#"{"alg":"HS256","typ":null}"#),
            Ok((Alg::Hs256, None, false))
        );
        assert_eq!(
            check_header(br#"{"alg":"HS256","typ":["JWT"]}"#),
            Err(TokenError::Malformed)
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
