//! The assembly of an [`Auth`]: [`AuthBuilder`] takes one or both key sources and what they
//! share, and builds them.
//!
//! Each key source has its own builder ([`Hs256`](crate::Hs256), [`Jwks`](crate::Jwks)), so a
//! setting cannot land on the wrong one; [`AuthBuilder`] holds what both share. Every value
//! remembers where it was given (an environment variable or a builder method), and errors name
//! that place. The checks the key sources share are in `settings.rs`, below them.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::auth::{Auth, Inner};
use crate::cache::{DEFAULT_TOKEN_CACHE_MAX_BYTES, TokenCache};
use crate::hs256::Hs256;
#[cfg(feature = "jwks")]
use crate::jwks::Jwks;
use crate::settings::{ConfigError, DEFAULT_LEEWAY, MAX_LEEWAY, Setting};

impl Auth {
    /// Starts a configuration from scratch (no environment is read).
    pub fn builder() -> AuthBuilder {
        AuthBuilder::default()
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
    hs256: Option<Hs256>,
    #[cfg(feature = "jwks")]
    jwks: Option<Jwks>,
    leeway: Option<Setting<Duration>>,
    token_cache_max_bytes: Option<usize>,
}

impl fmt::Debug for AuthBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthBuilder").finish_non_exhaustive()
    }
}

impl AuthBuilder {
    /// The scopes the RFC 9728 metadata lists, unless `AUTH_RESOURCE_SCOPES` or
    /// [`Resource::scopes`](crate::Resource::scopes) set them; nothing when no resource is
    /// configured. For an application that knows the scopes its routes name.
    #[cfg_attr(not(feature = "jwks"), allow(unused_mut))]
    pub fn default_resource_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        #[cfg(feature = "jwks")]
        if let Some(resource) = self.jwks.as_mut().and_then(Jwks::resource_mut)
            && !resource.has_scopes()
        {
            let scopes = scopes.into_iter().map(Into::into).collect();
            *resource = resource
                .clone()
                .scopes_from(Setting::new(scopes, "AuthBuilder::default_resource_scopes"));
        }
        #[cfg(not(feature = "jwks"))]
        let _ = scopes;
        self
    }

    /// The scope hierarchy ([`Resource::implies`](crate::Resource::implies)), unless
    /// `AUTH_SCOPE_IMPLICATIONS` or the resource set one; nothing when no resource is
    /// configured. For an application whose scopes have a hierarchy of their own:
    /// `.default_scope_implications([("tasks:write", "tasks:read")])`.
    #[cfg_attr(not(feature = "jwks"), allow(unused_mut))]
    pub fn default_scope_implications<I, B, N>(mut self, implications: I) -> Self
    where
        I: IntoIterator<Item = (B, N)>,
        B: Into<String>,
        N: Into<String>,
    {
        #[cfg(feature = "jwks")]
        if let Some(resource) = self.jwks.as_mut().and_then(Jwks::resource_mut)
            && !resource.has_implications()
        {
            let pairs = implications
                .into_iter()
                .map(|(broader, narrower)| (broader.into(), narrower.into()))
                .collect();
            *resource = resource.clone().implications_from(Setting::new(
                pairs,
                "AuthBuilder::default_scope_implications",
            ));
        }
        #[cfg(not(feature = "jwks"))]
        let _ = implications;
        self
    }

    /// HS256 tokens, verified with a shared secret (Better Auth's `jwt` plugin with a custom
    /// signer).
    pub fn hs256(mut self, source: Hs256) -> Self {
        self.hs256 = Some(source);
        self
    }

    /// Tokens signed with the public keys of a JWKS (Better Auth's `jwt` plugin as installed).
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub fn jwks(mut self, source: Jwks) -> Self {
        self.jwks = Some(source);
        self
    }

    /// Clock-skew leeway for `exp` and `nbf`, for both key sources (default 5 s, at most 300 s;
    /// whole seconds).
    pub fn leeway(self, leeway: Duration) -> Self {
        self.leeway_from(Setting::new(leeway, "AuthBuilder::leeway"))
    }

    pub(crate) fn leeway_from(mut self, leeway: Setting<Duration>) -> Self {
        self.leeway = Some(leeway);
        self
    }

    /// The bound, in bytes, of the cache of verified tokens, so that a token seen before is not
    /// verified again (default
    /// [`DEFAULT_TOKEN_CACHE_MAX_BYTES`](crate::limits::DEFAULT_TOKEN_CACHE_MAX_BYTES), 16 MiB; 0
    /// turns the cache off). Each entry weighs its token, its decoded payload and its
    /// bookkeeping, so large tokens take more of it. See `SECURITY.md` for what a cached token
    /// is checked against.
    pub fn token_cache_max_bytes(mut self, bytes: usize) -> Self {
        self.token_cache_max_bytes = Some(bytes);
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
        #[cfg(feature = "jwks")]
        let has_jwks = self.jwks.is_some();
        #[cfg(not(feature = "jwks"))]
        let has_jwks = false;
        if self.hs256.is_none() && !has_jwks {
            return Err(ConfigError::NoKeySource);
        }
        let hs256 = self.hs256.map(|hs| hs.build(leeway)).transpose()?;
        let cache = TokenCache::new(
            self.token_cache_max_bytes
                .unwrap_or(DEFAULT_TOKEN_CACHE_MAX_BYTES),
        );
        Ok(Auth {
            inner: Arc::new(Inner {
                hs256,
                #[cfg(feature = "jwks")]
                jwks: self.jwks.map(|jwks| jwks.build(leeway)).transpose()?,
                cache,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_util::{GOOD, invalid_setting};

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
                Auth::builder().hs256(hs().role_claim(" ")),
                "Hs256::role_claim",
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
        // The user-id claim may not be the role claim either, whichever side was set.
        assert_eq!(
            invalid_setting(Auth::builder().hs256(hs().user_id_claim("role"))),
            Some("Hs256::user_id_claim")
        );
        assert!(
            Auth::builder()
                .hs256(hs().user_id_claim("role").role_claim("roles"))
                .build()
                .is_ok(),
            "renamed apart"
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
}
