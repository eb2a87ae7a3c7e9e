//! The [`Auth`] handle installed on a router, and its dispatch: the token's `alg` picks the
//! one key source allowed to verify it.

use std::fmt;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::alg::Alg;
use crate::cache::{Entry, TokenCache, VerifiedBy};
use crate::claims::check_time;
use crate::config::{AuthBuilder, ConfigError};
use crate::env;
use crate::error::{AuthError, TokenError};
use crate::hs256::Hs256Source;
use crate::jwks::JwksSource;
use crate::jws::{self, MAX_TOKEN_LEN};
use crate::verified::VerifiedToken;

/// The verifier: prepared keys and claim policies, shared by every request.
///
/// Two key sources, each pinned to its own algorithms and with its own claim policy:
/// - **HS256** with a shared secret (`BETTER_AUTH_SECRET`); the user id is in `uid` by default.
/// - **JWKS**: the public keys of Better Auth's `jwt` plugin (EdDSA by default; ES256, ES384,
///   ES512, RS256/384/512 and PS256/384/512 too); the user id is in `sub` by default, and `iss`/`aud`
///   must be the origin of `BETTER_AUTH_URL`.
///
/// The token's `alg` selects the source: an HS256 token is only ever checked with the secret,
/// an asymmetric one only with the JWKS key its `kid` names. Either source may be configured
/// alone, or both.
///
/// Cheap to clone. Build it once at start-up with [`Auth::from_env`] or [`Auth::builder`], and
/// install it on the router with [`Auth::layer`]:
///
/// ```
/// use auth_runtime::{Auth, Claims, Hs256};
/// use axum::{Router, routing::get};
///
/// async fn me(claims: Claims) -> String {
///     claims.user_id().to_owned()
/// }
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let auth = Auth::builder()
///     .hs256(Hs256::secret("a-secret-of-at-least-32-characters-0123456789"))
///     .build()?;
/// let app: Router = Router::new().route("/me", get(me)).layer(auth.layer());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub(crate) hs256: Option<Hs256Source>,
    pub(crate) jwks: Option<JwksSource>,
    pub(crate) cache: Option<TokenCache>,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Auth");
        if let Some(hs) = &self.inner.hs256 {
            debug
                .field("hs256_keys", &hs.key_count())
                .field("hs256_policy", &hs.policy);
        }
        if let Some(jwks) = &self.inner.jwks {
            debug
                .field("jwks_url", &jwks.url())
                .field("jwks_policy", &jwks.policy);
        }
        debug.finish()
    }
}

impl Auth {
    /// Starts a configuration from scratch (no environment is read).
    pub fn builder() -> AuthBuilder {
        AuthBuilder::default()
    }

    /// Reads the configuration from the environment. At least one key source is required.
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `BETTER_AUTH_SECRET` | HS256 mode: the secret, used as its raw UTF-8 bytes |
    /// | `BETTER_AUTH_PREVIOUS_SECRET` | optional: a previous secret still accepted (rotation) |
    /// | `AUTH_JWT_ISSUER`, `AUTH_JWT_AUDIENCE` | optional: required `iss` / `aud` of HS256 tokens |
    /// | `AUTH_JWT_USER_ID_CLAIM` | optional: the user-id claim of HS256 tokens, default `uid` |
    /// | `AUTH_JWT_ROLE_CLAIM` | optional: the role claim of HS256 tokens, default `role` |
    /// | `BETTER_AUTH_URL` | JWKS mode: the Better Auth server, e.g. `http://localhost:3000` |
    /// | `BETTER_AUTH_JWKS_URL` | optional: the JWKS URL, default `{origin}/api/auth/jwks` |
    /// | `AUTH_JWKS_ISSUER`, `AUTH_JWKS_AUDIENCE` | optional: default the origin of `BETTER_AUTH_URL` |
    /// | `AUTH_JWKS_USER_ID_CLAIM` | optional: the user-id claim of JWKS tokens, default `sub` |
    /// | `AUTH_JWKS_ROLE_CLAIM` | optional: the role claim of JWKS tokens, default `role` |
    /// | `AUTH_JWKS_MIN_REFETCH_SECS` | optional: least time between JWKS fetches, default 30 |
    /// | `AUTH_JWKS_CA_FILE` | optional: a PEM bundle of CAs to trust for the JWKS's https |
    /// | `AUTH_JWKS_ALLOW_HTTP` | optional: `1` allows plain http to a host other than loopback |
    /// | `AUTH_JWT_LEEWAY_SECS` | optional: clock-skew leeway, default 5, at most 300 |
    /// | `AUTH_TOKEN_CACHE_CAPACITY` | optional: verified tokens cached, default 10000, 0 for none |
    pub fn from_env() -> Result<Self, ConfigError> {
        env::builder(std::env::var_os)?.build()
    }

    /// Verifies a compact JWS (the part after `Bearer `) now.
    ///
    /// An HS256 token never waits; a JWKS token may wait for a (rate-limited) fetch of the
    /// keys. A token verified before is taken from the cache of verified tokens (its time
    /// claims and its key checked again), shared rather than copied: hence the `Arc`.
    pub async fn verify(&self, token: &str) -> Result<Arc<VerifiedToken>, AuthError> {
        self.verify_at(token, unix_now()).await
    }

    /// Verifies a compact JWS as if the current time were `now` (seconds since the Unix epoch).
    pub async fn verify_at(&self, token: &str, now: u64) -> Result<Arc<VerifiedToken>, AuthError> {
        let Some(cache) = &self.inner.cache else {
            let (verified, _) = self.verify_uncached(token, now).await?;
            return Ok(Arc::new(verified));
        };
        if token.len() > MAX_TOKEN_LEN {
            // Refused before it is hashed.
            return Err(TokenError::TooLong.into());
        }
        if let Some(entry) = cache.get(token) {
            if self.still_valid(&entry, now).await {
                return Ok(Arc::clone(&entry.token));
            }
            // Expired, or its key is gone: verified afresh below, which says why.
            cache.remove(token);
        }
        let (verified, verified_by) = self.verify_uncached(token, now).await?;
        let verified = Arc::new(verified);
        cache.insert(
            token,
            Entry {
                token: Arc::clone(&verified),
                verified_by,
            },
        );
        Ok(verified)
    }

    /// Whether a cached token is still accepted: its time claims against `now`, and for a JWKS
    /// token, its key still published under its `kid`.
    async fn still_valid(&self, entry: &Entry, now: u64) -> bool {
        let leeway = match (&entry.verified_by, &self.inner.hs256, &self.inner.jwks) {
            (VerifiedBy::Hs256, Some(hs), _) => hs.policy.leeway,
            (VerifiedBy::Jwks { .. }, _, Some(jwks)) => jwks.policy.leeway,
            _ => return false,
        };
        let token = &entry.token;
        if check_time(token.expires_at(), token.not_before(), leeway, now).is_err() {
            return false;
        }
        match (&entry.verified_by, &self.inner.jwks) {
            (VerifiedBy::Jwks { kid, key }, Some(jwks)) => {
                Box::pin(jwks.still_publishes(kid, key)).await
            }
            _ => true,
        }
    }

    /// The whole verification: the token's `alg` picks the one source allowed to verify it.
    async fn verify_uncached(
        &self,
        token: &str,
        now: u64,
    ) -> Result<(VerifiedToken, VerifiedBy), AuthError> {
        let jws = jws::parse(token)?;
        match (jws.alg, &self.inner.hs256, &self.inner.jwks) {
            (Alg::Hs256, Some(hs), _) => Ok((hs.verify(&jws, now)?, VerifiedBy::Hs256)),
            (Alg::Hs256, None, _) => Err(TokenError::UnsupportedAlgorithm.into()),
            // Boxed: the JWKS future holds a whole HTTP fetch; inline, it would make every
            // HS256 verification future (and every extractor future around it) 1 KiB larger.
            (_, _, Some(jwks)) => {
                let (verified, key) = Box::pin(jwks.verify(&jws, now)).await?;
                let kid = jws.kid.unwrap_or_default().into_boxed_str();
                Ok((verified, VerifiedBy::Jwks { kid, key }))
            }
            (_, _, None) => Err(TokenError::UnsupportedAlgorithm.into()),
        }
    }

    /// Fetches the JWKS now, whatever the refetch rate limit, and returns how many keys it
    /// holds: for an operator who has just removed a key and wants it refused at once (tokens
    /// it signed, cached or not, are refused from then on). [`AuthError::KeysUnavailable`] when
    /// the fetch fails (the keys held before stay in use) or JWKS mode is off.
    pub async fn refetch_jwks(&self) -> Result<usize, AuthError> {
        match &self.inner.jwks {
            Some(jwks) => jwks.refetch_now().await,
            None => Err(AuthError::KeysUnavailable),
        }
    }

    /// How many verified tokens the cache holds now (0 when it is off).
    pub fn cached_tokens(&self) -> usize {
        self.inner.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// The claim that carries the user id of HS256 tokens, if HS256 mode is on.
    pub fn user_id_claim(&self) -> Option<&str> {
        self.inner
            .hs256
            .as_ref()
            .map(|hs| &*hs.policy.user_id_claim)
    }

    /// The claim that carries the roles of HS256 tokens, if HS256 mode is on.
    pub fn role_claim(&self) -> Option<&str> {
        self.inner.hs256.as_ref().map(|hs| &*hs.policy.role_claim)
    }

    /// The layer that makes this configuration available to the extractors:
    /// `router.layer(auth.layer())`.
    pub fn layer(&self) -> axum::Extension<Auth> {
        axum::Extension(self.clone())
    }
}

/// Seconds since the Unix epoch. A clock before 1970 reads as the far future, so every token
/// is expired: an unusable clock fails closed.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(u64::MAX, |elapsed| elapsed.as_secs())
}
