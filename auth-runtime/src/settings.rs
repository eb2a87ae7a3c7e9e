//! What the key sources share at start-up: [`ConfigError`], a value that remembers where it
//! was given, and the checks of secrets and claim names. Below the key sources ([`Hs256`],
//! [`Jwks`]) and the assembly of [`Auth`] ([`AuthBuilder`]), which import it; it imports none
//! of them.
//!
//! [`Hs256`]: crate::Hs256
//! [`Jwks`]: crate::Jwks
//! [`Auth`]: crate::Auth
//! [`AuthBuilder`]: crate::AuthBuilder

use std::collections::BTreeSet;
use std::time::Duration;

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
    /// [`AuthBuilder::build`](crate::AuthBuilder::build) was called without a key source.
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

/// The claims a key source reads the user id and the roles from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceClaims {
    pub(crate) user_id: Box<str>,
    pub(crate) role: Box<str>,
}

/// Claims whose meaning the verifier fixes: never the user id or the roles.
const TIME_AND_AUDIENCE: [&str; 5] = ["exp", "nbf", "iat", "iss", "aud"];

impl SourceClaims {
    /// The user-id claim (`default_user_id` unless set) and the role claim
    /// ([`DEFAULT_ROLE_CLAIM`] unless set) of a key source. Neither may be blank or a registered
    /// claim the verifier reads itself, and they must differ, so that one claim is never read
    /// two ways; the error names the setting that was given.
    pub(crate) fn new(
        user_id: Option<Setting<String>>,
        default_user_id: &str,
        role: Option<Setting<String>>,
    ) -> Result<Self, ConfigError> {
        let user_id_from = user_id.as_ref().map(|setting| setting.from);
        let role_from = role.as_ref().map(|setting| setting.from);
        let user_id = match user_id {
            None => default_user_id.into(),
            Some(Setting { value, from }) => {
                if value.trim().is_empty() || TIME_AND_AUDIENCE.contains(&value.as_str()) {
                    return Err(ConfigError::Invalid {
                        var: from,
                        reason: "name a claim that carries the user id, such as `uid` or `sub`",
                    });
                }
                value.into_boxed_str()
            }
        };
        let role = match role {
            None => DEFAULT_ROLE_CLAIM.into(),
            Some(Setting { value, from }) => {
                if value.trim().is_empty()
                    || TIME_AND_AUDIENCE.contains(&value.as_str())
                    || matches!(value.as_str(), "sub" | "jti")
                {
                    return Err(ConfigError::Invalid {
                        var: from,
                        reason: "name the claim that carries the roles, such as `role`; not a registered claim",
                    });
                }
                value.into_boxed_str()
            }
        };
        if user_id == role {
            // Whichever side was set names the mistake; with both set, the role claim (the one
            // given to add roles to a working configuration).
            // The defaults differ, so at least one of the two was set.
            let var = role_from.or(user_id_from).unwrap_or(DEFAULT_ROLE_CLAIM);
            return Err(ConfigError::Invalid {
                var,
                reason: "the user-id claim and the role claim must be different claims: one claim is never read two ways",
            });
        }
        Ok(SourceClaims { user_id, role })
    }
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
