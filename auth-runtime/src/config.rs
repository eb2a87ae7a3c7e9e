//! Start-up configuration: the secret, the claim policy, and the handle installed on a router.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::error::TokenError;
use crate::token::{self, ClaimPolicy, HmacKey, VerifiedToken};

/// The environment variable holding the HS256 secret.
pub const SECRET_VAR: &str = "BETTER_AUTH_SECRET";
/// The environment variable holding a previous HS256 secret, still accepted during a rotation.
pub const PREVIOUS_SECRET_VAR: &str = "BETTER_AUTH_PREVIOUS_SECRET";
/// Optional: the `iss` every token must carry (Better Auth uses the origin of `BETTER_AUTH_URL`).
pub const ISSUER_VAR: &str = "AUTH_JWT_ISSUER";
/// Optional: a value the token's `aud` must contain.
pub const AUDIENCE_VAR: &str = "AUTH_JWT_AUDIENCE";
/// Optional: clock-skew leeway in whole seconds (default 5, at most 300).
pub const LEEWAY_VAR: &str = "AUTH_JWT_LEEWAY_SECS";
/// Optional: the claim that carries the user id (default `uid`; stock Better Auth tokens use `sub`).
pub const USER_ID_CLAIM_VAR: &str = "AUTH_JWT_USER_ID_CLAIM";

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_LEN: usize = 32;
/// The default clock-skew leeway.
pub const DEFAULT_LEEWAY: Duration = Duration::from_secs(5);
/// The largest leeway accepted: more would make `exp` meaningless for 15-minute tokens.
pub const MAX_LEEWAY: Duration = Duration::from_secs(300);

const HOW_TO_MAKE_ONE: &str = "use the same value as your Better Auth server, at least 32 characters; \
     create one with `openssl rand -base64 32`";

/// A configuration that cannot be used. Returned at start-up, never at request time.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// No secret was given (the variable is unset or empty).
    #[error("{var} is not set: {HOW_TO_MAKE_ONE}")]
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

/// The verifier: prepared keys and the claim policy, shared by every request.
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
    keys: Vec<HmacKey>,
    policy: ClaimPolicy,
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("keys", &self.inner.keys.len())
            .field("issuer", &self.inner.policy.issuer)
            .field("audience", &self.inner.policy.audience)
            .field("leeway_secs", &self.inner.policy.leeway)
            .field("user_id_claim", &self.inner.policy.user_id_claim)
            .finish()
    }
}

impl Auth {
    /// Starts a configuration from scratch (no environment is read).
    pub fn builder() -> AuthBuilder {
        AuthBuilder::default()
    }

    /// Reads the configuration from the environment:
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `BETTER_AUTH_SECRET` | **required**: the HS256 secret, used as its raw UTF-8 bytes |
    /// | `BETTER_AUTH_PREVIOUS_SECRET` | optional: a previous secret still accepted (rotation) |
    /// | `AUTH_JWT_ISSUER` | optional: required `iss` |
    /// | `AUTH_JWT_AUDIENCE` | optional: required `aud` |
    /// | `AUTH_JWT_LEEWAY_SECS` | optional: clock-skew leeway, default 5, at most 300 |
    /// | `AUTH_JWT_USER_ID_CLAIM` | optional: the user-id claim, default `uid` |
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::builder().apply_env(std::env::var_os)?.build()
    }

    /// Verifies a compact JWS (the part after `Bearer `) now.
    pub fn verify(&self, token: &str) -> Result<VerifiedToken, TokenError> {
        self.verify_at(token, unix_now())
    }

    /// Verifies a compact JWS as if the current time were `now` (seconds since the Unix epoch).
    pub fn verify_at(&self, token: &str, now: u64) -> Result<VerifiedToken, TokenError> {
        token::verify_hs256(token, &self.inner.keys, &self.inner.policy, now)
    }

    /// The claim that carries the user id.
    pub fn user_id_claim(&self) -> &str {
        &self.inner.policy.user_id_claim
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
}

impl fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthBuilder").finish_non_exhaustive()
    }
}

impl AuthBuilder {
    /// The HS256 secret, used as its raw bytes (for Better Auth: the UTF-8 bytes of
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

    /// Requires `iss` to be present and equal to `issuer`.
    pub fn issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Requires `aud` to be present and to contain `audience`.
    pub fn audience(mut self, audience: impl Into<String>) -> Self {
        self.audience = Some(audience.into());
        self
    }

    /// Clock-skew leeway for `exp` and `nbf` (default 5 s, at most 300 s; whole seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// The claim that carries the user id (default `uid`). Stock Better Auth tokens carry the
    /// user id in `sub`: `.user_id_claim("sub")`.
    pub fn user_id_claim(mut self, claim: impl Into<String>) -> Self {
        self.user_id_claim = Some(claim.into());
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
        match text(SECRET_VAR)? {
            Some(secret) => self.secret = Some((secret.into_bytes(), SECRET_VAR)),
            None => return Err(ConfigError::MissingSecret { var: SECRET_VAR }),
        }
        if let Some(previous) = text(PREVIOUS_SECRET_VAR)? {
            self.previous
                .push((previous.into_bytes(), PREVIOUS_SECRET_VAR));
        }
        self.issuer = text(ISSUER_VAR)?.or(self.issuer);
        self.audience = text(AUDIENCE_VAR)?.or(self.audience);
        self.user_id_claim = text(USER_ID_CLAIM_VAR)?.or(self.user_id_claim);
        if let Some(leeway) = text(LEEWAY_VAR)? {
            let secs = leeway
                .trim()
                .parse::<u64>()
                .map_err(|_| ConfigError::Invalid {
                    var: LEEWAY_VAR,
                    reason: "expected a whole number of seconds, e.g. 5",
                })?;
            self.leeway = Some(Duration::from_secs(secs));
        }
        Ok(self)
    }

    /// Validates the settings and prepares the keys.
    pub fn build(self) -> Result<Auth, ConfigError> {
        let (secret, var) = self
            .secret
            .ok_or(ConfigError::MissingSecret { var: SECRET_VAR })?;
        let mut keys = Vec::with_capacity(1 + self.previous.len());
        for (secret, var) in std::iter::once((secret, var)).chain(self.previous) {
            check_secret(&secret, var)?;
            keys.push(HmacKey::new(&secret));
        }

        let leeway = self.leeway.unwrap_or(DEFAULT_LEEWAY);
        if leeway > MAX_LEEWAY {
            return Err(ConfigError::Invalid {
                var: LEEWAY_VAR,
                reason: "at most 300 seconds",
            });
        }
        let user_id_claim = self.user_id_claim.unwrap_or_else(|| "uid".to_owned());
        if user_id_claim.is_empty()
            || matches!(
                user_id_claim.as_str(),
                "exp" | "nbf" | "iat" | "iss" | "aud"
            )
        {
            return Err(ConfigError::Invalid {
                var: USER_ID_CLAIM_VAR,
                reason: "name a claim that carries the user id, such as `uid` or `sub`",
            });
        }
        let non_empty = |value: Option<String>, var: &'static str| match value {
            Some(v) if v.trim().is_empty() => Err(ConfigError::Invalid {
                var,
                reason: "must not be blank",
            }),
            other => Ok(other.map(String::into_boxed_str)),
        };
        let policy = ClaimPolicy {
            issuer: non_empty(self.issuer, ISSUER_VAR)?,
            audience: non_empty(self.audience, AUDIENCE_VAR)?,
            leeway: leeway.as_secs(),
            user_id_claim: user_id_claim.into_boxed_str(),
        };
        Ok(Auth {
            inner: Arc::new(Inner { keys, policy }),
        })
    }
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
        assert_eq!(auth.user_id_claim(), "sub");
        let debug = format!("{auth:?}");
        assert!(
            !debug.contains(GOOD),
            "Debug never shows the secret: {debug}"
        );
    }
}
