//! The JWKS key source: the public keys that Better Auth's `jwt` plugin publishes, fetched
//! over HTTP(S), cached, and refetched (rate-limited, single-flight) when a token names an
//! unknown `kid`. Reading a JWK into a key is [`jwk`](crate::jwk)'s.

#[cfg(feature = "https")]
mod tls;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::claims::ClaimPolicy;
use crate::error::{AuthError, TokenError};
use crate::jwk::{PublicKey, parse_jwks};
use crate::jws::Jws;
use crate::observe::{self, FetchResult};
use crate::resource::{AccessTokens, Resource};
use crate::settings::{ConfigError, Setting, SourceClaims, non_blank};
use crate::verified::VerifiedToken;
use crate::verified::verify_claims;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

/// The default least time between two JWKS fetches: a flood of tokens with random `kid`s
/// causes at most one fetch per interval.
pub const DEFAULT_JWKS_MIN_REFETCH: Duration = Duration::from_secs(30);
/// Better Auth's default path of the JWKS endpoint, below the origin.
pub const DEFAULT_JWKS_PATH: &str = "/api/auth/jwks";
/// How long a fetched JWKS is used before it is refetched on the next request.
pub(crate) const MAX_AGE: Duration = Duration::from_secs(600);
/// The largest JWKS document accepted.
const MAX_JWKS_BYTES: usize = 256 * 1024;
/// How long one fetch may take.
const FETCH_TIMEOUT: Duration = Duration::from_secs(5);

/// The JWKS key source: where the public keys are published, and the claims their tokens must
/// carry.
///
/// [`Jwks::better_auth`] is the common case: the keys of a Better Auth server, with `iss` and
/// `aud` required to be its origin and the user id in `sub`, as Better Auth writes them.
///
/// ```
/// use auth_runtime::{Auth, Jwks};
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let auth = Auth::builder()
///     .jwks(Jwks::better_auth("https://auth.example.com").jwks_url("https://auth.example.com/auth/jwks"))
///     .build()?;
/// # let _ = auth; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Jwks {
    location: Location,
    issuer: Option<Setting<String>>,
    audience: Option<Setting<String>>,
    user_id_claim: Option<Setting<String>>,
    role_claim: Option<Setting<String>>,
    min_refetch: Option<Setting<Duration>>,
    ca_file: Option<Setting<PathBuf>>,
    resource: Option<Resource>,
    allow_http: bool,
}

/// Where the keys are, and whether `iss`/`aud` default to a Better Auth origin.
#[derive(Clone, Debug)]
enum Location {
    BetterAuth {
        url: Setting<String>,
        jwks_url: Option<Setting<String>>,
    },
    Jwks(Setting<String>),
}

impl Jwks {
    /// The keys of the Better Auth server at `url` (its `BETTER_AUTH_URL`): fetched from
    /// `{origin}/api/auth/jwks`, with `iss` and `aud` required to equal the origin of `url`.
    pub fn better_auth(url: impl Into<String>) -> Self {
        Self::for_better_auth(Setting::new(url.into(), "Jwks::better_auth"))
    }

    /// The keys published at `jwks_url`, for a server whose tokens are not Better Auth's usual
    /// ones: [`issuer`](Self::issuer) and [`audience`](Self::audience) must both be set, or
    /// [`build`](crate::AuthBuilder::build) refuses it (the keys sign more than one kind of
    /// token, and only `iss` and `aud` tell this API's apart). With a Better Auth server, prefer
    /// [`Jwks::better_auth`] and [`jwks_url`](Self::jwks_url).
    pub fn url(jwks_url: impl Into<String>) -> Self {
        Self::at(Setting::new(jwks_url.into(), "Jwks::url"))
    }

    pub(crate) fn for_better_auth(url: Setting<String>) -> Self {
        Self::located(Location::BetterAuth {
            url,
            jwks_url: None,
        })
    }

    pub(crate) fn at(jwks_url: Setting<String>) -> Self {
        Self::located(Location::Jwks(jwks_url))
    }

    fn located(location: Location) -> Self {
        Jwks {
            location,
            issuer: None,
            audience: None,
            user_id_claim: None,
            role_claim: None,
            min_refetch: None,
            ca_file: None,
            resource: None,
            allow_http: false,
        }
    }

    /// The JWKS URL, when it is not `{origin}/api/auth/jwks` (a custom `basePath` or
    /// `jwks.jwksPath`).
    pub fn jwks_url(self, url: impl Into<String>) -> Self {
        self.jwks_url_from(Setting::new(url.into(), "Jwks::jwks_url"))
    }

    pub(crate) fn jwks_url_from(mut self, url: Setting<String>) -> Self {
        match &mut self.location {
            Location::BetterAuth { jwks_url, .. } => *jwks_url = Some(url),
            Location::Jwks(jwks_url) => *jwks_url = url,
        }
        self
    }

    /// The required `iss` (default: the origin of the Better Auth URL).
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        self.issuer_from(Setting::new(issuer.into(), "Jwks::issuer"))
    }

    pub(crate) fn issuer_from(mut self, issuer: Setting<String>) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// A value `aud` must contain (default: the origin of the Better Auth URL).
    pub fn audience(self, audience: impl Into<String>) -> Self {
        self.audience_from(Setting::new(audience.into(), "Jwks::audience"))
    }

    pub(crate) fn audience_from(mut self, audience: Setting<String>) -> Self {
        self.audience = Some(audience);
        self
    }

    /// The claim that carries the user id (default `sub`, where Better Auth puts it).
    pub fn user_id_claim(self, claim: impl Into<String>) -> Self {
        self.user_id_claim_from(Setting::new(claim.into(), "Jwks::user_id_claim"))
    }

    pub(crate) fn user_id_claim_from(mut self, claim: Setting<String>) -> Self {
        self.user_id_claim = Some(claim);
        self
    }

    /// The claim that carries the roles `#[authorized(role = "…")]` checks (default `role`,
    /// where Better Auth's `admin` plugin puts them): a string of comma-separated roles or an
    /// array of strings.
    pub fn role_claim(self, claim: impl Into<String>) -> Self {
        self.role_claim_from(Setting::new(claim.into(), "Jwks::role_claim"))
    }

    pub(crate) fn role_claim_from(mut self, claim: Setting<String>) -> Self {
        self.role_claim = Some(claim);
        self
    }

    /// The least time between two JWKS fetches (default 30 s, at least 1 s).
    pub fn min_refetch_interval(self, interval: Duration) -> Self {
        self.min_refetch_interval_from(Setting::new(interval, "Jwks::min_refetch_interval"))
    }

    pub(crate) fn min_refetch_interval_from(mut self, interval: Setting<Duration>) -> Self {
        self.min_refetch = Some(interval);
        self
    }

    /// A PEM bundle of certificate authorities to trust for the JWKS's https, besides Mozilla's
    /// roots and the system's store: for a Better Auth server behind a private CA. Read and
    /// checked by [`build`](crate::AuthBuilder::build).
    pub fn ca_file(self, path: impl Into<PathBuf>) -> Self {
        self.ca_file_from(Setting::new(path.into(), "Jwks::ca_file"))
    }

    pub(crate) fn ca_file_from(mut self, path: Setting<PathBuf>) -> Self {
        self.ca_file = Some(path);
        self
    }

    /// The resource given with [`resource`](Self::resource), to complete in code.
    pub(crate) fn resource_mut(&mut self) -> Option<&mut Resource> {
        self.resource.as_mut()
    }

    /// This API as an OAuth protected resource ([`Resource`]): OAuth 2.1 access tokens from
    /// Better Auth's `oauth-provider` plugin (header `typ` `at+jwt`) are accepted, by
    /// `#[authorized(scope = …)]` routes only, when their `aud` holds its identifier and their
    /// `iss` is its issuer. Without it, access tokens are refused everywhere. Also what the
    /// RFC 9728 metadata says
    /// ([`Auth::protected_resource_metadata`](crate::Auth::protected_resource_metadata)).
    pub fn resource(mut self, resource: Resource) -> Self {
        self.resource = Some(resource);
        self
    }

    /// Allows a plain `http://` JWKS URL on a host other than the loopback one. Without it such
    /// a URL is refused at start-up: anyone on the path could publish their own keys.
    pub fn allow_http(mut self) -> Self {
        self.allow_http = true;
        self
    }

    pub(crate) fn build(self, leeway: u64) -> Result<JwksSource, ConfigError> {
        let (url, origin) = match self.location {
            Location::Jwks(url) => (url, None),
            Location::BetterAuth { url, jwks_url } => {
                let origin = origin(&url.value).map_err(|reason| ConfigError::Invalid {
                    var: url.from,
                    reason,
                })?;
                let jwks_url = jwks_url.unwrap_or_else(|| {
                    Setting::new(format!("{origin}{DEFAULT_JWKS_PATH}"), url.from)
                });
                (jwks_url, Some(Setting::new(origin, url.from)))
            }
        };
        check_jwks_url(&url.value, url.from, self.allow_http)?;
        let extra_roots = match self.ca_file {
            #[cfg(feature = "https")]
            Some(file) => {
                tls::read_pem_bundle(&file.value).map_err(|reason| ConfigError::Invalid {
                    var: file.from,
                    reason,
                })?
            }
            #[cfg(not(feature = "https"))]
            Some(file) => {
                return Err(ConfigError::Invalid {
                    var: file.from,
                    reason: "a CA bundle needs the `https` feature of auth-runtime (on by default)",
                });
            }
            None => Vec::new(),
        };
        let min_refetch = match self.min_refetch {
            Some(Setting { value, from }) if value < Duration::from_secs(1) => {
                return Err(ConfigError::Invalid {
                    var: from,
                    reason: "at least 1 second",
                });
            }
            Some(setting) => setting.value,
            None => DEFAULT_JWKS_MIN_REFETCH,
        };
        let claims = SourceClaims::new(self.user_id_claim, "sub", self.role_claim)?;
        // Every kind of token these keys sign is pinned: a session token to its issuer and
        // audience, an access token to its issuer (its audience is the resource). Better Auth
        // signs ID tokens, and other clients' access tokens, with the same keys.
        let issuer = non_blank(self.issuer.or_else(|| origin.clone()))?.ok_or(ConfigError::Invalid {
            var: url.from,
            reason: "no issuer to require of session tokens (a JWKS URL gives no origin to derive it from): set BETTER_AUTH_URL to your Better Auth server's URL (Jwks::better_auth), or AUTH_JWKS_ISSUER (Jwks::issuer)",
        })?;
        let audience = non_blank(self.audience.or_else(|| origin.clone()))?.ok_or(ConfigError::Invalid {
            var: url.from,
            reason: "no audience to require of session tokens (a JWKS URL gives no origin to derive it from): set BETTER_AUTH_URL to your Better Auth server's URL (Jwks::better_auth), or AUTH_JWKS_AUDIENCE (Jwks::audience)",
        })?;
        let access =
            match self.resource {
                None => None,
                Some(resource) => Some(resource.build(
                    origin.as_ref().map(|origin| {
                        Setting::new(format!("{}/api/auth", origin.value), origin.from)
                    }),
                    leeway,
                    &claims,
                )?),
            };
        let policy = ClaimPolicy {
            issuer: Some(issuer),
            audience: Some(audience),
            leeway,
            user_id_claim: claims.user_id,
            role_claim: claims.role,
            scope_implications: Box::default(),
            audience_is_resource: false,
        };
        JwksSource::new(url.value, policy, access, min_refetch, &extra_roots).map_err(|error| {
            tracing::error!(%error, "cannot set up the JWKS client");
            ConfigError::Invalid {
                var: url.from,
                reason: "the HTTP client for the JWKS cannot be set up",
            }
        })
    }
}

fn check_jwks_url(url: &str, var: &'static str, allow_http: bool) -> Result<(), ConfigError> {
    let invalid = |reason| ConfigError::Invalid { var, reason };
    let origin = origin(url).map_err(invalid)?;
    if let Some(host) = origin.strip_prefix("http://")
        && !allow_http
        && !is_loopback(host)
    {
        return Err(invalid(
            "plain http to a host other than loopback lets anyone on the path publish keys: use https, or allow it explicitly (AUTH_JWKS_ALLOW_HTTP=1, Jwks::allow_http)",
        ));
    }
    if cfg!(not(feature = "https"))
        && url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    {
        return Err(invalid(
            "an https JWKS URL needs the `https` feature of auth-runtime (on by default)",
        ));
    }
    Ok(())
}

/// `localhost`, `127.x.x.x` or `[::1]`, with or without a port.
fn is_loopback(authority: &str) -> bool {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or_default(),
        None => authority.split(':').next().unwrap_or_default(),
    };
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[derive(Clone, Default)]
struct Snapshot {
    keys: Arc<HashMap<String, Arc<PublicKey>>>,
    /// The last successful fetch; `None` until one succeeded.
    fetched_at: Option<Instant>,
    /// `fetched_at` + [`MAX_AGE`]: the set is used until then without a refetch.
    fresh_until: Option<Instant>,
    /// The last fetch attempted, successful or not: the rate limit counts from here.
    attempted_at: Option<Instant>,
    /// Bumped by every successful fetch, so that waiters see that someone else refetched.
    generation: u64,
}

#[cfg(feature = "https")]
type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
#[cfg(not(feature = "https"))]
type Connector = HttpConnector;

/// An HTTP connector, with TLS when the `https` feature is on (see [`tls`]). No redirects are
/// followed: the JWKS URL is the one configured.
fn connector(
    #[cfg_attr(not(feature = "https"), allow(unused_variables))] extra_roots: &[Certificate],
) -> Result<Connector, String> {
    let mut http = HttpConnector::new();
    http.set_connect_timeout(Some(FETCH_TIMEOUT));
    #[cfg(feature = "https")]
    {
        http.enforce_http(false);
        Ok(hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls::client_config(extra_roots)?)
            .https_or_http()
            .enable_http1()
            .wrap_connector(http))
    }
    #[cfg(not(feature = "https"))]
    Ok(http)
}

#[cfg(feature = "https")]
type Certificate = rustls::pki_types::CertificateDer<'static>;
#[cfg(not(feature = "https"))]
type Certificate = ();

pub(crate) struct JwksSource {
    url: String,
    pub(crate) policy: ClaimPolicy,
    /// With a resource identifier: what OAuth access tokens must satisfy.
    pub(crate) access: Option<AccessTokens>,
    min_refetch_interval: Duration,
    cache: RwLock<Snapshot>,
    /// Held while a refetch is under way (single flight).
    refetching: tokio::sync::Mutex<()>,
    client: Client<Connector, Empty<Bytes>>,
}

impl JwksSource {
    pub(crate) fn new(
        url: String,
        policy: ClaimPolicy,
        access: Option<AccessTokens>,
        min_refetch_interval: Duration,
        extra_roots: &[Certificate],
    ) -> Result<Self, String> {
        Ok(JwksSource {
            url,
            policy,
            access,
            min_refetch_interval,
            cache: RwLock::new(Snapshot::default()),
            refetching: tokio::sync::Mutex::new(()),
            client: Client::builder(TokioExecutor::new()).build(connector(extra_roots)?),
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

    /// The key `kid` names in the current key set, after a refetch when the set is stale or
    /// lacks it (rate-limited, single flight).
    async fn key(&self, kid: &str) -> Result<(Arc<PublicKey>, u64), AuthError> {
        let mut snapshot = self.snapshot();
        let mut key = snapshot.keys.get(kid).cloned();
        let stale = snapshot.fetched_at.is_none_or(|at| at.elapsed() >= MAX_AGE);
        if (stale || key.is_none())
            && self.may_refetch(&snapshot, key.is_none())
            && let Some(fresh) = self.refetch(snapshot.generation, false).await
        {
            snapshot = fresh;
            key = snapshot.keys.get(kid).cloned();
        }
        if snapshot.fetched_at.is_none() {
            return Err(AuthError::KeysUnavailable);
        }
        key.map(|key| (key, snapshot.generation))
            .ok_or(TokenError::UnknownKey.into())
    }

    /// Verifies the signature of an asymmetric JWS and validates its claims; returns the key
    /// that verified it too, and the generation of the key set that held it.
    pub(crate) async fn verify(
        &self,
        jws: &Jws<'_>,
        now: u64,
    ) -> Result<(VerifiedToken, Arc<PublicKey>, u64), AuthError> {
        let Some(kid) = jws.kid.as_deref() else {
            return Err(TokenError::UnknownKey.into());
        };
        let (key, generation) = self.key(kid).await?;
        if key.alg != jws.alg {
            return Err(TokenError::UnsupportedAlgorithm.into());
        }
        // The header's `typ` (covered by the signature) says which kind the token claims to be,
        // and it is held to that kind's issuer and audience only.
        let policy = match (jws.access_token, &self.access) {
            (false, _) => &self.policy,
            (true, Some(access)) => &access.policy,
            (true, None) => return Err(TokenError::UnsupportedType.into()),
        };
        let timer = observe::VerifyTimer::start();
        let verified = verify_with(&key, jws).and_then(|()| verify_claims(jws, policy, now));
        timer.stop(jws.alg);
        Ok((verified?, key, generation))
    }

    /// Whether the current key set is the fresh set of `generation`: then it still publishes
    /// every key it held, and a cached token one of them verified needs no lookup (the common
    /// cache hit: one read lock and a comparison).
    pub(crate) fn is_current(&self, generation: u64) -> bool {
        let snapshot = self
            .cache
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        snapshot.generation == generation
            && snapshot
                .fresh_until
                .is_some_and(|until| Instant::now() < until)
    }

    /// Whether the current key set still publishes `key` under `kid` (refetched first when it
    /// is stale, as for any token): a cached token is accepted only while its key is. The
    /// generation of the set that does.
    pub(crate) async fn still_publishes(&self, kid: &str, key: &Arc<PublicKey>) -> Option<u64> {
        self.key(kid)
            .await
            .ok()
            .and_then(|(current, generation)| Arc::ptr_eq(&current, key).then_some(generation))
    }

    /// Fetches the key set now, whatever the rate limit; returns how many keys it holds.
    pub(crate) async fn refetch_now(&self) -> Result<usize, AuthError> {
        let generation = self.snapshot().generation;
        match self.refetch(generation, true).await {
            Some(snapshot) if snapshot.generation != generation => Ok(snapshot.keys.len()),
            _ => Err(AuthError::KeysUnavailable),
        }
    }

    /// Whether this request should go to [`refetch`](Self::refetch), decided without taking
    /// its lock: a flood of unknown `kid`s, or requests during an outage, must not queue one by
    /// one behind it. It goes when a fetch is allowed by the rate limit, or, for a `kid` the
    /// cache lacks, when a fetch is under way (its result may hold the key).
    fn may_refetch(&self, snapshot: &Snapshot, missing: bool) -> bool {
        refetch_allowed(
            snapshot.attempted_at,
            Instant::now(),
            self.min_refetch_interval,
        ) || (missing && self.refetching.try_lock().is_err())
    }

    /// Refetches the JWKS unless another request just did (single flight) or the last attempt
    /// is more recent than the rate limit. Returns the snapshot to use, or `None` to keep the
    /// current one. `force` skips both checks (an explicit [`Auth::refetch_jwks`]).
    ///
    /// [`Auth::refetch_jwks`]: crate::Auth::refetch_jwks
    async fn refetch(&self, seen_generation: u64, force: bool) -> Option<Snapshot> {
        let _single_flight = self.refetching.lock().await;
        let current = self.snapshot();
        if current.generation != seen_generation && !force {
            return Some(current);
        }
        if !force
            && !refetch_allowed(
                current.attempted_at,
                Instant::now(),
                self.min_refetch_interval,
            )
        {
            tracing::debug!(reason = "jwks_refetch_rate_limited", "JWKS refetch skipped");
            return None;
        }
        let attempted_at = Some(Instant::now());
        self.store(|snapshot| snapshot.attempted_at = attempted_at);
        match self.fetch(&current.keys).await {
            Ok(keys) => {
                tracing::debug!(keys = keys.len(), "JWKS fetched");
                observe::jwks_fetch(FetchResult::Ok, Some(keys.len()));
                let fresh = Snapshot {
                    keys: Arc::new(keys),
                    fetched_at: attempted_at,
                    fresh_until: attempted_at.and_then(|at| at.checked_add(MAX_AGE)),
                    attempted_at,
                    generation: current.generation + 1,
                };
                self.store(|snapshot| *snapshot = fresh.clone());
                Some(fresh)
            }
            Err((result, reason)) => {
                observe::jwks_fetch(result, None);
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

    /// The key set, or why not: the `result` label of `auth_jwks_fetches_total`, and the reason
    /// for the log.
    async fn fetch(
        &self,
        previous: &HashMap<String, Arc<PublicKey>>,
    ) -> Result<HashMap<String, Arc<PublicKey>>, (FetchResult, String)> {
        let request = axum::http::Request::get(&self.url)
            .header(axum::http::header::ACCEPT, "application/json")
            .body(Empty::new())
            .map_err(|e| (FetchResult::Unreachable, format!("invalid request: {e}")))?;
        let body = tokio::time::timeout(FETCH_TIMEOUT, async {
            let response = self.client.request(request).await.map_err(|e| {
                let reason = format!("request failed: {}", error_chain(&e));
                (FetchResult::Unreachable, reason)
            })?;
            if response.status() != axum::http::StatusCode::OK {
                let reason = format!("status {}", response.status());
                return Err((FetchResult::HttpStatus, reason));
            }
            Limited::new(response.into_body(), MAX_JWKS_BYTES)
                .collect()
                .await
                .map(|collected| collected.to_bytes())
                .map_err(|e| {
                    (
                        FetchResult::Invalid,
                        format!("reading the body failed: {e}"),
                    )
                })
        })
        .await
        .map_err(|_| (FetchResult::Timeout, "timed out".to_owned()))??;
        parse_jwks(&body, previous).map_err(|reason| (FetchResult::Invalid, reason))
    }
}

/// The signature check with the key the token's `kid` named.
fn verify_with(key: &PublicKey, jws: &Jws<'_>) -> Result<(), TokenError> {
    // The longest signature is RSA-4096's 512 bytes (larger moduli are refused when the key
    // set is loaded), decoded on the stack; base64 wants room for its estimate (513 for 512).
    let mut signature = [0u8; 516];
    let len = URL_SAFE_NO_PAD
        .decode_slice(jws.signature_b64, &mut signature)
        .map_err(|_| TokenError::BadSignature)?;
    if key.verify(jws.signing_input.as_bytes(), &signature[..len]) {
        Ok(())
    } else {
        Err(TokenError::BadSignature)
    }
}

/// An error and its sources, so that a log names the cause (a TLS verification failure sits
/// three levels below hyper's "client error (Connect)").
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The rate limit: at most one fetch attempt per `interval`.
fn refetch_allowed(last_attempt: Option<Instant>, now: Instant, interval: Duration) -> bool {
    last_attempt.is_none_or(|at| now.saturating_duration_since(at) >= interval)
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
    use crate::test_util::invalid_setting;
    use crate::{Auth, ConfigError};

    #[test]
    fn errors_name_the_builder_method_that_gave_the_value() {
        for (builder, method) in [
            (
                Auth::builder().jwks(Jwks::better_auth("localhost:3000")),
                "Jwks::better_auth",
            ),
            (Auth::builder().jwks(Jwks::url("ftp://x")), "Jwks::url"),
            (
                Auth::builder().jwks(Jwks::better_auth("http://127.0.0.1").jwks_url("nope")),
                "Jwks::jwks_url",
            ),
            (
                Auth::builder().jwks(Jwks::url("http://127.0.0.1/jwks").issuer("")),
                "Jwks::issuer",
            ),
            (
                Auth::builder().jwks(Jwks::better_auth("http://127.0.0.1").user_id_claim("aud")),
                "Jwks::user_id_claim",
            ),
            (
                Auth::builder().jwks(
                    Jwks::better_auth("http://127.0.0.1").min_refetch_interval(Duration::ZERO),
                ),
                "Jwks::min_refetch_interval",
            ),
            (
                Auth::builder().jwks(Jwks::better_auth("http://127.0.0.1").role_claim("exp")),
                "Jwks::role_claim",
            ),
        ] {
            assert_eq!(invalid_setting(builder), Some(method));
        }
    }

    #[test]
    fn the_role_claim_is_never_a_registered_or_the_user_id_claim() {
        assert_eq!(
            invalid_setting(
                Auth::builder().jwks(Jwks::better_auth("http://127.0.0.1").role_claim("sub"))
            ),
            Some("Jwks::role_claim")
        );
        // The user-id claim may not be the role claim either, whichever side was set.
        assert_eq!(
            invalid_setting(
                Auth::builder().jwks(Jwks::better_auth("http://127.0.0.1").user_id_claim("role"))
            ),
            Some("Jwks::user_id_claim")
        );
        assert_eq!(
            invalid_setting(
                Auth::builder().jwks(
                    Jwks::better_auth("http://127.0.0.1")
                        .user_id_claim("perms")
                        .role_claim("perms")
                )
            ),
            Some("Jwks::role_claim")
        );
    }

    #[test]
    fn plain_http_is_for_loopback_unless_allowed() {
        for url in [
            "http://localhost:3000",
            "http://127.0.0.1:3000",
            "http://[::1]:3000",
        ] {
            assert!(
                Auth::builder().jwks(Jwks::better_auth(url)).build().is_ok(),
                "{url}"
            );
        }
        for url in [
            "http://auth.internal:3000",
            "http://10.0.0.7",
            "http://localhost.evil.com",
        ] {
            let error = Auth::builder()
                .jwks(Jwks::better_auth(url))
                .build()
                .expect_err(url);
            assert!(
                matches!(
                    error,
                    ConfigError::Invalid {
                        var: "Jwks::better_auth",
                        ..
                    }
                ),
                "{url}: {error}"
            );
            assert!(error.to_string().contains("allow it explicitly"), "{error}");
            assert!(
                Auth::builder()
                    .jwks(Jwks::better_auth(url).allow_http())
                    .build()
                    .is_ok(),
                "{url} allowed"
            );
        }
    }

    #[cfg(feature = "https")]
    #[test]
    fn a_ca_file_is_read_and_checked_at_start_up() {
        let dir = std::env::temp_dir().join(format!("auth-runtime-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "no certificate here\n").expect("write");
        let garbage = dir.join("garbage.pem");
        std::fs::write(
            &garbage,
            "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n",
        )
        .expect("write");
        for (path, reason) in [
            (dir.join("missing.pem"), "the file cannot be read"),
            (empty, "the file holds no PEM certificate"),
            (garbage, "the file holds malformed PEM"),
        ] {
            let error = Auth::builder()
                .jwks(Jwks::url("https://auth.example.com/jwks").ca_file(&path))
                .build()
                .expect_err("a bad CA file");
            assert_eq!(
                error,
                ConfigError::Invalid {
                    var: "Jwks::ca_file",
                    reason
                },
                "{}",
                path.display()
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[cfg(feature = "https")]
    #[test]
    fn each_source_keeps_its_own_policy() {
        use crate::Hs256;
        use crate::test_util::GOOD;
        let auth = Auth::builder()
            .hs256(Hs256::secret(GOOD).issuer("hs-issuer"))
            .jwks(Jwks::better_auth("https://Auth.Example.com/x"))
            .build()
            .expect("valid");
        let debug = format!("{auth:?}");
        assert!(debug.contains(r#"issuer: Some("hs-issuer")"#), "{debug}");
        assert!(
            debug.contains(r#"issuer: Some("https://auth.example.com")"#),
            "{debug}"
        );
        assert!(
            debug.contains("https://auth.example.com/api/auth/jwks"),
            "{debug}"
        );
        assert!(!debug.contains(GOOD), "Debug never shows the secret");
        // A bare JWKS URL has no origin to pin tokens to: both must be given.
        for jwks in [
            Jwks::url("http://127.0.0.1:1/jwks"),
            Jwks::url("http://127.0.0.1:1/jwks").issuer("i"),
            Jwks::url("http://127.0.0.1:1/jwks").audience("a"),
        ] {
            let error = Auth::builder().jwks(jwks).build().expect_err("unpinned");
            assert!(
                matches!(
                    error,
                    ConfigError::Invalid {
                        var: "Jwks::url",
                        ..
                    }
                ),
                "{error}"
            );
            let text = error.to_string();
            assert!(text.contains("BETTER_AUTH_URL"), "{text}");
        }
        let auth = Auth::builder()
            .jwks(
                Jwks::url("http://127.0.0.1:1/jwks")
                    .issuer("i")
                    .audience("a"),
            )
            .build()
            .expect("pinned");
        assert!(format!("{auth:?}").contains(r#"issuer: Some("i")"#));
        // An access token's issuer too, when a resource is set.
        let error = Auth::builder()
            .jwks(
                Jwks::url("http://127.0.0.1:1/jwks")
                    .issuer("i")
                    .audience("a")
                    .resource(Resource::new("https://api.example.com")),
            )
            .build()
            .expect_err("no access-token issuer");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: "Resource::new",
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains("AUTH_ACCESS_TOKEN_ISSUER"),
            "{error}"
        );
    }

    #[cfg(not(feature = "https"))]
    #[test]
    fn without_the_https_feature_an_https_url_is_refused_at_start_up() {
        let error = Auth::builder()
            .jwks(Jwks::better_auth("https://auth.example.com"))
            .build()
            .expect_err("https without rustls");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: "Jwks::better_auth",
                    ..
                }
            ),
            "{error}"
        );
        assert!(error.to_string().contains("`https` feature"), "{error}");
    }

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
}
