//! Start-up configuration: [`AuthBuilder`], the errors it reports, and the limits it enforces.
//!
//! Each key source has its own builder ([`Hs256`](crate::Hs256), [`Jwks`](crate::Jwks)), so a
//! setting cannot land on the wrong one; [`AuthBuilder`] holds what both share. Every value
//! remembers where it was given (an environment variable or a builder method), and errors name
//! that place.

use std::collections::BTreeSet;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Auth, Inner};
use crate::cache::{DEFAULT_TOKEN_CACHE_CAPACITY, TokenCache};
use crate::hs256::Hs256;
use crate::jwks::Jwks;

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
    /// No key source was given: no secret (the variable is unset or empty) and no JWKS.
    #[error(
        "{var} is not set: {HOW_TO_MAKE_ONE} (or set BETTER_AUTH_URL to verify the tokens of your Better Auth server's JWKS)"
    )]
    MissingSecret {
        /// Where the secret was expected: the environment variable, or the builder method.
        var: &'static str,
    },
    /// [`AuthBuilder::build`] was called without a key source.
    #[error(
        "no key source: add .hs256(Hs256::secret(…)) with your BETTER_AUTH_SECRET, or .jwks(Jwks::better_auth(…)) with your Better Auth URL"
    )]
    NoKeySource,
    /// The secret is too short or has too little variety to resist guessing.
    #[error("{var} is too weak ({reason}): {HOW_TO_MAKE_ONE}")]
    WeakSecret {
        /// Where the secret came from: the environment variable, or the builder method.
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
        /// Where the value was given: the environment variable, or the builder method.
        var: &'static str,
        /// What is wrong and what is expected.
        reason: &'static str,
    },
}

/// A configured value and where it was given: an environment variable's name, or a builder
/// method's.
#[derive(Clone, Debug)]
pub(crate) struct Setting<T> {
    pub(crate) value: T,
    pub(crate) from: &'static str,
}

impl<T> Setting<T> {
    pub(crate) fn new(value: T, from: &'static str) -> Self {
        Setting { value, from }
    }
}

/// Builds an [`Auth`] from one or both key sources. Every setting is validated by
/// [`build`](AuthBuilder::build).
///
/// ```
/// use auth_runtime::{Auth, Hs256, Jwks};
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let auth = Auth::builder()
///     .hs256(Hs256::secret("a-secret-of-at-least-32-characters-0123456789"))
///     .jwks(Jwks::better_auth("https://auth.example.com"))
///     .build()?;
/// # let _ = auth; Ok(()) }
/// ```
#[derive(Default)]
pub struct AuthBuilder {
    pub(crate) hs256: Option<Hs256>,
    pub(crate) jwks: Option<Jwks>,
    pub(crate) leeway: Option<Setting<Duration>>,
    pub(crate) token_cache_capacity: Option<usize>,
}

impl fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthBuilder").finish_non_exhaustive()
    }
}

impl AuthBuilder {
    /// HS256 tokens, verified with a shared secret (Better Auth's `jwt` plugin with a custom
    /// signer).
    pub fn hs256(mut self, source: Hs256) -> Self {
        self.hs256 = Some(source);
        self
    }

    /// Tokens signed with the public keys of a JWKS (Better Auth's `jwt` plugin as installed).
    pub fn jwks(mut self, source: Jwks) -> Self {
        self.jwks = Some(source);
        self
    }

    /// Clock-skew leeway for `exp` and `nbf`, for both key sources (default 5 s, at most 300 s;
    /// whole seconds).
    pub fn leeway(mut self, leeway: Duration) -> Self {
        self.leeway = Some(Setting::new(leeway, "AuthBuilder::leeway"));
        self
    }

    /// How many verified tokens to keep, so that a token seen before is not verified again
    /// (default [`DEFAULT_TOKEN_CACHE_CAPACITY`](crate::DEFAULT_TOKEN_CACHE_CAPACITY); 0
    /// turns the cache off). See `SECURITY.md` for what a cached token is checked against.
    pub fn token_cache_capacity(mut self, entries: usize) -> Self {
        self.token_cache_capacity = Some(entries);
        self
    }

    /// Validates the settings and prepares the keys.
    pub fn build(self) -> Result<Auth, ConfigError> {
        let leeway = match self.leeway {
            Some(Setting { value, from }) if value > MAX_LEEWAY => {
                return Err(ConfigError::Invalid {
                    var: from,
                    reason: "at most 300 seconds",
                });
            }
            Some(setting) => setting.value,
            None => DEFAULT_LEEWAY,
        };
        let leeway = leeway.as_secs();
        if self.hs256.is_none() && self.jwks.is_none() {
            return Err(ConfigError::NoKeySource);
        }
        let hs256 = self.hs256.map(|hs| hs.build(leeway)).transpose()?;
        let jwks = self.jwks.map(|jwks| jwks.build(leeway)).transpose()?;
        let cache = TokenCache::new(
            self.token_cache_capacity
                .unwrap_or(DEFAULT_TOKEN_CACHE_CAPACITY),
        );
        Ok(Auth {
            inner: Arc::new(Inner { hs256, jwks, cache }),
        })
    }
}

/// An optional string setting that must not be blank when given.
pub(crate) fn non_blank(value: Option<Setting<String>>) -> Result<Option<Box<str>>, ConfigError> {
    match value {
        Some(setting) if setting.value.trim().is_empty() => Err(ConfigError::Invalid {
            var: setting.from,
            reason: "must not be blank",
        }),
        other => Ok(other.map(|setting| setting.value.into_boxed_str())),
    }
}

/// The user-id claim of a key source: `default` unless set, never a registered time or
/// audience claim.
pub(crate) fn user_id_claim(
    value: Option<Setting<String>>,
    default: &str,
) -> Result<Box<str>, ConfigError> {
    let Some(Setting { value: claim, from }) = value else {
        return Ok(default.into());
    };
    if claim.is_empty() || matches!(claim.as_str(), "exp" | "nbf" | "iat" | "iss" | "aud") {
        return Err(ConfigError::Invalid {
            var: from,
            reason: "name a claim that carries the user id, such as `uid` or `sub`",
        });
    }
    Ok(claim.into_boxed_str())
}

/// The role claim of a key source: `role` unless set; never a registered claim or the
/// source's user-id claim, so that one claim is never read two ways.
pub(crate) fn role_claim(
    value: Option<Setting<String>>,
    user_id_claim: &str,
) -> Result<Box<str>, ConfigError> {
    let Some(Setting { value: claim, from }) = value else {
        return Ok(DEFAULT_ROLE_CLAIM.into());
    };
    if claim.trim().is_empty()
        || claim == user_id_claim
        || matches!(
            claim.as_str(),
            "exp" | "nbf" | "iat" | "iss" | "aud" | "sub" | "jti"
        )
    {
        return Err(ConfigError::Invalid {
            var: from,
            reason: "name the claim that carries the roles, such as `role`; not a registered claim or the user-id claim",
        });
    }
    Ok(claim.into_boxed_str())
}

/// The claim that carries a token's roles unless a key source names another: the one Better
/// Auth's `admin` plugin adds to the user object.
pub const DEFAULT_ROLE_CLAIM: &str = "role";

/// A secret long and varied enough to resist guessing.
pub(crate) fn check_secret(secret: &[u8], var: &'static str) -> Result<(), ConfigError> {
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

    const GOOD: &str = "k7Hq2v9XwLmP4sRt8YbNc3FgJd6ZaE1u";

    fn invalid_setting(builder: AuthBuilder) -> Option<&'static str> {
        match builder.build() {
            Err(ConfigError::Invalid { var, .. } | ConfigError::WeakSecret { var, .. }) => {
                Some(var)
            }
            _ => None,
        }
    }

    #[test]
    fn no_key_source_is_refused() {
        let error = Auth::builder().build().expect_err("no source");
        assert_eq!(error, ConfigError::NoKeySource);
        assert!(error.to_string().contains("Hs256::secret"), "{error}");
    }

    #[test]
    fn errors_name_the_builder_method_that_gave_the_value() {
        let hs = || Hs256::secret(GOOD);
        for (builder, method) in [
            (
                Auth::builder().hs256(Hs256::secret("short")),
                "Hs256::secret",
            ),
            (
                Auth::builder().hs256(hs().previous_secret("x")),
                "Hs256::previous_secret",
            ),
            (Auth::builder().hs256(hs().issuer(" ")), "Hs256::issuer"),
            (Auth::builder().hs256(hs().audience("")), "Hs256::audience"),
            (
                Auth::builder().hs256(hs().user_id_claim("exp")),
                "Hs256::user_id_claim",
            ),
            (
                Auth::builder().hs256(hs()).leeway(Duration::from_secs(301)),
                "AuthBuilder::leeway",
            ),
            (
                Auth::builder().jwks(Jwks::better_auth("localhost:3000")),
                "Jwks::better_auth",
            ),
            (Auth::builder().jwks(Jwks::url("ftp://x")), "Jwks::url"),
            (
                Auth::builder().jwks(Jwks::better_auth("https://a").jwks_url("nope")),
                "Jwks::jwks_url",
            ),
            (
                Auth::builder().jwks(Jwks::url("https://a/jwks").issuer("")),
                "Jwks::issuer",
            ),
            (
                Auth::builder().jwks(Jwks::better_auth("https://a").user_id_claim("aud")),
                "Jwks::user_id_claim",
            ),
            (
                Auth::builder()
                    .jwks(Jwks::better_auth("https://a").min_refetch_interval(Duration::ZERO)),
                "Jwks::min_refetch_interval",
            ),
            (
                Auth::builder().hs256(hs().role_claim(" ")),
                "Hs256::role_claim",
            ),
            (
                Auth::builder().jwks(Jwks::better_auth("https://a").role_claim("exp")),
                "Jwks::role_claim",
            ),
        ] {
            assert_eq!(invalid_setting(builder), Some(method));
        }
    }

    #[test]
    fn the_role_claim_is_never_a_registered_or_the_user_id_claim() {
        let hs = || Hs256::secret(GOOD);
        for claim in [
            "", " ", "exp", "nbf", "iat", "iss", "aud", "sub", "jti", "uid",
        ] {
            assert_eq!(
                invalid_setting(Auth::builder().hs256(hs().role_claim(claim))),
                Some("Hs256::role_claim"),
                "{claim:?}"
            );
        }
        assert_eq!(
            invalid_setting(Auth::builder().hs256(hs().user_id_claim("id").role_claim("id"))),
            Some("Hs256::role_claim"),
            "the user-id claim as renamed"
        );
        assert_eq!(
            invalid_setting(Auth::builder().jwks(Jwks::better_auth("https://a").role_claim("sub"))),
            Some("Jwks::role_claim")
        );
        for claim in ["role", "roles", "permissions", "https://example.com/roles"] {
            assert!(
                Auth::builder()
                    .hs256(hs().role_claim(claim))
                    .build()
                    .is_ok(),
                "{claim}"
            );
        }
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

    #[test]
    fn each_source_keeps_its_own_policy() {
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
        // A bare JWKS URL requires no issuer or audience.
        let auth = Auth::builder()
            .jwks(Jwks::url("http://127.0.0.1:1/jwks"))
            .build()
            .expect("valid");
        assert!(format!("{auth:?}").contains("issuer: None"));
    }
}
