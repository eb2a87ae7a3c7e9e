//! Start-up configuration: the key sources, their claim policies, and the handle installed on
//! a router.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::{AuthError, TokenError};
use crate::jwks::{self, JwksSource};
use crate::token::{self, Alg, ClaimPolicy, HmacKey, VerifiedToken};

/// The environment variable holding the HS256 secret.
pub const SECRET_VAR: &str = "BETTER_AUTH_SECRET";
/// The environment variable holding a previous HS256 secret, still accepted during a rotation.
pub const PREVIOUS_SECRET_VAR: &str = "BETTER_AUTH_PREVIOUS_SECRET";
/// Optional: the `iss` every HS256 token must carry.
pub const ISSUER_VAR: &str = "AUTH_JWT_ISSUER";
/// Optional: a value the `aud` of every HS256 token must contain.
pub const AUDIENCE_VAR: &str = "AUTH_JWT_AUDIENCE";
/// Optional: clock-skew leeway in whole seconds (default 5, at most 300), for both key sources.
pub const LEEWAY_VAR: &str = "AUTH_JWT_LEEWAY_SECS";
/// Optional: the claim that carries the user id in HS256 tokens (default `uid`).
pub const USER_ID_CLAIM_VAR: &str = "AUTH_JWT_USER_ID_CLAIM";
/// The URL of the Better Auth server: setting it turns on JWKS mode.
pub const BETTER_AUTH_URL_VAR: &str = "BETTER_AUTH_URL";
/// Optional: the JWKS URL, when it is not `{origin of BETTER_AUTH_URL}/api/auth/jwks`.
pub const JWKS_URL_VAR: &str = "BETTER_AUTH_JWKS_URL";
/// Optional: the `iss` of JWKS tokens (default: the origin of `BETTER_AUTH_URL`).
pub const JWKS_ISSUER_VAR: &str = "AUTH_JWKS_ISSUER";
/// Optional: a value the `aud` of JWKS tokens must contain (default: the origin of `BETTER_AUTH_URL`).
pub const JWKS_AUDIENCE_VAR: &str = "AUTH_JWKS_AUDIENCE";
/// Optional: the claim that carries the user id in JWKS tokens (default `sub`).
pub const JWKS_USER_ID_CLAIM_VAR: &str = "AUTH_JWKS_USER_ID_CLAIM";
/// Optional: the least time between two JWKS fetches, in seconds (default 30).
pub const JWKS_MIN_REFETCH_VAR: &str = "AUTH_JWKS_MIN_REFETCH_SECS";

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// The default clock-skew leeway.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// The largest leeway accepted: more would make `exp` meaningless for 15-minute tokens.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);
/// The default least time between two JWKS fetches: a flood of tokens with random `kid`s
/// causes at most one fetch per interval.
pub const DEFAULT_JWKS_MIN_REFETCH: Duration = Duration::from_secs(30);
/// Better Auth's default path of the JWKS endpoint, below the origin.
pub const DEFAULT_JWKS_PATH: &str = "/api/auth/jwks";

const HOW_TO_MAKE_ONE: &str = "use the same value as your Better Auth server, at least 32 characters; \
     create one with `openssl rand -base64 32`";

/// A configuration that cannot be used. Returned at start-up, never at request time.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No key source was given: no secret (the variable is unset or empty) and no JWKS.
    #[error(
        "{var} is not set: {HOW_TO_MAKE_ONE} (or set BETTER_AUTH_URL to verify the tokens of your Better Auth server's JWKS)"
    )]
    MissingSecret {
        /// Where the secret was expected.
        var: &'static str,
    },
    /// The secret is too short or has too little variety to resist guessing.
    #[error("{var} is too weak ({reason}): {HOW_TO_MAKE_ONE}")]
    WeakSecret {
        /// Where the secret came from.
        var: &'static str,
        /// What is wrong with it (never the secret itself).
        reason: &'static str,
    },
    /// A variable holds bytes that are not UTF-8.
    #[error("{var} is not valid UTF-8")]
    NotUnicode {
        /// The variable.
        var: &'static str,
    },
    /// A setting has a value that cannot be used.
    #[error("{var} is invalid: {reason}")]
    Invalid {
        /// The variable or builder setting.
        var: &'static str,
        /// What is wrong and what is expected.
        reason: &'static str,
    },
}

/// The verifier: prepared keys and claim policies, shared by every request.
///
/// Two key sources, each pinned to its own algorithms and with its own claim policy:
/// - **HS256** with a shared secret (`BETTER_AUTH_SECRET`); the user id is in `uid` by default.
/// - **JWKS**: the public keys of Better Auth's `jwt` plugin (EdDSA by default; ES256, ES384,
///   RS256/384/512 and PS256/384/512 too); the user id is in `sub` by default, and `iss`/`aud`
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
/// use auth_runtime::{Auth, Claims};
/// use axum::{Router, routing::get};
///
/// async fn me(claims: Claims) -> String {
///     claims.user_id().to_owned()
/// }
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let auth = Auth::builder()
///     .hs256_secret("a-secret-of-at-least-32-characters-0123456789")
///     .build()?;
/// let app: Router = Router::new().route("/me", get(me)).layer(auth.layer());
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Auth {
    inner: Arc<Inner>,
}

struct Inner {
    hs256: Option<Hs256Source>,
    jwks: Option<JwksSource>,
}

struct Hs256Source {
    keys: Vec<HmacKey>,
    policy: ClaimPolicy,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("Auth");
        if let Some(hs) = &self.inner.hs256 {
            debug
                .field("hs256_keys", &hs.keys.len())
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
    /// | `BETTER_AUTH_URL` | JWKS mode: the Better Auth server, e.g. `http://localhost:3000` |
    /// | `BETTER_AUTH_JWKS_URL` | optional: the JWKS URL, default `{origin}/api/auth/jwks` |
    /// | `AUTH_JWKS_ISSUER`, `AUTH_JWKS_AUDIENCE` | optional: default the origin of `BETTER_AUTH_URL` |
    /// | `AUTH_JWKS_USER_ID_CLAIM` | optional: the user-id claim of JWKS tokens, default `sub` |
    /// | `AUTH_JWKS_MIN_REFETCH_SECS` | optional: least time between JWKS fetches, default 30 |
    /// | `AUTH_JWT_LEEWAY_SECS` | optional: clock-skew leeway, default 5, at most 300 |
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder().apply_env(std::env::var_os)?.build()
    }

    /// Verifies a compact JWS (the part after `Bearer `) now.
    ///
    /// An HS256 token never waits; a JWKS token may wait for a (rate-limited) fetch of the
    /// keys.
    pub async fn verify(&self, token: &str) -> Result<VerifiedToken, AuthError> {
        self.verify_at(token, unix_now()).await
    }

    /// Verifies a compact JWS as if the current time were `now` (seconds since the Unix epoch).
    pub async fn verify_at(&self, token: &str, now: u64) -> Result<VerifiedToken, AuthError> {
        let jws = token::parse(token)?;
        match (jws.alg, &self.inner.hs256, &self.inner.jwks) {
            (Alg::Hs256, Some(hs), _) => {
                token::verify_hmac(&jws, &hs.keys)?;
                Ok(token::validate_claims(&jws, &hs.policy, now)?)
            }
            (Alg::Hs256, None, _) => Err(TokenError::UnsupportedAlgorithm.into()),
            // Boxed: the JWKS future holds a whole HTTP fetch; inline, it would make every
            // HS256 verification future (and every extractor future around it) 1 KiB larger.
            (_, _, Some(jwks)) => Box::pin(jwks.verify(&jws, now)).await,
            (_, _, None) => Err(TokenError::UnsupportedAlgorithm.into()),
        }
    }

    /// The claim that carries the user id of HS256 tokens, if HS256 mode is on.
    pub fn user_id_claim(&self) -> Option<&str> {
        self.inner
            .hs256
            .as_ref()
            .map(|hs| &*hs.policy.user_id_claim)
    }

    /// The layer that makes this configuration available to the extractors:
    /// `router.layer(auth.layer())`.
    pub fn layer(&self) -> axum::Extension<Auth> {
        axum::Extension(self.clone())
    }
}

/// Seconds since the Unix epoch. A clock before 1970 reads as the far future, so every token
/// is expired: an unusable clock fails closed.
fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(u64::MAX, |elapsed| elapsed.as_secs())
}

/// Builds an [`Auth`]. Every setting is validated by [`build`](AuthBuilder::build).
#[derive(Default)]
pub struct AuthBuilder {
    secret: Option<(Vec<u8>, &'static str)>,
    previous: Vec<(Vec<u8>, &'static str)>,
    issuer: Option<String>,
    audience: Option<String>,
    leeway: Option<Duration>,
    user_id_claim: Option<String>,
    better_auth_url: Option<String>,
    jwks_url: Option<String>,
    jwks_issuer: Option<String>,
    jwks_audience: Option<String>,
    jwks_user_id_claim: Option<String>,
    jwks_min_refetch: Option<Duration>,
}

impl fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthBuilder").finish_non_exhaustive()
    }
}

impl AuthBuilder {
    /// HS256 mode: the secret, used as its raw bytes (for Better Auth: the UTF-8 bytes of
    /// `BETTER_AUTH_SECRET`, not base64-decoded).
    pub fn hs256_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.secret = Some((secret.as_ref().to_vec(), "hs256_secret"));
        self
    }

    /// A previous HS256 secret that still verifies tokens, for a rotation without downtime.
    pub fn previous_hs256_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        self.previous
            .push((secret.as_ref().to_vec(), "previous_hs256_secret"));
        self
    }

    /// Requires the `iss` of HS256 tokens to be present and equal to `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires the `aud` of HS256 tokens to be present and to contain `audience`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Clock-skew leeway for `exp` and `nbf` (default 5 s, at most 300 s; whole seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// The claim that carries the user id of HS256 tokens (default `uid`).
    pub fn user_id_claim(mut self, claim: impl Into<String>) -> Self {
        self.user_id_claim = Some(claim.into());
        self
    }

    /// JWKS mode for a Better Auth server: keys from `{origin}/api/auth/jwks`, and `iss` and
    /// `aud` required to equal the origin of `url` (what Better Auth writes into them).
    pub fn better_auth_url(mut self, url: impl Into<String>) -> Self {
        self.better_auth_url = Some(url.into());
        self
    }

    /// The JWKS URL, when it is not `{origin}/api/auth/jwks` (a custom `basePath` or
    /// `jwks.jwksPath`). Without [`better_auth_url`](Self::better_auth_url), set the issuer
    /// and audience with [`jwks_issuer`](Self::jwks_issuer) and
    /// [`jwks_audience`](Self::jwks_audience), or none is required.
    pub fn jwks_url(mut self, url: impl Into<String>) -> Self {
        self.jwks_url = Some(url.into());
        self
    }

    /// The required `iss` of JWKS tokens (default: the origin of the Better Auth URL).
    pub fn jwks_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.jwks_issuer = Some(issuer.into());
        self
    }

    /// A value the `aud` of JWKS tokens must contain (default: the origin of the Better Auth
    /// URL).
    pub fn jwks_audience(mut self, audience: impl Into<String>) -> Self {
        self.jwks_audience = Some(audience.into());
        self
    }

    /// The claim that carries the user id of JWKS tokens (default `sub`, where Better Auth puts
    /// it).
    pub fn jwks_user_id_claim(mut self, claim: impl Into<String>) -> Self {
        self.jwks_user_id_claim = Some(claim.into());
        self
    }

    /// The least time between two JWKS fetches (default 30 s, at least 1 s).
    pub fn jwks_min_refetch_interval(mut self, interval: Duration) -> Self {
        self.jwks_min_refetch = Some(interval);
        self
    }

    fn apply_env(
        mut self,
        read: impl Fn(&'static str) -> Option<std::ffi::OsString>,
    ) -> Result<Self, ConfigError> {
        let text = |var: &'static str| -> Result<Option<String>, ConfigError> {
            match read(var) {
                None => Ok(None),
                Some(value) => value
                    .into_string()
                    .map(|s| Some(s).filter(|s| !s.is_empty()))
                    .map_err(|_| ConfigError::NotUnicode { var }),
            }
        };
        let seconds = |var: &'static str| -> Result<Option<Duration>, ConfigError> {
            text(var)?
                .map(|value| {
                    value
                        .trim()
                        .parse::<u64>()
                        .map(Duration::from_secs)
                        .map_err(|_| ConfigError::Invalid {
                            var,
                            reason: "expected a whole number of seconds, e.g. 5",
                        })
                })
                .transpose()
        };
        if let Some(secret) = text(SECRET_VAR)? {
            self.secret = Some((secret.into_bytes(), SECRET_VAR));
        }
        if let Some(previous) = text(PREVIOUS_SECRET_VAR)? {
            self.previous
                .push((previous.into_bytes(), PREVIOUS_SECRET_VAR));
        }
        self.issuer = text(ISSUER_VAR)?.or(self.issuer);
        self.audience = text(AUDIENCE_VAR)?.or(self.audience);
        self.user_id_claim = text(USER_ID_CLAIM_VAR)?.or(self.user_id_claim);
        self.leeway = seconds(LEEWAY_VAR)?.or(self.leeway);
        self.better_auth_url = text(BETTER_AUTH_URL_VAR)?.or(self.better_auth_url);
        self.jwks_url = text(JWKS_URL_VAR)?.or(self.jwks_url);
        self.jwks_issuer = text(JWKS_ISSUER_VAR)?.or(self.jwks_issuer);
        self.jwks_audience = text(JWKS_AUDIENCE_VAR)?.or(self.jwks_audience);
        self.jwks_user_id_claim = text(JWKS_USER_ID_CLAIM_VAR)?.or(self.jwks_user_id_claim);
        self.jwks_min_refetch = seconds(JWKS_MIN_REFETCH_VAR)?.or(self.jwks_min_refetch);
        Ok(self)
    }

    /// Validates the settings and prepares the keys.
    pub fn build(self) -> Result<Auth, ConfigError> {
        let leeway = self.leeway.unwrap_or(DEFAULT_LEEWAY);
        if leeway > MAX_LEEWAY {
            return Err(ConfigError::Invalid {
                var: LEEWAY_VAR,
                reason: "at most 300 seconds",
            });
        }
        let leeway = leeway.as_secs();

        let hs256 = match self.secret {
            Some((secret, var)) => {
                let mut keys = Vec::with_capacity(1 + self.previous.len());
                for (secret, var) in std::iter::once((secret, var)).chain(self.previous) {
                    check_secret(&secret, var)?;
                    keys.push(HmacKey::new(&secret));
                }
                let policy = ClaimPolicy {
                    issuer: non_blank(self.issuer, ISSUER_VAR)?,
                    audience: non_blank(self.audience, AUDIENCE_VAR)?,
                    leeway,
                    user_id_claim: user_id_claim(self.user_id_claim, "uid", USER_ID_CLAIM_VAR)?,
                };
                Some(Hs256Source { keys, policy })
            }
            None if !self.previous.is_empty() => {
                return Err(ConfigError::MissingSecret { var: SECRET_VAR });
            }
            None => None,
        };

        let origin = self
            .better_auth_url
            .as_deref()
            .map(|url| {
                jwks::origin(url).map_err(|reason| ConfigError::Invalid {
                    var: BETTER_AUTH_URL_VAR,
                    reason,
                })
            })
            .transpose()?;
        let jwks_url = match (self.jwks_url, &origin) {
            (Some(url), _) => Some(url),
            (None, Some(origin)) => Some(format!("{origin}{DEFAULT_JWKS_PATH}")),
            (None, None) => None,
        };
        let jwks = match jwks_url {
            Some(url) => {
                check_jwks_url(&url)?;
                let min_refetch = self.jwks_min_refetch.unwrap_or(DEFAULT_JWKS_MIN_REFETCH);
                if min_refetch < Duration::from_secs(1) {
                    return Err(ConfigError::Invalid {
                        var: JWKS_MIN_REFETCH_VAR,
                        reason: "at least 1 second",
                    });
                }
                let policy = ClaimPolicy {
                    issuer: non_blank(
                        self.jwks_issuer.or_else(|| origin.clone()),
                        JWKS_ISSUER_VAR,
                    )?,
                    audience: non_blank(self.jwks_audience.or(origin), JWKS_AUDIENCE_VAR)?,
                    leeway,
                    user_id_claim: user_id_claim(
                        self.jwks_user_id_claim,
                        "sub",
                        JWKS_USER_ID_CLAIM_VAR,
                    )?,
                };
                let source = JwksSource::new(url, policy, min_refetch).map_err(|error| {
                    tracing::error!(%error, "cannot set up the JWKS client");
                    ConfigError::Invalid {
                        var: JWKS_URL_VAR,
                        reason: "the HTTP client for the JWKS cannot be set up",
                    }
                })?;
                Some(source)
            }
            None => None,
        };

        if hs256.is_none() && jwks.is_none() {
            return Err(ConfigError::MissingSecret { var: SECRET_VAR });
        }
        Ok(Auth {
            inner: Arc::new(Inner { hs256, jwks }),
        })
    }
}

fn non_blank(value: Option<String>, var: &'static str) -> Result<Option<Box<str>>, ConfigError> {
    match value {
        Some(v) if v.trim().is_empty() => Err(ConfigError::Invalid {
            var,
            reason: "must not be blank",
        }),
        other => Ok(other.map(String::into_boxed_str)),
    }
}

fn user_id_claim(
    value: Option<String>,
    default: &str,
    var: &'static str,
) -> Result<Box<str>, ConfigError> {
    let claim = value.unwrap_or_else(|| default.to_owned());
    if claim.is_empty() || matches!(claim.as_str(), "exp" | "nbf" | "iat" | "iss" | "aud") {
        return Err(ConfigError::Invalid {
            var,
            reason: "name a claim that carries the user id, such as `uid` or `sub`",
        });
    }
    Ok(claim.into_boxed_str())
}

fn check_jwks_url(url: &str) -> Result<(), ConfigError> {
    let invalid = |reason| ConfigError::Invalid {
        var: JWKS_URL_VAR,
        reason,
    };
    jwks::origin(url).map_err(invalid)?;
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

fn check_secret(secret: &[u8], var: &'static str) -> Result<(), ConfigError> {
    if secret.is_empty() {
        return Err(ConfigError::MissingSecret { var });
    }
    if secret.len() < MIN_SECRET_LEN {
        return Err(ConfigError::WeakSecret {
            var,
            reason: "shorter than 32 bytes",
        });
    }
    // A long run of one or two characters ("aaaa…", "abab…") passes the length test but
    // not this one; any random secret has far more than 8 distinct bytes in 32.
    if secret.iter().collect::<BTreeSet<_>>().len() < 8 {
        return Err(ConfigError::WeakSecret {
            var,
            reason: "fewer than 8 distinct characters",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use std::ffi::OsString;

    const GOOD: &str = "k7Hq2v9XwLmP4sRt8YbNc3FgJd6ZaE1u";

    fn from(vars: &[(&'static str, &str)]) -> Result<Auth, ConfigError> {
        let map: HashMap<&str, OsString> =
            vars.iter().map(|(k, v)| (*k, OsString::from(v))).collect();
        Auth::builder()
            .apply_env(|var| map.get(var).cloned())?
            .build()
    }

    #[test]
    fn missing_or_empty_secret_is_refused_naming_the_variable() {
        for vars in [&[][..], &[(SECRET_VAR, "")][..]] {
            let err = from(vars).expect_err("no secret");
            assert_eq!(err, ConfigError::MissingSecret { var: SECRET_VAR });
            let text = err.to_string();
            assert!(text.contains("BETTER_AUTH_SECRET"), "{text}");
            assert!(text.contains("openssl rand -base64 32"), "{text}");
        }
        assert_eq!(
            Auth::builder().build().err(),
            Some(ConfigError::MissingSecret { var: SECRET_VAR })
        );
    }

    #[test]
    fn weak_secrets_are_refused() {
        let short = from(&[(SECRET_VAR, "short-secret")]).expect_err("short");
        assert!(matches!(
            short,
            ConfigError::WeakSecret {
                var: SECRET_VAR,
                ..
            }
        ));
        let text = short.to_string();
        assert!(
            !text.contains("short-secret"),
            "the secret is never echoed: {text}"
        );
        let repetitive = "ab".repeat(20);
        assert!(matches!(
            from(&[(SECRET_VAR, &repetitive)]),
            Err(ConfigError::WeakSecret { .. })
        ));
        assert!(matches!(
            from(&[(SECRET_VAR, GOOD), (PREVIOUS_SECRET_VAR, "x")]),
            Err(ConfigError::WeakSecret {
                var: PREVIOUS_SECRET_VAR,
                ..
            })
        ));
        assert!(from(&[(SECRET_VAR, GOOD)]).is_ok());
    }

    #[test]
    fn settings_are_validated() {
        assert!(matches!(
            from(&[(SECRET_VAR, GOOD), (LEEWAY_VAR, "soon")]),
            Err(ConfigError::Invalid {
                var: LEEWAY_VAR,
                ..
            })
        ));
        assert!(matches!(
            from(&[(SECRET_VAR, GOOD), (LEEWAY_VAR, "301")]),
            Err(ConfigError::Invalid {
                var: LEEWAY_VAR,
                ..
            })
        ));
        assert!(matches!(
            from(&[(SECRET_VAR, GOOD), (USER_ID_CLAIM_VAR, "exp")]),
            Err(ConfigError::Invalid {
                var: USER_ID_CLAIM_VAR,
                ..
            })
        ));
        assert!(matches!(
            from(&[(SECRET_VAR, GOOD), (ISSUER_VAR, "  ")]),
            Err(ConfigError::Invalid {
                var: ISSUER_VAR,
                ..
            })
        ));
        let auth = from(&[
            (SECRET_VAR, GOOD),
            (USER_ID_CLAIM_VAR, "sub"),
            (LEEWAY_VAR, "0"),
        ])
        .expect("valid");
        assert_eq!(auth.user_id_claim(), Some("sub"));
        let debug = format!("{auth:?}");
        assert!(
            !debug.contains(GOOD),
            "Debug never shows the secret: {debug}"
        );
    }

    #[test]
    fn jwks_mode_from_better_auth_url() {
        // BETTER_AUTH_URL alone is enough; the secret is then optional.
        let auth =
            from(&[(BETTER_AUTH_URL_VAR, "https://Auth.Example.com/api/auth")]).expect("valid");
        let debug = format!("{auth:?}");
        assert!(
            debug.contains("https://auth.example.com/api/auth/jwks"),
            "{debug}"
        );
        assert!(
            debug.contains(r#"issuer: Some("https://auth.example.com")"#),
            "{debug}"
        );
        assert!(debug.contains(r#"user_id_claim: "sub""#), "{debug}");
        assert_eq!(auth.user_id_claim(), None, "no HS256 mode");

        let auth = from(&[
            (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
            (JWKS_URL_VAR, "http://127.0.0.1:3000/auth/jwks"),
            (JWKS_USER_ID_CLAIM_VAR, "id"),
            (SECRET_VAR, GOOD),
        ])
        .expect("both modes");
        let debug = format!("{auth:?}");
        assert!(
            debug.contains("http://127.0.0.1:3000/auth/jwks") && debug.contains(r#""id""#),
            "{debug}"
        );
        assert_eq!(auth.user_id_claim(), Some("uid"));

        for (var, value) in [
            (BETTER_AUTH_URL_VAR, "localhost:3000"),
            (BETTER_AUTH_URL_VAR, "ftp://example.com"),
            (JWKS_URL_VAR, "not a url"),
            (JWKS_MIN_REFETCH_VAR, "0"),
        ] {
            let mut vars = vec![(var, value)];
            if var != BETTER_AUTH_URL_VAR {
                vars.push((BETTER_AUTH_URL_VAR, "http://localhost:3000"));
            }
            assert!(
                matches!(from(&vars), Err(ConfigError::Invalid { .. })),
                "{var}={value}"
            );
        }
        let none = from(&[]).expect_err("no key source").to_string();
        assert!(
            none.contains("BETTER_AUTH_SECRET") && none.contains("BETTER_AUTH_URL"),
            "{none}"
        );
    }
}
