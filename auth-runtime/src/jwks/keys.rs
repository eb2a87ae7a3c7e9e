//! JWKS keys: each entry bound to one algorithm and key type when the set is loaded, prepared
//! once, and used only for tokens whose `alg` is that algorithm. `oct` (HMAC) keys are never
//! loaded, so an HS256 token can never be checked against a public key.

use std::collections::HashMap;

use jsonwebtoken::DecodingKey;
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use serde::Deserialize;

use crate::alg::Alg;
use crate::error::TokenError;

/// A public key bound to its algorithm, prepared when the JWKS is loaded.
pub(crate) struct PublicKey {
    pub(crate) alg: Alg,
    material: Material,
}

enum Material {
    /// Better Auth's default: decompressed once, verified with `verify_strict` (which also
    /// refuses small-order keys and non-canonical signatures).
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ES256/ES384/RS*/PS*, verified by jsonwebtoken's RustCrypto provider.
    Other(DecodingKey),
}

impl PublicKey {
    pub(crate) fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            Material::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(message, &signature).is_ok()),
            Material::Other(key) => self.alg.jsonwebtoken().is_some_and(|alg| {
                (DEFAULT_PROVIDER.verifier_factory)(&alg, key)
                    .is_ok_and(|verifier| verifier.verify(message, &signature.to_vec()).is_ok())
            }),
        }
    }
}

pub(crate) fn decode_b64url(value: &str) -> Result<Vec<u8>, TokenError> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(value)
        .map_err(|_| TokenError::BadSignature)
}

#[derive(Deserialize)]
struct JwkSet {
    keys: Vec<serde_json::Value>,
}

/// Loads every usable signing key of a JWKS document; the others are skipped with a warning
/// (a key of an algorithm this build cannot verify must not hide the rest).
pub(crate) fn parse_jwks(body: &[u8]) -> Result<HashMap<String, PublicKey>, String> {
    let set: JwkSet =
        serde_json::from_slice(body).map_err(|e| format!("not a JWKS document: {e}"))?;
    let mut keys = HashMap::new();
    for entry in set.keys {
        match load_key(entry) {
            Ok((kid, key)) => {
                if keys.insert(kid, key).is_some() {
                    return Err("two keys share a kid".to_owned());
                }
            }
            Err(reason) => tracing::warn!(reason, "JWKS key skipped"),
        }
    }
    if keys.is_empty() {
        return Err("the JWKS holds no usable signing key".to_owned());
    }
    Ok(keys)
}

fn load_key(entry: serde_json::Value) -> Result<(String, PublicKey), &'static str> {
    let jwk: Jwk = serde_json::from_value(entry).map_err(|_| "unsupported or malformed key")?;
    let kid = jwk.common.key_id.clone().ok_or("key without kid")?;
    if matches!(&jwk.common.public_key_use, Some(usage) if *usage != PublicKeyUse::Signature) {
        return Err("key not for signatures");
    }
    let alg = match (&jwk.algorithm, &jwk.common.key_algorithm) {
        (AlgorithmParameters::OctetKey(_), _) => return Err("symmetric key in a JWKS"),
        (AlgorithmParameters::OctetKeyPair(p), None | Some(KeyAlgorithm::EdDSA))
            if p.curve == EllipticCurve::Ed25519 =>
        {
            Alg::EdDsa
        }
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256))
            if p.curve == EllipticCurve::P256 =>
        {
            Alg::Es256
        }
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES384))
            if p.curve == EllipticCurve::P384 =>
        {
            Alg::Es384
        }
        // RSA keys serve both PKCS#1 v1.5 and PSS: the JWKS must say which.
        (AlgorithmParameters::RSA(_), Some(alg)) => match alg {
            KeyAlgorithm::RS256 => Alg::Rs256,
            KeyAlgorithm::RS384 => Alg::Rs384,
            KeyAlgorithm::RS512 => Alg::Rs512,
            KeyAlgorithm::PS256 => Alg::Ps256,
            KeyAlgorithm::PS384 => Alg::Ps384,
            KeyAlgorithm::PS512 => Alg::Ps512,
            _ => return Err("RSA key with a non-RSA alg"),
        },
        (AlgorithmParameters::RSA(_), None) => return Err("RSA key without alg"),
        _ => return Err("unsupported key type, curve or alg"),
    };
    // jsonwebtoken 11 slices an Ed25519 key to 32 bytes without checking its length (a panic
    // on a shorter key, silent truncation of a longer one): check the sizes here.
    let coordinate_len = |value: &str| decode_b64url(value).map(|bytes| bytes.len()).ok();
    let sizes_ok = match (&jwk.algorithm, alg) {
        (AlgorithmParameters::OctetKeyPair(p), _) => coordinate_len(&p.x) == Some(32),
        (AlgorithmParameters::EllipticCurve(p), Alg::Es256) => {
            coordinate_len(&p.x) == Some(32) && coordinate_len(&p.y) == Some(32)
        }
        (AlgorithmParameters::EllipticCurve(p), _) => {
            coordinate_len(&p.x) == Some(48) && coordinate_len(&p.y) == Some(48)
        }
        _ => true,
    };
    if !sizes_ok {
        return Err("key of the wrong size for its curve");
    }
    let key = DecodingKey::from_jwk(&jwk).map_err(|_| "malformed key")?;
    // Building the verifier checks the key material (a point on the curve, a valid modulus).
    let material = match &jwk.algorithm {
        AlgorithmParameters::OctetKeyPair(p) => {
            let x: [u8; 32] = decode_b64url(&p.x)
                .ok()
                .and_then(|bytes| bytes.try_into().ok())
                .ok_or("key of the wrong size for its curve")?;
            Material::Ed25519(
                ed25519_dalek::VerifyingKey::from_bytes(&x).map_err(|_| "invalid key material")?,
            )
        }
        _ => {
            // Building the verifier checks the key material (a point on the curve, a modulus).
            let jwt_alg = alg.jsonwebtoken().ok_or("unsupported alg")?;
            (DEFAULT_PROVIDER.verifier_factory)(&jwt_alg, &key)
                .map_err(|_| "invalid key material")?;
            Material::Other(key)
        }
    };
    Ok((kid, PublicKey { alg, material }))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn keys_are_bound_to_their_algorithm() {
        let jwks = |keys: &str| parse_jwks(format!(r#"{{"keys":[{keys}]}}"#).as_bytes());
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
        assert!(parse_jwks(b"[]").is_err());
        assert!(parse_jwks(b"not json").is_err());
    }
}
