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

use crate::config::Auth;

/// A fixed secret for tests. Never use it outside tests.
pub const TEST_SECRET: &str = "auth-runtime-test-secret-do-not-use-in-production";

/// An [`Auth`] that trusts [`TEST_SECRET`], with the default policy (`uid`, 5 s leeway).
pub fn auth() -> Auth {
    match Auth::builder().hs256_secret(TEST_SECRET).build() {
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
