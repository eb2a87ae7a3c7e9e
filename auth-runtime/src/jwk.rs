//! A JWK read into a public key: one question, for every caller (the JWKS source; a DPoP
//! proof's own key will be another).
//!
//! JWKS keys: each entry bound to one algorithm and key type when the set is loaded, checked
//! once (size, curve membership, small order, modulus size), and used only for tokens whose
//! `alg` is that algorithm. `oct` (HMAC) keys are never loaded, so an HS256 token can never be
//! checked against a public key.
//!
//! Every algorithm ring has is verified with ring (already in the tree for rustls, and the
//! fastest verifier it holds); P-521, which ring lacks, with RustCrypto's `p521`.
//!
//! | `kty` | `crv` | `alg` accepted | checked when loaded | verifier |
//! |---|---|---|---|---|
//! | `OKP` | `Ed25519` | `EdDSA` (or none) | 32 bytes, canonical, not of small order | ring `ED25519` |
//! | `EC` | `P-256` | `ES256` (or none) | on the curve | ring `ECDSA_P256_SHA256_FIXED` |
//! | `EC` | `P-384` | `ES384` (or none) | on the curve | ring `ECDSA_P384_SHA384_FIXED` |
//! | `EC` | `P-521` | `ES512` (or none) | on the curve | p521 ECDSA |
//! | `RSA` | | `RS256/384/512`, `PS256/384/512` (required) | 2048–4096 bits, odd; `e` odd, 3 ≤ e < 2³³ | ring PKCS#1 v1.5 / PSS (salt = hash length) |

use std::collections::HashMap;
use std::sync::Arc;

use ring::signature::{self as ring_sig, UnparsedPublicKey};
use serde::Deserialize;

use crate::alg::Alg;

/// The smallest RSA modulus accepted (RFC 7518 §3.3: 2048 bits or larger).
const MIN_RSA_BITS: usize = 2048;
/// The largest RSA modulus accepted: larger keys cost more per verification than any Better
/// Auth server uses (2048 bits by default), and 4096 bits is what the signature buffer holds.
const MAX_RSA_BITS: usize = 4096;

/// A public key bound to its algorithm, prepared when the JWKS is loaded.
pub(crate) struct PublicKey {
    pub(crate) alg: Alg,
    verifier: Verifier,
    /// The JWKS entry it was loaded from: a refetch that publishes the same entry keeps this
    /// very key (so that tokens verified with it stay cached).
    jwk: serde_json::Value,
}

/// A verifier and the key bytes it reads, checked once when the set is loaded.
enum Verifier {
    /// ring's Ed25519 (RFC 8032, cofactorless, S < L): the key was checked not to be of small
    /// order when loaded, which ring does not check by itself.
    Ed25519([u8; 32]),
    /// ring's ECDSA over P-256 or P-384 with the fixed-size `r || s` of JWS (RFC 7518 §3.4):
    /// the uncompressed point, checked on the curve when loaded.
    Ecdsa(&'static ring_sig::EcdsaVerificationAlgorithm, Box<[u8]>),
    /// p521's ECDSA (ring has no P-521), the point checked on the curve when loaded.
    Es512(p521::ecdsa::VerifyingKey),
    /// ring's RSA: PKCS#1 v1.5 or PSS with one hash, the modulus and exponent without leading
    /// zeros.
    Rsa {
        params: &'static ring_sig::RsaParameters,
        key: RsaKey,
    },
}

/// An RSA public key's modulus and exponent, big-endian without leading zeros.
#[derive(Debug, PartialEq, Eq)]
struct RsaKey {
    n: Box<[u8]>,
    e: Box<[u8]>,
}

impl PublicKey {
    /// Whether `signature` (the decoded JWS signature) signs `message` with this key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.verifier {
            Verifier::Ed25519(key) => UnparsedPublicKey::new(&ring_sig::ED25519, key)
                .verify(message, signature)
                .is_ok(),
            Verifier::Ecdsa(algorithm, point) => UnparsedPublicKey::new(*algorithm, point)
                .verify(message, signature)
                .is_ok(),
            Verifier::Es512(key) => {
                p521::ecdsa::Signature::from_slice(signature).is_ok_and(|signature| {
                    p521::ecdsa::signature::Verifier::verify(key, message, &signature).is_ok()
                })
            }
            Verifier::Rsa { params, key } => ring_sig::RsaPublicKeyComponents {
                n: &key.n,
                e: &key.e,
            }
            .verify(params, message, signature)
            .is_ok(),
        }
    }
}

/// A base64url JWK member (no padding), or `None`.
fn decode_b64url(value: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()
}

/// The y coordinates (sign bit cleared) of the eight Ed25519 points of small order: 1 (the
/// identity), p − 1, 0, and the two of the points of order 8 (as libsodium lists them). A key
/// among them verifies signatures that prove nothing (R = identity, S = 0 verifies any message
/// under the identity key).
const SMALL_ORDER_Y: [[u8; 32]; 5] = {
    let mut list = [[0u8; 32]; 5];
    // 1: the identity.
    list[0][0] = 1;
    // p − 1 (order 2).
    list[1] = [
        0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xff, 0x7f,
    ];
    // 0 (order 4): list[2] stays all zeros.
    // The points of order 8.
    list[3] = [
        0x26, 0xe8, 0x95, 0x8f, 0xc2, 0xb2, 0x27, 0xb0, 0x45, 0xc3, 0xf4, 0x89, 0xf2, 0xef, 0x98,
        0xf0, 0xd5, 0xdf, 0xac, 0x05, 0xd3, 0xc6, 0x33, 0x39, 0xb1, 0x38, 0x02, 0x88, 0x6d, 0x53,
        0xfc, 0x05,
    ];
    list[4] = [
        0xc7, 0x17, 0x6a, 0x70, 0x3d, 0x4d, 0xd8, 0x4f, 0xba, 0x3c, 0x0b, 0x76, 0x0d, 0x10, 0x67,
        0x0f, 0x2a, 0x20, 0x53, 0xfa, 0x2c, 0x39, 0xcc, 0xc6, 0x4e, 0xc7, 0xfd, 0x77, 0x92, 0xac,
        0x03, 0x7a,
    ];
    list
};

/// An Ed25519 public key (RFC 8032 §5.1.2 encoding) that is canonical (y < p) and not of small
/// order. Whether y is on the curve is checked by ring at every verification: a key that is no
/// point verifies nothing.
fn ed25519_key(x: &[u8]) -> Result<[u8; 32], &'static str> {
    let key: [u8; 32] = x
        .try_into()
        .map_err(|_| "key of the wrong size for its curve")?;
    let mut y = key;
    y[31] &= 0x7f;
    // p = 2^255 − 19: little-endian ed ff … ff 7f. y ≥ p is a second encoding of y − p.
    let at_least_p = y[31] == 0x7f && y[1..31].iter().all(|&b| b == 0xff) && y[0] >= 0xed;
    if at_least_p {
        return Err("non-canonical Ed25519 key");
    }
    if SMALL_ORDER_Y.contains(&y) {
        return Err("Ed25519 key of small order");
    }
    Ok(key)
}

/// Whether `point` (SEC 1 uncompressed) is a point of the curve other than infinity: ring's ECDH
/// validates its peer's public key (NIST SP 800-56A §5.6.2.3.4) with the same parser its ECDSA
/// verification uses, so an agreement with an ephemeral key is the check ring offers.
fn on_curve(curve: &'static ring::agreement::Algorithm, point: &[u8]) -> bool {
    let rng = ring::rand::SystemRandom::new();
    ring::agreement::EphemeralPrivateKey::generate(curve, &rng).is_ok_and(|private| {
        ring::agreement::agree_ephemeral(
            private,
            &ring::agreement::UnparsedPublicKey::new(curve, point),
            |_| (),
        )
        .is_ok()
    })
}

/// A big-endian unsigned integer without its leading zeros.
fn unsigned(bytes: &[u8]) -> &[u8] {
    let start = bytes.iter().position(|&b| b != 0).unwrap_or(bytes.len());
    &bytes[start..]
}

/// The bit length of a big-endian unsigned integer without leading zeros.
fn bit_len(bytes: &[u8]) -> usize {
    bytes
        .first()
        .map_or(0, |&top| bytes.len() * 8 - top.leading_zeros() as usize)
}

/// An RSA public key's modulus and exponent, checked: a modulus of 2048 to 4096 bits that is
/// odd, an odd exponent of at least 3 and below 2³³ (what ring verifies with).
fn rsa_key(n: &[u8], e: &[u8]) -> Result<RsaKey, &'static str> {
    let (n, e) = (unsigned(n), unsigned(e));
    let bits = bit_len(n);
    if bits < MIN_RSA_BITS {
        return Err("RSA key shorter than 2048 bits");
    }
    if bits > MAX_RSA_BITS {
        return Err("RSA key longer than 4096 bits");
    }
    let odd = |bytes: &[u8]| bytes.last().is_some_and(|&low| low & 1 == 1);
    if !odd(n) {
        return Err("invalid key material");
    }
    let exponent = match e.len() {
        1..=5 => e.iter().fold(0u64, |value, &b| value << 8 | u64::from(b)),
        _ => return Err("invalid RSA exponent"),
    };
    if !odd(e) || !(3..1 << 33).contains(&exponent) {
        return Err("invalid RSA exponent");
    }
    Ok(RsaKey {
        n: n.into(),
        e: e.into(),
    })
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// The members of a JWK this verifier reads (RFC 7517 §4, RFC 7518 §6).
#[derive(Deserialize)]
struct Jwk {
    kty: String,
    kid: Option<String>,
    #[serde(rename = "use")]
    usage: Option<String>,
    key_ops: Option<Vec<String>>,
    alg: Option<String>,
    crv: Option<String>,
    x: Option<String>,
    y: Option<String>,
    n: Option<String>,
    e: Option<String>,
}

/// The members that hold a key's private or secret part (RFC 7518 §6.2.2, §6.3.2, §6.4.1;
/// RFC 8037 §2). A public key set never carries them.
const PRIVATE_MEMBERS: [&str; 8] = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Loads every usable signing key of a JWKS document; the others are skipped with a warning
/// (a key of an algorithm this build cannot verify must not hide the rest). A key that
/// `previous` already holds under the same `kid`, from the same entry, is kept as it is.
///
/// An entry that publishes its private part is compromised: it is skipped whatever else it
/// holds, and the fetch logs one error naming those entries' `kid`s.
pub(crate) fn parse_jwks(
    body: &[u8],
    previous: &HashMap<String, Arc<PublicKey>>,
) -> Result<HashMap<String, Arc<PublicKey>>, String> {
    let set: JwkSet =
        serde_json::from_slice(body).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys = HashMap::new();
    let mut compromised = Vec::new();
    for entry in set.keys {
        if PRIVATE_MEMBERS
            .iter()
            .any(|member| entry.get(member).is_some())
        {
            let kid = entry.get("kid").and_then(serde_json::Value::as_str);
            compromised.push(kid.unwrap_or("(no kid)").to_owned());
            continue;
        }
        let kept = entry
            .get("kid")
            .and_then(serde_json::Value::as_str)
            .and_then(|kid| previous.get_key_value(kid))
            .filter(|(_, key)| key.jwk == entry)
            .map(|(kid, key)| (kid.clone(), Arc::clone(key)));
        let loaded = match kept {
            Some(kept) => Ok(kept),
            None => load_key(entry).map(|(kid, key)| (kid, Arc::new(key))),
        };
        match loaded {
            Ok((kid, key)) => {
                if keys.insert(kid, key).is_some() {
                    return Err("two keys share a kid".to_owned());
                }
            }
            Err(reason) => tracing::warn!(reason, "JWKS key skipped"),
        }
    }
    if !compromised.is_empty() {
        tracing::error!(
            kids = ?compromised,
            "the JWKS publishes private key material: those keys are compromised and never verify anything; rotate them on the Better Auth server"
        );
    }
    if keys.is_empty() {
        return Err("the JWKS holds no usable signing key".to_owned());
    }
    Ok(keys)
}

/// A base64url member of the expected size in bytes.
fn coordinate(value: Option<&String>, len: usize) -> Result<Vec<u8>, &'static str> {
    value
        .and_then(|value| decode_b64url(value))
        .filter(|bytes| bytes.len() == len)
        .ok_or("key of the wrong size for its curve")
}

pub(crate) fn load_key(entry: serde_json::Value) -> Result<(String, PublicKey), &'static str> {
    let jwk = Jwk::deserialize(&entry).map_err(|_| "unsupported or malformed key")?;
    let kid = jwk.kid.clone().ok_or("key without kid")?;
    if jwk.usage.as_deref().is_some_and(|usage| usage != "sig") {
        return Err("key not for signatures");
    }
    // RFC 7517 §4.3: when `key_ops` is given, the key may only be used for the operations it
    // lists.
    if jwk
        .key_ops
        .as_ref()
        .is_some_and(|ops| !ops.iter().any(|op| op == "verify"))
    {
        return Err("key_ops does not allow verify");
    }
    let alg = match jwk.alg.as_deref() {
        None => None,
        Some(name) => Some(Alg::from_name(name).ok_or("unsupported alg")?),
    };
    // SEC 1 uncompressed point: 0x04 || x || y, each coordinate of the curve's size.
    let point = |len: usize| -> Result<Vec<u8>, &'static str> {
        let mut point = vec![0x04];
        point.extend(coordinate(jwk.x.as_ref(), len)?);
        point.extend(coordinate(jwk.y.as_ref(), len)?);
        Ok(point)
    };
    let ecdsa = |curve, algorithm, len| -> Result<Verifier, &'static str> {
        let point = point(len)?;
        if !on_curve(curve, &point) {
            return Err("invalid key material");
        }
        Ok(Verifier::Ecdsa(algorithm, point.into()))
    };
    let (alg, verifier) = match (jwk.kty.as_str(), jwk.crv.as_deref(), alg) {
        ("oct", _, _) => return Err("symmetric key in a JWKS"),
        ("OKP", Some("Ed25519"), None | Some(Alg::EdDsa)) => {
            let x = jwk
                .x
                .as_deref()
                .and_then(decode_b64url)
                .ok_or("key of the wrong size for its curve")?;
            (Alg::EdDsa, Verifier::Ed25519(ed25519_key(&x)?))
        }
        ("EC", Some("P-256"), None | Some(Alg::Es256)) => (
            Alg::Es256,
            ecdsa(
                &ring::agreement::ECDH_P256,
                &ring_sig::ECDSA_P256_SHA256_FIXED,
                32,
            )?,
        ),
        ("EC", Some("P-384"), None | Some(Alg::Es384)) => (
            Alg::Es384,
            ecdsa(
                &ring::agreement::ECDH_P384,
                &ring_sig::ECDSA_P384_SHA384_FIXED,
                48,
            )?,
        ),
        ("EC", Some("P-521"), None | Some(Alg::Es512)) => {
            let point =
                p521::EncodedPoint::from_bytes(point(66)?).map_err(|_| "invalid key material")?;
            let key = p521::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|_| "invalid key material")?;
            (Alg::Es512, Verifier::Es512(key))
        }
        // RSA keys serve both PKCS#1 v1.5 and PSS: the JWKS must say which.
        ("RSA", _, None) => return Err("RSA key without alg"),
        ("RSA", _, Some(alg)) => {
            let number = |value: Option<&String>| {
                value
                    .and_then(|value| decode_b64url(value))
                    .ok_or("malformed key")
            };
            let key = rsa_key(&number(jwk.n.as_ref())?, &number(jwk.e.as_ref())?)?;
            let params: &'static ring_sig::RsaParameters = match alg {
                Alg::Rs256 => &ring_sig::RSA_PKCS1_2048_8192_SHA256,
                Alg::Rs384 => &ring_sig::RSA_PKCS1_2048_8192_SHA384,
                Alg::Rs512 => &ring_sig::RSA_PKCS1_2048_8192_SHA512,
                Alg::Ps256 => &ring_sig::RSA_PSS_2048_8192_SHA256,
                Alg::Ps384 => &ring_sig::RSA_PSS_2048_8192_SHA384,
                Alg::Ps512 => &ring_sig::RSA_PSS_2048_8192_SHA512,
                _ => return Err("RSA key with a non-RSA alg"),
            };
            (alg, Verifier::Rsa { params, key })
        }
        _ => return Err("unsupported key type, curve or alg"),
    };
    Ok((
        kid,
        PublicKey {
            alg,
            verifier,
            jwk: entry,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn keys_are_bound_to_their_algorithm() {
        let jwks = |keys: &str| {
            parse_jwks(
                format!(r#"{{"keys":[{keys}]}}"#).as_bytes(),
                &HashMap::new(),
            )
        };
        let ed = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"a","alg":"EdDSA"}}"#);
        let loaded = jwks(&ed).expect("an Ed25519 key");
        assert_eq!(loaded.get("a").map(|k| k.alg), Some(Alg::EdDsa));
        // No alg: derived from kty and crv.
        let no_alg = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"b"}}"#);
        assert_eq!(
            jwks(&no_alg).expect("key").get("b").map(|k| k.alg),
            Some(Alg::EdDsa)
        );
        // Mismatched alg and key type, HMAC keys, no kid, encryption keys: skipped.
        for bad in [
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"c","alg":"ES256"}}"#),
            r#"{"kty":"oct","k":"c2VjcmV0","kid":"d","alg":"HS256"}"#.to_owned(),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}"}}"#),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"e","use":"enc"}}"#),
            r#"{"kty":"OKP","crv":"Ed25519","x":"AAAA","kid":"f"}"#.to_owned(),
            format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}AAAA","kid":"f"}}"#),
            r#"{"kty":"EC","crv":"P-521","x":"AAAA","y":"AAAA","kid":"g","alg":"ES512"}"#
                .to_owned(),
        ] {
            assert!(jwks(&bad).is_err(), "{bad}");
            // A bad key beside a good one does not hide the good one.
            let both = jwks(&format!("{bad},{ed}")).expect("the good key");
            assert_eq!(both.len(), 1, "{bad}");
        }
        assert!(jwks(&format!("{ed},{ed}")).is_err(), "duplicate kid");
        assert!(parse_jwks(b"[]", &HashMap::new()).is_err());
        assert!(parse_jwks(b"not json", &HashMap::new()).is_err());
    }

    fn ed_key(kid: &str, extra: serde_json::Value) -> serde_json::Value {
        let mut jwk = serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": kid});
        for (name, value) in extra.as_object().expect("members") {
            jwk[name] = value.clone();
        }
        jwk
    }

    fn load(keys: &[serde_json::Value]) -> Result<Vec<String>, String> {
        let body = serde_json::json!({ "keys": keys }).to_string();
        let mut kids: Vec<String> = parse_jwks(body.as_bytes(), &HashMap::new())?
            .into_keys()
            .collect();
        kids.sort();
        Ok(kids)
    }

    #[test]
    fn a_key_published_with_its_private_part_is_never_used() {
        let good = ed_key("good", serde_json::json!({}));
        // RFC 8037 §A.1: the private half of the same test key.
        let d = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
        for member in ["d", "p", "q", "dp", "dq", "qi", "oth", "k"] {
            let leaked = ed_key("leaked", serde_json::json!({ member: d }));
            assert_eq!(
                load(&[leaked.clone(), good.clone()]),
                Ok(vec!["good".to_owned()]),
                "{member}"
            );
            assert!(
                load(&[leaked]).is_err(),
                "{member} alone leaves no usable key"
            );
        }
        // Even `null` or empty: the member has no business in a public key set.
        let empty = ed_key("leaked", serde_json::json!({"d": ""}));
        assert_eq!(load(&[empty, good]), Ok(vec!["good".to_owned()]));
    }

    #[test]
    fn key_ops_must_allow_verify() {
        for (ops, usable) in [
            (serde_json::json!(["verify"]), true),
            (serde_json::json!(["sign", "verify"]), true),
            (serde_json::json!(["sign"]), false),
            (serde_json::json!(["encrypt"]), false),
            (serde_json::json!(["verifyx"]), false),
            (serde_json::json!(["Verify"]), false),
            (serde_json::json!([]), false),
            (serde_json::json!("verify"), false),
            (serde_json::json!([1]), false),
        ] {
            let key = ed_key("k", serde_json::json!({ "key_ops": ops }));
            assert_eq!(load(&[key]).is_ok(), usable, "key_ops {ops}");
        }
        // Absent: no restriction (Better Auth writes none).
        assert!(load(&[ed_key("k", serde_json::json!({}))]).is_ok());
    }

    fn b64(bytes: &[u8]) -> String {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    }

    /// One key of `jwk`, loaded alone.
    fn only_key(jwk: serde_json::Value) -> Arc<PublicKey> {
        let body = serde_json::json!({ "keys": [jwk] }).to_string();
        let keys = parse_jwks(body.as_bytes(), &HashMap::new()).expect("a usable key");
        keys.into_values().next().expect("one key")
    }

    #[test]
    fn ecdsa_keys_verify_their_own_signatures_only() {
        use p256::ecdsa::signature::Signer as _;
        let signing = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let key = only_key(serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": "e", "alg": "ES256",
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }));
        assert_eq!(key.alg, Alg::Es256);
        let signature: p256::ecdsa::Signature = signing.sign(b"message");
        assert!(key.verify(b"message", &signature.to_bytes()));
        assert!(!key.verify(b"messagE", &signature.to_bytes()));
        assert!(
            !key.verify(b"message", &signature.to_der().to_bytes()),
            "DER is not JWS"
        );
        assert!(!key.verify(b"message", &[0; 64]));
        // A point not on the curve is refused when the set is loaded.
        let mut y = point.y().expect("y").to_vec();
        y[31] ^= 1;
        let off_curve = serde_json::json!({"keys": [{
            "kty": "EC", "crv": "P-256", "kid": "e",
            "x": b64(point.x().expect("x")), "y": b64(&y),
        }]});
        assert!(parse_jwks(off_curve.to_string().as_bytes(), &HashMap::new()).is_err());
    }

    fn ed25519_jwk(x: &[u8]) -> serde_json::Value {
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "kid": "e", "x": b64(x)})
    }

    #[test]
    fn ed25519_keys_verify_their_own_signatures_only() {
        use ed25519_dalek::Signer as _;
        let signing = ed25519_dalek::SigningKey::generate(&mut rand_core::OsRng);
        let key = only_key(ed25519_jwk(signing.verifying_key().as_bytes()));
        assert_eq!(key.alg, Alg::EdDsa);
        let signature = signing.sign(b"message").to_bytes();
        assert!(key.verify(b"message", &signature));
        assert!(!key.verify(b"messagE", &signature));
        assert!(!key.verify(b"message", &signature[..63]));
        // S + L: the same S, not reduced (RFC 8032 §5.1.7 requires S < L).
        const L: [u8; 32] = [
            0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9,
            0xde, 0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
        ];
        let mut unreduced = signature;
        let mut carry = 0u16;
        for (byte, l) in unreduced[32..].iter_mut().zip(L) {
            let sum = u16::from(*byte) + u16::from(l) + carry;
            *byte = sum as u8;
            carry = sum >> 8;
        }
        assert!(!key.verify(b"message", &unreduced), "S + L is refused");
    }

    #[test]
    fn ed25519_keys_of_small_order_are_refused_when_loaded() {
        // The identity key with R = identity, S = 0 "signs" every message: ring's verification
        // alone accepts it, which is why such keys never load.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let mut forged = [0u8; 64];
        forged[..32].copy_from_slice(&identity);
        assert!(
            UnparsedPublicKey::new(&ring_sig::ED25519, identity)
                .verify(b"any message", &forged)
                .is_ok(),
            "ring does not refuse small-order keys by itself"
        );
        assert!(
            parse_jwks(
                serde_json::json!({"keys": [ed25519_jwk(&identity)]})
                    .to_string()
                    .as_bytes(),
                &HashMap::new()
            )
            .is_err()
        );
        // Every point of small order, in both encodings of the sign bit.
        for point in curve25519_dalek::constants::EIGHT_TORSION {
            for sign in [0, 0x80] {
                let mut x = point.compress().to_bytes();
                x[31] ^= sign;
                assert_eq!(
                    ed25519_key(&x).err(),
                    Some("Ed25519 key of small order"),
                    "{x:02x?}"
                );
            }
        }
        // y ≥ p: a second encoding of a small y, refused as non-canonical.
        for low in [0xed, 0xee, 0xff] {
            let mut x = [0xff; 32];
            x[0] = low;
            x[31] = 0x7f;
            assert_eq!(
                ed25519_key(&x).err(),
                Some("non-canonical Ed25519 key"),
                "{low:x}"
            );
        }
        assert!(ed25519_key(&[0xff; 32]).is_err());
        assert!(ed25519_key(&[1; 31]).is_err());
    }

    #[test]
    fn high_s_ecdsa_signatures_are_accepted() {
        use p256::ecdsa::signature::Signer as _;
        let signing = p256::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let key = only_key(serde_json::json!({
            "kty": "EC", "crv": "P-256", "kid": "e",
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }));
        let signed: p256::ecdsa::Signature = signing.sign(b"message");
        let low = signed.normalize_s().unwrap_or(signed);
        let (r, s) = low.split_scalars();
        let high = p256::ecdsa::Signature::from_scalars(r, -s).expect("a signature");
        assert!(high.normalize_s().is_some(), "S > n / 2");
        assert!(key.verify(b"message", &low.to_bytes()));
        assert!(key.verify(b"message", &high.to_bytes()));
    }

    #[test]
    fn p384_keys_verify_es384_signatures() {
        use p384::ecdsa::signature::Signer as _;
        let signing = p384::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let point = signing.verifying_key().to_encoded_point(false);
        let jwk = |y: &[u8]| {
            serde_json::json!({
                "kty": "EC", "crv": "P-384", "kid": "e", "alg": "ES384",
                "x": b64(point.x().expect("x")), "y": b64(y),
            })
        };
        let key = only_key(jwk(point.y().expect("y")));
        assert_eq!(key.alg, Alg::Es384);
        let signature: p384::ecdsa::Signature = signing.sign(b"message");
        assert!(key.verify(b"message", &signature.to_bytes()));
        assert!(!key.verify(b"messagE", &signature.to_bytes()));
        assert!(
            !key.verify(b"message", &signature.to_der().to_bytes()),
            "DER is not JWS"
        );
        let mut y = point.y().expect("y").to_vec();
        y[47] ^= 1;
        let off_curve = serde_json::json!({ "keys": [jwk(&y)] }).to_string();
        assert!(parse_jwks(off_curve.as_bytes(), &HashMap::new()).is_err());
    }

    #[test]
    fn rsa_moduli_and_exponents_are_checked_when_loaded() {
        let n2048 = {
            let mut n = vec![0xc5; 256];
            n[255] = 0x01;
            n
        };
        assert!(rsa_key(&n2048, &[1, 0, 1]).is_ok());
        let mut leading_zero = vec![0];
        leading_zero.extend(&n2048);
        assert_eq!(
            rsa_key(&leading_zero, &[0, 1, 0, 1]).map(|key| (key.n.len(), key.e.len())),
            Ok((256, 3)),
            "leading zeros are dropped"
        );
        let mut even = n2048.clone();
        even[255] = 0x02;
        let mut short = n2048[1..].to_vec();
        short[0] = 0x7f;
        for (n, e, why) in [
            (even.as_slice(), &[1, 0, 1][..], "an even modulus"),
            (&short, &[1, 0, 1], "2047 bits"),
            (&[0xc5; 513], &[1, 0, 1], "4104 bits"),
            (&n2048, &[2], "an even exponent"),
            (&n2048, &[1], "e = 1"),
            (&n2048, &[], "no exponent"),
            (&n2048, &[2, 0, 0, 0, 1], "e ≥ 2^33"),
            (&n2048, &[1, 0, 0, 0, 0, 1], "a six-byte exponent"),
        ] {
            assert!(rsa_key(n, e).is_err(), "{why}");
        }
        assert!(rsa_key(&n2048, &[3]).is_ok());
        assert!(
            rsa_key(&n2048, &[1, 0xff, 0xff, 0xff, 0xff]).is_ok(),
            "e = 2^33 − 1"
        );
    }

    #[test]
    fn p521_keys_verify_es512_signatures() {
        use p521::ecdsa::signature::RandomizedSigner as _;
        let signing = p521::ecdsa::SigningKey::random(&mut rand_core::OsRng);
        let point = p521::ecdsa::VerifyingKey::from(&signing).to_encoded_point(false);
        let key = only_key(serde_json::json!({
            "kty": "EC", "crv": "P-521", "kid": "e", "alg": "ES512",
            "x": b64(point.x().expect("x")), "y": b64(point.y().expect("y")),
        }));
        assert_eq!(key.alg, Alg::Es512);
        let signature: p521::ecdsa::Signature =
            signing.sign_with_rng(&mut rand_core::OsRng, b"message");
        assert_eq!(signature.to_bytes().len(), 132, "r || s, 66 bytes each");
        assert!(key.verify(b"message", &signature.to_bytes()));
        assert!(!key.verify(b"messagE", &signature.to_bytes()));
        assert!(!key.verify(b"message", &[0; 132]));
    }

    #[test]
    fn rsa_keys_are_bound_to_one_padding_and_hash() {
        use rsa::signature::{RandomizedSigner as _, SignatureEncoding as _, Signer as _};
        use rsa::traits::PublicKeyParts as _;
        use sha2::Sha256;
        let private = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 2048).expect("a key");
        let jwk = |alg: &str| {
            serde_json::json!({
                "kty": "RSA", "kid": alg, "alg": alg,
                "n": b64(&private.n().to_bytes_be()), "e": b64(&private.e().to_bytes_be()),
            })
        };
        let pkcs1 = rsa::pkcs1v15::SigningKey::<Sha256>::new(private.clone())
            .sign(b"message")
            .to_vec();
        let pss = rsa::pss::SigningKey::<Sha256>::new(private.clone())
            .sign_with_rng(&mut rand_core::OsRng, b"message")
            .to_vec();
        let rs256 = only_key(jwk("RS256"));
        let ps256 = only_key(jwk("PS256"));
        let rs384 = only_key(jwk("RS384"));
        assert!(rs256.verify(b"message", &pkcs1));
        assert!(!rs256.verify(b"messagE", &pkcs1));
        assert!(!rs256.verify(b"message", &pss), "PSS under an RS256 key");
        assert!(ps256.verify(b"message", &pss));
        assert!(
            !ps256.verify(b"message", &pkcs1),
            "PKCS#1 v1.5 under a PS256 key"
        );
        assert!(
            !rs384.verify(b"message", &pkcs1),
            "SHA-256 under an RS384 key"
        );
        // No alg, or a modulus under 2048 bits: skipped.
        let mut no_alg = jwk("RS256");
        no_alg["alg"] = serde_json::Value::Null;
        let small = rsa::RsaPrivateKey::new(&mut rand_core::OsRng, 1024).expect("a key");
        let mut short = jwk("RS256");
        short["n"] = b64(&small.n().to_bytes_be()).into();
        for bad in [no_alg, short] {
            let body = serde_json::json!({ "keys": [bad] }).to_string();
            assert!(
                parse_jwks(body.as_bytes(), &HashMap::new()).is_err(),
                "{bad}"
            );
        }
    }
}
