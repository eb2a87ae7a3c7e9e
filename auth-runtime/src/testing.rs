//! Token minting for tests (feature `testing`). Tokens are signed by `jsonwebtoken`, an
//! implementation independent of this crate's verifier.
//!
//! ```
//! use auth_runtime::testing;
//!
//! # #[tokio::main(flavor = "current_thread")] async fn main() {
//! let auth = testing::auth(); // an Auth that trusts testing::TEST_SECRET
//! let token = testing::token_for("alice").sign();
//! assert_eq!(auth.verify(&token).await.unwrap().user_id(), "alice");
//!
//! let expired = testing::token_for("alice").expired().sign();
//! assert!(auth.verify(&expired).await.is_err());
//! # }
//! ```

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::Auth;
use crate::hs256::Hs256;

/// A fixed secret for tests. Never use it outside tests.
pub const TEST_SECRET: &str = "auth-runtime-test-secret-do-not-use-in-production";

/// An [`Auth`] that trusts [`TEST_SECRET`], with the default policy (`uid`, 5 s leeway).
pub fn auth() -> Auth {
    match Auth::builder().hs256(Hs256::secret(TEST_SECRET)).build() {
        Ok(auth) => auth,
        Err(error) => unreachable!("TEST_SECRET is a valid secret: {error}"),
    }
}

/// Starts a token for `user_id`: `uid` = `user_id`, `iat` = now, `exp` = in 15 minutes.
pub fn token_for(user_id: &str) -> TokenBuilder {
    let now = now();
    let mut claims = Map::new();
    claims.insert("uid".into(), Value::from(user_id));
    claims.insert("iat".into(), Value::from(now));
    claims.insert("exp".into(), Value::from(now + 15 * 60));
    TokenBuilder {
        claims,
        secret: TEST_SECRET.as_bytes().to_vec(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

/// A token being minted. Finish with [`sign`](TokenBuilder::sign).
#[derive(Debug, Clone)]
pub struct TokenBuilder {
    claims: Map<String, Value>,
    secret: Vec<u8>,
}

impl TokenBuilder {
    /// `exp` = now + `lifetime`.
    pub fn expires_in(mut self, lifetime: Duration) -> Self {
        self.claims
            .insert("exp".into(), Value::from(now() + lifetime.as_secs()));
        self
    }

    /// `exp` = one hour ago.
    pub fn expired(mut self) -> Self {
        self.claims
            .insert("exp".into(), Value::from(now().saturating_sub(3600)));
        self
    }

    /// `nbf` = in one hour.
    pub fn not_yet_valid(mut self) -> Self {
        self.claims.insert("nbf".into(), Value::from(now() + 3600));
        self
    }

    /// Sets (or replaces) any claim.
    pub fn claim(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.claims.insert(name.into(), value.into());
        self
    }

    /// Removes a claim.
    pub fn without(mut self, name: &str) -> Self {
        self.claims.remove(name);
        self
    }

    /// Signs with another secret than [`TEST_SECRET`].
    pub fn secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secret = secret.as_ref().to_vec();
        self
    }

    /// The claims as they will be signed.
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// Signs the token (HS256, header `{"typ":"JWT","alg":"HS256"}`).
    pub fn sign(&self) -> String {
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        let key = jsonwebtoken::EncodingKey::from_secret(&self.secret);
        match jsonwebtoken::encode(&header, &self.claims, &key) {
            Ok(token) => token,
            Err(error) => unreachable!("HS256 signing of a JSON object cannot fail: {error}"),
        }
    }
}

/// Signs exactly these header and payload bytes with HS256 under `secret`, for tokens an
/// ordinary signer would not write: malformed JSON, duplicate claims, unusual headers.
///
/// ```
/// use auth_runtime::testing::{self, TEST_SECRET};
///
/// let token = testing::sign_hs256_raw(br#"{"alg":"HS256"}"#, br#"{"uid":"a","uid":"b"}"#, TEST_SECRET.as_bytes());
/// assert_eq!(token.split('.').count(), 3);
/// ```
pub fn sign_hs256_raw(header: &[u8], payload: &[u8], secret: &[u8]) -> String {
    sign_raw(
        header,
        payload,
        &jsonwebtoken::EncodingKey::from_secret(secret),
        jsonwebtoken::Algorithm::HS256,
    )
}

fn sign_raw(
    header: &[u8],
    payload: &[u8],
    key: &jsonwebtoken::EncodingKey,
    alg: jsonwebtoken::Algorithm,
) -> String {
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(payload)
    );
    match jsonwebtoken::crypto::sign(input.as_bytes(), key, alg) {
        Ok(signature) => format!("{input}.{signature}"),
        Err(error) => unreachable!("signing with a valid key cannot fail: {error}"),
    }
}

/// An Ed25519 key pair for JWKS tests: publish [`jwk`](Ed25519Key::jwk) from a test JWKS
/// endpoint and sign tokens with [`sign_raw`](Ed25519Key::sign_raw).
///
/// ```
/// use auth_runtime::testing::Ed25519Key;
///
/// let key = Ed25519Key::rfc8037();
/// assert_eq!(key.jwk("k1")["x"], "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
/// let token = key.sign_raw(br#"{"alg":"EdDSA","kid":"k1"}"#, br#"{"sub":"alice"}"#);
/// assert_eq!(token.split('.').count(), 3);
/// ```
#[derive(Clone)]
pub struct Ed25519Key {
    seed: [u8; 32],
}

impl std::fmt::Debug for Ed25519Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ed25519Key")
            .field("x", &self.x())
            .finish_non_exhaustive()
    }
}

impl Ed25519Key {
    /// The key pair published in RFC 8037 §A.1 (a test key known to everyone).
    pub fn rfc8037() -> Self {
        Self::from_seed([
            0x9d, 0x61, 0xb1, 0x9d, 0xef, 0xfd, 0x5a, 0x60, 0xba, 0x84, 0x4a, 0xf4, 0x92, 0xec,
            0x2c, 0xc4, 0x44, 0x49, 0xc5, 0x69, 0x7b, 0x32, 0x69, 0x19, 0x70, 0x3b, 0xac, 0x03,
            0x1c, 0xae, 0x7f, 0x60,
        ])
    }

    /// The key pair of a 32-byte seed (the private key of RFC 8032).
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Ed25519Key { seed }
    }

    /// The public key, base64url-encoded: the JWK's `x`.
    pub fn x(&self) -> String {
        use base64::Engine as _;
        let public = ed25519_dalek::SigningKey::from_bytes(&self.seed).verifying_key();
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(public.as_bytes())
    }

    /// The public key as a JWKS entry, as Better Auth publishes it:
    /// `{"kty":"OKP","crv":"Ed25519","x":…,"kid":…,"alg":"EdDSA"}`.
    pub fn jwk(&self, kid: &str) -> Value {
        serde_json::json!({"kty": "OKP", "crv": "Ed25519", "x": self.x(), "kid": kid, "alg": "EdDSA"})
    }

    /// Signs exactly these header and payload bytes with EdDSA (whatever `alg` the header
    /// names, so that mismatched headers can be tested too).
    pub fn sign_raw(&self, header: &[u8], payload: &[u8]) -> String {
        // PKCS#8 v1 wrapping of an Ed25519 seed (RFC 8410), as jsonwebtoken reads it.
        const PKCS8_PREFIX: [u8; 16] = [
            0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22,
            0x04, 0x20,
        ];
        let mut der = PKCS8_PREFIX.to_vec();
        der.extend_from_slice(&self.seed);
        let key = jsonwebtoken::EncodingKey::from_ed_der(&der);
        sign_raw(header, payload, &key, jsonwebtoken::Algorithm::EdDSA)
    }
}
