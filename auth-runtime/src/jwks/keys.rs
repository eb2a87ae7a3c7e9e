//! JWKS keys: each entry bound to one algorithm and key type when the set is loaded, prepared
//! once (decompressed, validated, its verifier built), and used only for tokens whose `alg` is
//! that algorithm. `oct` (HMAC) keys are never loaded, so an HS256 token can never be checked
//! against a public key.
//!
//! | `kty` | `crv` | `alg` accepted | verifier |
//! |---|---|---|---|
//! | `OKP` | `Ed25519` | `EdDSA` (or none) | ed25519-dalek `verify_strict` |
//! | `EC` | `P-256` | `ES256` (or none) | p256 ECDSA |
//! | `EC` | `P-384` | `ES384` (or none) | p384 ECDSA |
//! | `EC` | `P-521` | `ES512` (or none) | p521 ECDSA |
//! | `RSA` (≥ 2048 bits) | | `RS256/384/512`, `PS256/384/512` (required) | rsa PKCS#1 v1.5 / PSS |

use std::collections::HashMap;
use std::sync::Arc;

use rsa::signature::Verifier as _;
use rsa::{BigUint, RsaPublicKey};
use serde::Deserialize;
use sha2::{Sha256, Sha384, Sha512};

use crate::alg::Alg;

/// The smallest RSA modulus accepted (RFC 7518 §3.3: 2048 bits or larger).
const MIN_RSA_BITS: usize = 2048;

/// A public key bound to its algorithm, prepared when the JWKS is loaded.
pub(crate) struct PublicKey {
    pub(crate) alg: Alg,
    verifier: Verifier,
    /// The JWKS entry it was loaded from: a refetch that publishes the same entry keeps this
    /// very key (so that tokens verified with it stay cached).
    jwk: serde_json::Value,
}

/// A verifier prepared once per key: nothing is parsed or decompressed per request.
enum Verifier {
    /// Better Auth's default: `verify_strict` also refuses small-order keys and non-canonical
    /// signatures.
    Ed25519(ed25519_dalek::VerifyingKey),
    Es256(p256::ecdsa::VerifyingKey),
    Es384(p384::ecdsa::VerifyingKey),
    Es512(p521::ecdsa::VerifyingKey),
    Rs256(rsa::pkcs1v15::VerifyingKey<Sha256>),
    Rs384(rsa::pkcs1v15::VerifyingKey<Sha384>),
    Rs512(rsa::pkcs1v15::VerifyingKey<Sha512>),
    Ps256(rsa::pss::VerifyingKey<Sha256>),
    Ps384(rsa::pss::VerifyingKey<Sha384>),
    Ps512(rsa::pss::VerifyingKey<Sha512>),
}

impl PublicKey {
    /// Whether `signature` (the decoded JWS signature) signs `message` with this key.
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.verifier {
            Verifier::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(message, &signature).is_ok()),
            // JWS ECDSA signatures are the fixed-size r || s (RFC 7518 §3.4).
            Verifier::Es256(key) => p256::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Verifier::Es384(key) => p384::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Verifier::Es512(key) => p521::ecdsa::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify(message, &signature).is_ok()),
            Verifier::Rs256(key) => verify_pkcs1v15(key, message, signature),
            Verifier::Rs384(key) => verify_pkcs1v15(key, message, signature),
            Verifier::Rs512(key) => verify_pkcs1v15(key, message, signature),
            Verifier::Ps256(key) => verify_pss(key, message, signature),
            Verifier::Ps384(key) => verify_pss(key, message, signature),
            Verifier::Ps512(key) => verify_pss(key, message, signature),
        }
    }
}

fn verify_pkcs1v15<D>(
    key: &rsa::pkcs1v15::VerifyingKey<D>,
    message: &[u8],
    signature: &[u8],
) -> bool
where
    D: sha2::Digest + rsa::pkcs8::AssociatedOid,
{
    rsa::pkcs1v15::Signature::try_from(signature)
        .is_ok_and(|signature| key.verify(message, &signature).is_ok())
}

fn verify_pss<D>(key: &rsa::pss::VerifyingKey<D>, message: &[u8], signature: &[u8]) -> bool
where
    D: sha2::Digest + sha2::digest::FixedOutputReset,
{
    rsa::pss::Signature::try_from(signature)
        .is_ok_and(|signature| key.verify(message, &signature).is_ok())
}

/// A base64url JWK member (no padding), or `None`.
fn decode_b64url(value: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .ok()
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

fn load_key(entry: serde_json::Value) -> Result<(String, PublicKey), &'static str> {
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
    let (alg, verifier) = match (jwk.kty.as_str(), jwk.crv.as_deref(), alg) {
        ("oct", _, _) => return Err("symmetric key in a JWKS"),
        ("OKP", Some("Ed25519"), None | Some(Alg::EdDsa)) => {
            let x: [u8; 32] = coordinate(jwk.x.as_ref(), 32)?
                .try_into()
                .map_err(|_| "key of the wrong size for its curve")?;
            let key =
                ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| "invalid key material")?;
            (Alg::EdDsa, Verifier::Ed25519(key))
        }
        ("EC", Some("P-256"), None | Some(Alg::Es256)) => {
            let point = p256::EncodedPoint::from_affine_coordinates(
                coordinate(jwk.x.as_ref(), 32)?.as_slice().into(),
                coordinate(jwk.y.as_ref(), 32)?.as_slice().into(),
                false,
            );
            let key = p256::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|_| "invalid key material")?;
            (Alg::Es256, Verifier::Es256(key))
        }
        ("EC", Some("P-384"), None | Some(Alg::Es384)) => {
            let point = p384::EncodedPoint::from_affine_coordinates(
                coordinate(jwk.x.as_ref(), 48)?.as_slice().into(),
                coordinate(jwk.y.as_ref(), 48)?.as_slice().into(),
                false,
            );
            let key = p384::ecdsa::VerifyingKey::from_encoded_point(&point)
                .map_err(|_| "invalid key material")?;
            (Alg::Es384, Verifier::Es384(key))
        }
        ("EC", Some("P-521"), None | Some(Alg::Es512)) => {
            let point = p521::EncodedPoint::from_affine_coordinates(
                coordinate(jwk.x.as_ref(), 66)?.as_slice().into(),
                coordinate(jwk.y.as_ref(), 66)?.as_slice().into(),
                false,
            );
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
                    .map(|bytes| BigUint::from_bytes_be(&bytes))
                    .ok_or("malformed key")
            };
            let key = RsaPublicKey::new(number(jwk.n.as_ref())?, number(jwk.e.as_ref())?)
                .map_err(|_| "invalid key material")?;
            if rsa::traits::PublicKeyParts::n(&key).bits() < MIN_RSA_BITS {
                return Err("RSA key shorter than 2048 bits");
            }
            let verifier = match alg {
                Alg::Rs256 => Verifier::Rs256(rsa::pkcs1v15::VerifyingKey::new(key)),
                Alg::Rs384 => Verifier::Rs384(rsa::pkcs1v15::VerifyingKey::new(key)),
                Alg::Rs512 => Verifier::Rs512(rsa::pkcs1v15::VerifyingKey::new(key)),
                Alg::Ps256 => Verifier::Ps256(rsa::pss::VerifyingKey::new(key)),
                Alg::Ps384 => Verifier::Ps384(rsa::pss::VerifyingKey::new(key)),
                Alg::Ps512 => Verifier::Ps512(rsa::pss::VerifyingKey::new(key)),
                _ => return Err("RSA key with a non-RSA alg"),
            };
            (alg, verifier)
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
