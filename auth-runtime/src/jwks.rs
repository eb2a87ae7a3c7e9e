//! JWKS mode: the public keys that Better Auth's `jwt` plugin publishes, fetched over HTTP,
//! cached, and refetched (rate-limited, single-flight) when a token names an unknown `kid`.
//!
//! Each key is bound to one algorithm and key type when it is loaded; a token is checked only
//! with the key its `kid` names, and only if its `alg` is that key's algorithm. `oct` (HMAC)
//! keys are never loaded, so an HS256 token can never be checked against a public key.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use jsonwebtoken::crypto::rust_crypto::DEFAULT_PROVIDER;
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, Jwk, KeyAlgorithm, PublicKeyUse};
use jsonwebtoken::{Algorithm, DecodingKey};
use serde::Deserialize;

use crate::error::{AuthError, TokenError};
use crate::token::{self, Alg, ClaimPolicy, Jws, VerifiedToken};

/// How long a fetched JWKS is used before it is refetched on the next request.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(600);
/// The largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// A public key bound to its algorithm, prepared when the JWKS is loaded.
struct Key {
    alg: Algorithm,
    material: Material,
}

enum Material {
    /// Better Auth's default: decompressed once, verified with `verify_strict` (which also
    /// refuses small-order keys and non-canonical signatures).
    Ed25519(ed25519_dalek::VerifyingKey),
    /// ES256/ES384/RS*/PS*, verified by jsonwebtoken's RustCrypto provider.
    Other(DecodingKey),
}

impl Key {
    fn verify(&self, message: &[u8], signature: &[u8]) -> bool {
        match &self.material {
            Material::Ed25519(key) => ed25519_dalek::Signature::from_slice(signature)
                .is_ok_and(|signature| key.verify_strict(message, &signature).is_ok()),
            Material::Other(key) => (DEFAULT_PROVIDER.verifier_factory)(&self.alg, key)
                .is_ok_and(|verifier| verifier.verify(message, &signature.to_vec()).is_ok()),
        }
    }
}

#[derive(Clone, Default)]
struct Snapshot {
    keys: Arc<HashMap<String, Key>>,
    /// The last successful fetch; `None` until one succeeded.
    fetched_at: Option<Instant>,
    /// The last fetch attempted, successful or not: the rate limit counts from here.
    attempted_at: Option<Instant>,
    /// Bumped by every successful fetch, so that waiters see that someone else refreshed.
    generation: u64,
}

#[cfg(feature = "https")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "https"))]
type Connector = HttpConnector;

/// An HTTP connector, with TLS (rustls, ring, Mozilla's roots) when the `https` feature is on.
/// No redirects are followed: the JWKS URL is the one configured.
fn connector() -> Result<Connector, String> {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(FETCH_TIMEOUT));
    #[cfg(feature = "https")]
    {
        http.enforce_http(false);
        Ok(hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| e.to_string())?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http))
    }
    #[cfg(not(feature = "https"))]
    Ok(http)
}

pub(crate) struct JwksSource {
    url: String,
    pub(crate) policy: ClaimPolicy,
    min_refetch_interval: Duration,
    cache: RwLock<Snapshot>,
    refresh: tokio::sync::Mutex<()>,
    client: Client<Connector, Empty<Bytes>>,
}

impl JwksSource {
    pub(crate) fn new(
        url: String,
        policy: ClaimPolicy,
        min_refetch_interval: Duration,
    ) -> Result<Self, String> {
        Ok(JwksSource {
            url,
            policy,
            min_refetch_interval,
            cache: RwLock::new(Snapshot::default()),
            refresh: tokio::sync::Mutex::new(()),
            client: Client::builder(TokioExecutor::new()).build(connector()?),
        })
    }

    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    fn snapshot(&self) -> Snapshot {
        // The snapshot is replaced whole, never left half-written: a poisoned lock still holds
        // a consistent value.
        self.cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Verifies the signature of an asymmetric JWS and validates its claims.
    pub(crate) async fn verify(&self, jws: &Jws<'_>, now: u64) -> Result<VerifiedToken, AuthError> {
        let Some(kid) = jws.kid.as_deref() else {
            return Err(TokenError::UnknownKey.into());
        };
        let mut snapshot = self.snapshot();
        let stale = snapshot.fetched_at.is_none_or(|at| at.elapsed() >= MAX_AGE);
        let missing = !snapshot.keys.contains_key(kid);
        if (stale || missing)
            && self.may_refresh(&snapshot, missing)
            && let Some(fresh) = self.refresh(snapshot.generation).await
        {
            snapshot = fresh;
        }
        if snapshot.fetched_at.is_none() {
            return Err(AuthError::KeysUnavailable);
        }
        let key = snapshot.keys.get(kid).ok_or(TokenError::UnknownKey)?;
        if Some(key.alg) != jsonwebtoken_alg(jws.alg) {
            return Err(TokenError::UnsupportedAlgorithm.into());
        }
        let signature = decode_b64url(jws.signature_b64)?;
        if !key.verify(jws.signing_input.as_bytes(), &signature) {
            return Err(TokenError::BadSignature.into());
        }
        Ok(token::validate_claims(jws, &self.policy, now)?)
    }

    /// Whether this request should go to [`refresh`](Self::refresh), decided without taking
    /// its lock: a flood of unknown `kid`s, or requests during an outage, must not queue one by
    /// one behind it. It goes when a fetch is allowed by the rate limit, or, for a `kid` the
    /// cache lacks, when a fetch is under way (its result may hold the key).
    fn may_refresh(&self, snapshot: &Snapshot, missing: bool) -> bool {
        refetch_allowed(
            snapshot.attempted_at,
            Instant::now(),
            self.min_refetch_interval,
        ) || (missing && self.refresh.try_lock().is_err())
    }

    /// Refetches the JWKS unless another request just did (single flight) or the last attempt
    /// is more recent than the rate limit. Returns the snapshot to use, or `None` to keep the
    /// current one.
    async fn refresh(&self, seen_generation: u64) -> Option<Snapshot> {
        let _single_flight = self.refresh.lock().await;
        let current = self.snapshot();
        if current.generation != seen_generation {
            return Some(current);
        }
        if !refetch_allowed(
            current.attempted_at,
            Instant::now(),
            self.min_refetch_interval,
        ) {
            tracing::debug!(reason = "jwks_refetch_rate_limited", "JWKS refetch skipped");
            return None;
        }
        let attempted_at = Some(Instant::now());
        self.store(|snapshot| snapshot.attempted_at = attempted_at);
        match self.fetch().await {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "JWKS fetched");
                let fresh = Snapshot {
                    keys: Arc::new(keys),
                    fetched_at: attempted_at,
                    attempted_at,
                    generation: current.generation + 1,
                };
                self.store(|snapshot| *snapshot = fresh.clone());
                Some(fresh)
            }
            Err(reason) => {
                tracing::error!(
                    url = %self.url,
                    reason,
                    cached_keys = current.keys.len(),
                    "cannot fetch the JWKS"
                );
                None
            }
        }
    }

    fn store(&self, change: impl FnOnce(&mut Snapshot)) {
        let mut guard = self
            .cache
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        change(&mut guard);
    }

    async fn fetch(&self) -> Result<HashMap<String, Key>, String> {
        let request = axum::http::Request::get(&self.url)
            .header(axum::http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| format!("invalid request: {e}"))?;
        let body = tokio::time::timeout(FETCH_TIMEOUT, async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| format!("request failed: {e}"))?;
            if response.status() != axum::http::StatusCode::OK {
                return Err(format!("status {}", response.status()));
            }
            Limited::new(response.into_body(), MAX_JWKS_BYTES)
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .map_err(|e| format!("reading the body failed: {e}"))
        })
        .await
        .map_err(|_| "timed out".to_owned())??;
        parse_jwks(&body)
    }
}

/// The rate limit: at most one fetch attempt per `interval`.
fn refetch_allowed(last_attempt: Option<Instant>, now: Instant, interval: Duration) -> bool {
    last_attempt.is_none_or(|at| now.saturating_duration_since(at) >= interval)
}

fn jsonwebtoken_alg(alg: Alg) -> Option<Algorithm> {
    Some(match alg {
        Alg::Hs256 => return None,
        Alg::EdDsa => Algorithm::EdDSA,
        Alg::Es256 => Algorithm::ES256,
        Alg::Es384 => Algorithm::ES384,
        Alg::Rs256 => Algorithm::RS256,
        Alg::Rs384 => Algorithm::RS384,
        Alg::Rs512 => Algorithm::RS512,
        Alg::Ps256 => Algorithm::PS256,
        Alg::Ps384 => Algorithm::PS384,
        Alg::Ps512 => Algorithm::PS512,
    })
}

fn decode_b64url(value: &str) -> Result<Vec<u8>, TokenError> {
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
fn parse_jwks(body: &[u8]) -> Result<HashMap<String, Key>, String> {
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

fn load_key(entry: serde_json::Value) -> Result<(String, Key), &'static str> {
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
            Algorithm::EdDSA
        }
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES256))
            if p.curve == EllipticCurve::P256 =>
        {
            Algorithm::ES256
        }
        (AlgorithmParameters::EllipticCurve(p), None | Some(KeyAlgorithm::ES384))
            if p.curve == EllipticCurve::P384 =>
        {
            Algorithm::ES384
        }
        // RSA keys serve both PKCS#1 v1.5 and PSS: the JWKS must say which.
        (AlgorithmParameters::RSA(_), Some(alg)) => match alg {
            KeyAlgorithm::RS256 => Algorithm::RS256,
            KeyAlgorithm::RS384 => Algorithm::RS384,
            KeyAlgorithm::RS512 => Algorithm::RS512,
            KeyAlgorithm::PS256 => Algorithm::PS256,
            KeyAlgorithm::PS384 => Algorithm::PS384,
            KeyAlgorithm::PS512 => Algorithm::PS512,
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
        (AlgorithmParameters::EllipticCurve(p), Algorithm::ES256) => {
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
            (DEFAULT_PROVIDER.verifier_factory)(&alg, &key).map_err(|_| "invalid key material")?;
            Material::Other(key)
        }
    };
    Ok((kid, Key { alg, material }))
}

/// The origin (`scheme://host[:port]`, lowercase, default port dropped) of an `http(s)` URL,
/// as Better Auth writes it into `iss` and `aud`.
pub(crate) fn origin(url: &str) -> Result<String, &'static str> {
    let (scheme, rest) = url
        .split_once("://")
        .ok_or("expected a URL such as http://localhost:3000")?;
    let scheme = scheme.to_ascii_lowercase();
    let default_port = match scheme.as_str() {
        "http" => ":80",
        "https" => ":443",
        _ => return Err("expected an http:// or https:// URL"),
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if authority.is_empty() || authority.contains('@') {
        return Err("expected a URL with a host and no user info");
    }
    let mut authority = authority.to_ascii_lowercase();
    if let Some(stripped) = authority.strip_suffix(default_port) {
        authority = stripped.to_owned();
    }
    Ok(format!("{scheme}://{authority}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(
            origin("http://localhost:3000").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            origin("http://localhost:3000/").as_deref(),
            Ok("http://localhost:3000")
        );
        assert_eq!(
            origin("HTTPS://Auth.Example.com:443/api/auth?x#y").as_deref(),
            Ok("https://auth.example.com")
        );
        assert_eq!(
            origin("http://127.0.0.1:80").as_deref(),
            Ok("http://127.0.0.1")
        );
        assert!(origin("localhost:3000").is_err());
        assert!(origin("ftp://example.com").is_err());
        assert!(origin("http://").is_err());
        assert!(origin("http://user:pw@example.com").is_err());
    }

    #[test]
    fn refetches_are_rate_limited() {
        let now = Instant::now();
        let interval = Duration::from_secs(30);
        assert!(refetch_allowed(None, now, interval));
        assert!(!refetch_allowed(Some(now), now, interval));
        assert!(!refetch_allowed(
            Some(now),
            now + Duration::from_secs(29),
            interval
        ));
        assert!(refetch_allowed(Some(now), now + interval, interval));
    }

    const ED_X: &str = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";

    #[test]
    fn keys_are_bound_to_their_algorithm() {
        let jwks = |keys: &str| parse_jwks(format!(r#"{{"keys":[{keys}]}}"#).as_bytes());
        let ed = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"a","alg":"EdDSA"}}"#);
        let loaded = jwks(&ed).expect("an Ed25519 key");
        assert_eq!(loaded.get("a").map(|k| k.alg), Some(Algorithm::EdDSA));
        // No alg: derived from kty and crv.
        let no_alg = format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"{ED_X}","kid":"b"}}"#);
        assert_eq!(
            jwks(&no_alg).expect("key").get("b").map(|k| k.alg),
            Some(Algorithm::EdDSA)
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
