//! The [`Auth`] handle installed on a router, and its dispatch: the token's `alg` picks the
//! one key source allowed to verify it.

use std::fmt;
use std::sync::Arc;
#[cfg(feature = "jwks")]
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::alg::Alg;
use crate::cache::{Entry, TokenCache, VerifiedBy};
use crate::claims::{ClaimPolicy, check_time};
use crate::error::{AuthError, Refusal, TokenError};
use crate::hs256::Hs256Source;
#[cfg(feature = "jwks")]
use crate::jwks::JwksSource;
use crate::jws::{self, MAX_TOKEN_LEN};
use crate::observe;
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
    #[cfg(feature = "jwks")]
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
        #[cfg(feature = "jwks")]
        if let Some(jwks) = &self.inner.jwks {
            debug
                .field("jwks_url", &jwks.url())
                .field("jwks_policy", &jwks.policy);
        }
        debug.finish()
    }
}

impl Auth {
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
        self.verify_reporting(token, now)
            .await
            .map_err(|refusal| refusal.error)
    }

    /// [`verify_at`](Self::verify_at), with the algorithm a refused token named.
    pub(crate) async fn verify_reporting(
        &self,
        token: &str,
        now: u64,
    ) -> Result<Arc<VerifiedToken>, Refusal> {
        self.verify_bytes(token.as_bytes(), now).await
    }

    /// The credential's bytes as a request carries them: a cache hit needs no other pass over
    /// them than the hash and the comparison (only tokens that passed every check are cached);
    /// anything else is checked to be text first.
    pub(crate) async fn verify_bytes(
        &self,
        token: &[u8],
        now: u64,
    ) -> Result<Arc<VerifiedToken>, Refusal> {
        if token.len() > MAX_TOKEN_LEN {
            // Refused before it is hashed.
            return Err(TokenError::TooLong.into());
        }
        let Some(cache) = &self.inner.cache else {
            let (verified, _) = self.verify_uncached(text(token)?, now).await?;
            return Ok(Arc::new(verified));
        };
        if let Some(entry) = cache.get(token) {
            if self.still_valid(&entry, now).await {
                observe::cache_lookup(true);
                return Ok(Arc::clone(&entry.token));
            }
            // Expired, or its key is gone: verified afresh below, which says why.
            cache.remove(token);
            observe::cache_entries(cache.len());
        }
        observe::cache_lookup(false);
        let (verified, verified_by) = self.verify_uncached(text(token)?, now).await?;
        let verified = Arc::new(verified);
        cache.insert(
            token,
            Entry::new(token.len(), Arc::clone(&verified), verified_by),
        );
        observe::cache_entries(cache.len());
        Ok(verified)
    }

    /// Whether a cached token is still accepted: its time claims against `now`, and for a JWKS
    /// token, its key still published under its `kid`.
    async fn still_valid(&self, entry: &Entry, now: u64) -> bool {
        let token = &entry.token;
        let in_time =
            |leeway| check_time(token.expires_at(), token.not_before(), leeway, now).is_ok();
        match &entry.verified_by {
            VerifiedBy::Hs256 => self
                .inner
                .hs256
                .as_ref()
                .is_some_and(|hs| in_time(hs.policy.leeway)),
            #[cfg(feature = "jwks")]
            VerifiedBy::Jwks {
                kid,
                key,
                generation,
            } => match &self.inner.jwks {
                Some(jwks) if in_time(jwks.policy.leeway) => {
                    // The same fresh key set that last published the key: no lookup.
                    if jwks.is_current(generation.load(Ordering::Relaxed)) {
                        return true;
                    }
                    match Box::pin(jwks.still_publishes(kid, key)).await {
                        Some(current) => {
                            generation.store(current, Ordering::Relaxed);
                            true
                        }
                        None => false,
                    }
                }
                _ => false,
            },
        }
    }

    /// The whole verification: the token's `alg` picks the one source allowed to verify it.
    async fn verify_uncached(
        &self,
        token: &str,
        now: u64,
    ) -> Result<(VerifiedToken, VerifiedBy), Refusal> {
        let jws = jws::parse(token)?;
        let named = |error: AuthError| Refusal {
            error,
            alg: Some(jws.alg.name()),
        };
        if jws.alg == Alg::Hs256 {
            return match &self.inner.hs256 {
                Some(hs) => Ok((
                    hs.verify(&jws, now).map_err(|e| named(e.into()))?,
                    VerifiedBy::Hs256,
                )),
                None => Err(named(TokenError::UnsupportedAlgorithm.into())),
            };
        }
        #[cfg(feature = "jwks")]
        if let Some(jwks) = &self.inner.jwks {
            // Boxed: the JWKS future holds a whole HTTP fetch; inline, it would make every
            // HS256 verification future (and every extractor future around it) 1 KiB larger.
            let (verified, key, generation) =
                Box::pin(jwks.verify(&jws, now)).await.map_err(named)?;
            let kid = jws.kid.unwrap_or_default().into_boxed_str();
            let generation = AtomicU64::new(generation);
            return Ok((
                verified,
                VerifiedBy::Jwks {
                    kid,
                    key,
                    generation,
                },
            ));
        }
        Err(named(TokenError::UnsupportedAlgorithm.into()))
    }

    /// Fetches the JWKS now, whatever the refetch rate limit, and returns how many keys it
    /// holds: for an operator who has just removed a key and wants it refused at once (tokens
    /// it signed, cached or not, are refused from then on). [`AuthError::KeysUnavailable`] when
    /// the fetch fails (the keys held before stay in use) or JWKS mode is off.
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
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

    /// What the cached tokens weigh now, in bytes (0 when the cache is off): never more than
    /// the bound set with [`AuthBuilder::token_cache_max_bytes`](crate::AuthBuilder::token_cache_max_bytes).
    pub fn cached_bytes(&self) -> u64 {
        self.inner.cache.as_ref().map_or(0, TokenCache::weight)
    }

    /// The claims HS256 tokens carry the user id and the roles in, if HS256 mode is on.
    pub fn hs256_claims(&self) -> Option<ClaimNames<'_>> {
        self.inner
            .hs256
            .as_ref()
            .map(|hs| ClaimNames::of(&hs.policy))
    }

    /// The claims JWKS tokens carry the user id and the roles in, if JWKS mode is on.
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub fn jwks_claims(&self) -> Option<ClaimNames<'_>> {
        self.inner
            .jwks
            .as_ref()
            .map(|jwks| ClaimNames::of(&jwks.policy))
    }

    /// The RFC 9728 protected-resource metadata of this API, when a resource is configured
    /// (`Jwks::resource`, `AUTH_RESOURCE`): `resource`,
    /// `authorization_servers` (the access tokens' issuer), `scopes_supported` (when given) and
    /// `bearer_methods_supported: ["header"]`.
    pub fn protected_resource_metadata(&self) -> Option<serde_json::Value> {
        #[cfg(feature = "jwks")]
        return self.access_tokens().map(|access| access.metadata());
        #[cfg(not(feature = "jwks"))]
        None
    }

    /// Where the metadata is served (RFC 9728 §3.1: the resource's origin, then
    /// `/.well-known/oauth-protected-resource`, then the resource's path), when a resource is
    /// configured: the `resource_metadata` of the 401s.
    pub fn resource_metadata_url(&self) -> Option<&str> {
        #[cfg(feature = "jwks")]
        return self.access_tokens().map(|access| &*access.metadata_url);
        #[cfg(not(feature = "jwks"))]
        None
    }

    /// A router serving the metadata at its well-known path (`GET`, JSON), to merge into the
    /// application's: `app.merge(auth.protected_resource_router())`. Empty when no resource is
    /// configured.
    pub fn protected_resource_router<S>(&self) -> axum::Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        #[cfg(feature = "jwks")]
        if let Some(access) = self.access_tokens() {
            return access.router();
        }
        axum::Router::new()
    }

    #[cfg(feature = "jwks")]
    fn access_tokens(&self) -> Option<&crate::resource::AccessTokens> {
        self.inner
            .jwks
            .as_ref()
            .and_then(|jwks| jwks.access.as_ref())
    }
}

/// The claims one key source reads the user id and the roles from
/// ([`Auth::hs256_claims`], [`Auth::jwks_claims`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ClaimNames<'a> {
    /// The user-id claim (`uid` for HS256 and `sub` for JWKS unless configured).
    pub user_id: &'a str,
    /// The role claim (`role` unless configured).
    pub role: &'a str,
}

impl<'a> ClaimNames<'a> {
    fn of(policy: &'a ClaimPolicy) -> Self {
        ClaimNames {
            user_id: &policy.user_id_claim,
            role: &policy.role_claim,
        }
    }
}

/// The credential as text: a token is ASCII (base64url and dots), so bytes that are not UTF-8
/// are no token.
fn text(token: &[u8]) -> Result<&str, Refusal> {
    std::str::from_utf8(token).map_err(|_| TokenError::Malformed.into())
}

/// Seconds since the Unix epoch. A clock before 1970 reads as the far future, so every token
/// is expired: an unusable clock fails closed.
pub(crate) fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(u64::MAX, |elapsed| elapsed.as_secs())
}
