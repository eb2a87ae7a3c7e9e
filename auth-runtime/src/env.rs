//! The environment variables [`Auth::from_env`](crate::Auth::from_env) reads, in one place, and
//! how they become an [`AuthBuilder`]. [`ALL`] lists them; the table of
//! [`Auth::from_env`](crate::Auth::from_env) and the README's describe each (a test checks).

use std::ffi::OsString;
use std::time::Duration;

use crate::auth::Auth;
use crate::config::AuthBuilder;
use crate::hs256::Hs256;
#[cfg(feature = "jwks")]
use crate::jwks::Jwks;
#[cfg(feature = "jwks")]
use crate::resource::Resource;
use crate::settings::{ConfigError, Setting};

/// Every variable [`Auth::from_env`] reads: for an application that clears the environment of
/// a child process, and for the tests that check each one is documented.
pub const ALL: [&str; 22] = [
    SECRET_VAR,
    PREVIOUS_SECRET_VAR,
    ISSUER_VAR,
    AUDIENCE_VAR,
    LEEWAY_VAR,
    USER_ID_CLAIM_VAR,
    ROLE_CLAIM_VAR,
    BETTER_AUTH_URL_VAR,
    JWKS_URL_VAR,
    JWKS_ISSUER_VAR,
    JWKS_AUDIENCE_VAR,
    JWKS_USER_ID_CLAIM_VAR,
    JWKS_ROLE_CLAIM_VAR,
    JWKS_CA_FILE_VAR,
    JWKS_ALLOW_HTTP_VAR,
    TOKEN_CACHE_MAX_BYTES_VAR,
    TOKEN_CACHE_CAPACITY_VAR,
    JWKS_MIN_REFETCH_VAR,
    RESOURCE_VAR,
    ACCESS_TOKEN_ISSUER_VAR,
    RESOURCE_SCOPES_VAR,
    SCOPE_IMPLICATIONS_VAR,
];

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
/// Optional: the claim that carries the roles in HS256 tokens (default `role`).
pub const ROLE_CLAIM_VAR: &str = "AUTH_JWT_ROLE_CLAIM";
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
/// Optional: the claim that carries the roles in JWKS tokens (default `role`).
pub const JWKS_ROLE_CLAIM_VAR: &str = "AUTH_JWKS_ROLE_CLAIM";
/// Optional: a PEM bundle of certificate authorities to trust for the JWKS's https (a private CA).
pub const JWKS_CA_FILE_VAR: &str = "AUTH_JWKS_CA_FILE";
/// Optional: `1` or `true` allows a plain `http://` JWKS URL on a host other than loopback.
pub const JWKS_ALLOW_HTTP_VAR: &str = "AUTH_JWKS_ALLOW_HTTP";
/// Optional: the bound of the cache of verified tokens, in bytes (default 16777216, i.e.
/// 16 MiB; 0 turns the cache off).
pub const TOKEN_CACHE_MAX_BYTES_VAR: &str = "AUTH_TOKEN_CACHE_MAX_BYTES";
/// No longer read: the cache was bounded by a number of entries, and is now bounded in bytes
/// ([`TOKEN_CACHE_MAX_BYTES_VAR`]). Set, it stops the service at start-up, so that a
/// configuration written for the old bound is not silently ignored.
pub const TOKEN_CACHE_CAPACITY_VAR: &str = "AUTH_TOKEN_CACHE_CAPACITY";
/// Optional: the least time between two JWKS fetches, in seconds (default 30).
pub const JWKS_MIN_REFETCH_VAR: &str = "AUTH_JWKS_MIN_REFETCH_SECS";
/// Optional, JWKS mode: this API's OAuth resource identifier (RFC 8707), which turns on OAuth
/// access tokens for `#[authorized(scope = …)]` routes and the RFC 9728 metadata.
pub const RESOURCE_VAR: &str = "AUTH_RESOURCE";
/// Optional, with [`RESOURCE_VAR`]: the `iss` of access tokens (default
/// `{origin of BETTER_AUTH_URL}/api/auth`).
pub const ACCESS_TOKEN_ISSUER_VAR: &str = "AUTH_ACCESS_TOKEN_ISSUER";
/// Optional, with [`RESOURCE_VAR`]: the scopes this API understands, space-separated, for the
/// metadata's `scopes_supported`.
pub const RESOURCE_SCOPES_VAR: &str = "AUTH_RESOURCE_SCOPES";

/// Optional, with [`RESOURCE_VAR`]: the scope hierarchy, space-separated `broader>narrower`
/// items (`tasks:write>tasks:read tasks:admin>tasks:write,tasks:stats`): an access token granted
/// the broader scope is granted the narrower ones too ([`Resource::implies`](crate::Resource::implies)).
pub const SCOPE_IMPLICATIONS_VAR: &str = "AUTH_SCOPE_IMPLICATIONS";

impl Auth {
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
    /// | `AUTH_RESOURCE` | optional, JWKS mode: this API's OAuth resource identifier; turns on access tokens for `scope` routes |
    /// | `AUTH_ACCESS_TOKEN_ISSUER` | optional: the `iss` of access tokens, default `{origin}/api/auth` |
    /// | `AUTH_RESOURCE_SCOPES` | optional: the scopes the RFC 9728 metadata lists, space-separated |
    /// | `AUTH_SCOPE_IMPLICATIONS` | optional: `broader>narrower` items, space-separated, e.g. `tasks:write>tasks:read`: a broader scope grants the narrower ones |
    /// | `AUTH_TOKEN_CACHE_MAX_BYTES` | optional: bound of the verified-token cache in bytes, default 16777216 (16 MiB), 0 for none |
    /// | `AUTH_TOKEN_CACHE_CAPACITY` | no longer read: set, it stops start-up, pointing to `AUTH_TOKEN_CACHE_MAX_BYTES` |
    ///
    /// [`env::ALL`](crate::env::ALL) lists them.
    pub fn from_env() -> Result<Self, ConfigError> {
        builder(std::env::var_os)?.build()
    }
}

impl AuthBuilder {
    /// The configuration [`Auth::from_env`] reads, as a builder, to adjust in code before
    /// [`build`](Self::build).
    pub fn from_env() -> Result<Self, ConfigError> {
        builder(std::env::var_os)
    }
}

/// The builder the environment describes; `read` is `std::env::var_os` outside tests.
pub(crate) fn builder(
    read: impl Fn(&'static str) -> Option<OsString>,
) -> Result<AuthBuilder, ConfigError> {
    let text = |var: &'static str| -> Result<Option<Setting<String>>, ConfigError> {
        match read(var) {
            None => Ok(None),
            Some(value) => value
                .into_string()
                .map(|s| {
                    Some(s)
                        .filter(|s| !s.is_empty())
                        .map(|s| Setting::new(s, var))
                })
                .map_err(|_| ConfigError::NotUnicode { var }),
        }
    };
    let seconds = |var: &'static str| -> Result<Option<Setting<Duration>>, ConfigError> {
        text(var)?
            .map(|setting| {
                setting
                    .value
                    .trim()
                    .parse::<u64>()
                    .map(|secs| Setting::new(Duration::from_secs(secs), var))
                    .map_err(|_| ConfigError::Invalid {
                        var,
                        reason: "expected a whole number of seconds, e.g. 5",
                    })
            })
            .transpose()
    };
    let bytes = |setting: Setting<String>| Setting::new(setting.value.into_bytes(), setting.from);

    if text(TOKEN_CACHE_CAPACITY_VAR)?.is_some() {
        return Err(ConfigError::Invalid {
            var: TOKEN_CACHE_CAPACITY_VAR,
            reason: "no longer read: the cache is bounded in bytes, set AUTH_TOKEN_CACHE_MAX_BYTES instead (default 16777216; 0 turns the cache off)",
        });
    }
    let token_cache_max_bytes = text(TOKEN_CACHE_MAX_BYTES_VAR)?
        .map(|setting| {
            setting
                .value
                .trim()
                .parse::<usize>()
                .map_err(|_| ConfigError::Invalid {
                    var: TOKEN_CACHE_MAX_BYTES_VAR,
                    reason: "expected a whole number of bytes, e.g. 16777216 (0 turns the cache off)",
                })
        })
        .transpose()?;
    let mut builder = with(
        AuthBuilder::default(),
        seconds(LEEWAY_VAR)?,
        AuthBuilder::leeway_from,
    );
    if let Some(bytes) = token_cache_max_bytes {
        builder = builder.token_cache_max_bytes(bytes);
    }
    let previous = text(PREVIOUS_SECRET_VAR)?;
    let hs256 = match text(SECRET_VAR)? {
        Some(secret) => {
            let hs256 = Hs256::with_secret(bytes(secret));
            let hs256 = with(hs256, previous.map(bytes), Hs256::previous_secret_from);
            let hs256 = with(hs256, text(ISSUER_VAR)?, Hs256::issuer_from);
            let hs256 = with(hs256, text(AUDIENCE_VAR)?, Hs256::audience_from);
            let hs256 = with(hs256, text(USER_ID_CLAIM_VAR)?, Hs256::user_id_claim_from);
            Some(with(hs256, text(ROLE_CLAIM_VAR)?, Hs256::role_claim_from))
        }
        // A previous secret without a current one is a half-done rotation.
        None if previous.is_some() => return Err(ConfigError::MissingSecret { var: SECRET_VAR }),
        None => None,
    };
    let has_hs256 = hs256.is_some();
    builder = with(builder, hs256, AuthBuilder::hs256);

    let jwks_location = (text(BETTER_AUTH_URL_VAR)?, text(JWKS_URL_VAR)?);
    let resource = text(RESOURCE_VAR)?;
    let access_token_issuer = text(ACCESS_TOKEN_ISSUER_VAR)?;
    let resource_scopes = text(RESOURCE_SCOPES_VAR)?;
    let scope_implications = text(SCOPE_IMPLICATIONS_VAR)?
        .map(|setting| {
            implications(&setting.value)
                .map(|pairs| Setting::new(pairs, setting.from))
                .ok_or(ConfigError::Invalid {
                    var: SCOPE_IMPLICATIONS_VAR,
                    reason: "expected space-separated broader>narrower items, e.g. tasks:write>tasks:read tasks:admin>tasks:write,tasks:stats",
                })
        })
        .transpose()?;
    let implications_from = scope_implications
        .as_ref()
        .map(|setting| Setting::new((), setting.from));
    if let (None, None) = jwks_location
        && let Some(from) = [&resource, &access_token_issuer, &resource_scopes]
            .into_iter()
            .flatten()
            .map(|setting| setting.from)
            .next()
    {
        return Err(ConfigError::Invalid {
            var: from,
            reason: "OAuth access tokens are signed with Better Auth's JWKS keys: set BETTER_AUTH_URL too",
        });
    }
    if resource.is_none()
        && let Some(from) = [&access_token_issuer, &resource_scopes]
            .into_iter()
            .flatten()
            .map(|setting| setting.from)
            .chain(implications_from.map(|setting| setting.from))
            .next()
    {
        return Err(ConfigError::Invalid {
            var: from,
            reason: "applies to OAuth access tokens, which need this API's resource identifier: set AUTH_RESOURCE too",
        });
    }
    #[cfg(not(feature = "jwks"))]
    if let (Some(Setting { from, .. }), _) | (None, Some(Setting { from, .. })) = jwks_location {
        return Err(ConfigError::Invalid {
            var: from,
            reason: "JWKS mode needs the `jwks` feature of auth-runtime (on by default): enable it, or unset the variable",
        });
    }
    #[cfg(feature = "jwks")]
    {
        let jwks = match jwks_location {
            (Some(url), jwks_url) => {
                let jwks = Jwks::for_better_auth(url);
                Some(match jwks_url {
                    Some(jwks_url) => jwks.jwks_url_from(jwks_url),
                    None => jwks,
                })
            }
            (None, Some(jwks_url)) => Some(Jwks::at(jwks_url)),
            (None, None) => None,
        };
        if let Some(jwks) = jwks {
            let jwks = with(jwks, text(JWKS_ISSUER_VAR)?, Jwks::issuer_from);
            let jwks = with(jwks, text(JWKS_AUDIENCE_VAR)?, Jwks::audience_from);
            let jwks = with(
                jwks,
                text(JWKS_USER_ID_CLAIM_VAR)?,
                Jwks::user_id_claim_from,
            );
            let jwks = with(jwks, text(JWKS_ROLE_CLAIM_VAR)?, Jwks::role_claim_from);
            let jwks = with(
                jwks,
                seconds(JWKS_MIN_REFETCH_VAR)?,
                Jwks::min_refetch_interval_from,
            );
            let ca_file = text(JWKS_CA_FILE_VAR)?
                .map(|file| Setting::new(file.value.into(), JWKS_CA_FILE_VAR));
            let jwks = with(jwks, ca_file, Jwks::ca_file_from);
            let resource = resource.map(|id| {
                let resource = Resource::new_from(id);
                let resource = with(resource, access_token_issuer, Resource::issuer_from);
                let scopes = resource_scopes.map(|scopes| {
                    let list = scopes.value.split_whitespace().map(str::to_owned).collect();
                    Setting::new(list, scopes.from)
                });
                let resource = with(resource, scopes, Resource::scopes_from);
                with(resource, scope_implications, Resource::implications_from)
            });
            let mut jwks = with(jwks, resource, Jwks::resource);
            match text(JWKS_ALLOW_HTTP_VAR)?.as_ref().map(|s| s.value.trim()) {
                None | Some("0" | "false") => {}
                Some("1" | "true") => jwks = jwks.allow_http(),
                Some(_) => {
                    return Err(ConfigError::Invalid {
                        var: JWKS_ALLOW_HTTP_VAR,
                        reason: "expected 1 or true (or 0 or false)",
                    });
                }
            }
            return Ok(builder.jwks(jwks));
        }
    }
    if !has_hs256 {
        return Err(ConfigError::MissingSecret { var: SECRET_VAR });
    }
    Ok(builder)
}

/// `broader>narrower[,narrower…]` items, space-separated, as `(broader, narrower)` pairs; `None`
/// when an item is not of that form (the scopes themselves are checked when the resource is
/// built).
fn implications(value: &str) -> Option<Vec<(String, String)>> {
    let mut pairs = Vec::new();
    for item in value.split_whitespace() {
        let (broader, narrower) = item.split_once('>')?;
        for narrower in narrower.split(',') {
            if broader.is_empty() || narrower.is_empty() {
                return None;
            }
            pairs.push((broader.to_owned(), narrower.to_owned()));
        }
    }
    Some(pairs)
}

/// `builder` with `value` set through `set`, when there is one.
fn with<B, T>(builder: B, value: Option<T>, set: impl FnOnce(B, T) -> B) -> B {
    match value {
        Some(value) => set(builder, value),
        None => builder,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Auth;
    use std::collections::HashMap;
    use std::ffi::OsString;

    const GOOD: &str = "k7Hq2v9XwLmP4sRt8YbNc3FgJd6ZaE1u";

    fn from(vars: &[(&'static str, &str)]) -> Result<Auth, ConfigError> {
        let map: HashMap<&str, OsString> =
            vars.iter().map(|(k, v)| (*k, OsString::from(v))).collect();
        builder(|var| map.get(var).cloned())?.build()
    }

    /// One list of the variables: each is in the table of `Auth::from_env` and in the README.
    #[test]
    fn every_variable_is_documented() {
        let table = include_str!("env.rs");
        let readme = include_str!("../../README.md");
        for var in ALL {
            let named = format!("`{var}`");
            assert!(
                table
                    .lines()
                    .any(|line| line.trim_start().starts_with("/// | ") && line.contains(&named)),
                "{var} is missing from the table of Auth::from_env"
            );
            assert!(readme.contains(&named), "{var} is missing from the README");
        }
        let mut sorted = ALL.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), ALL.len(), "a variable listed twice");
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
            from(&[(PREVIOUS_SECRET_VAR, GOOD)]).err(),
            Some(ConfigError::MissingSecret { var: SECRET_VAR }),
            "a previous secret without a current one"
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
        for (var, claim) in [
            (ROLE_CLAIM_VAR, "uid"),
            (ROLE_CLAIM_VAR, "exp"),
            // The user-id claim may not be the (default) role claim either.
            (USER_ID_CLAIM_VAR, "role"),
        ] {
            let error = from(&[(SECRET_VAR, GOOD), (var, claim)]).expect_err(var);
            assert!(
                matches!(error, ConfigError::Invalid { var: named, .. } if named == var),
                "{var}={claim}: {error}"
            );
        }
        let error = from(&[
            (SECRET_VAR, GOOD),
            (USER_ID_CLAIM_VAR, "perms"),
            (ROLE_CLAIM_VAR, "perms"),
        ])
        .expect_err("the same claim twice");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: ROLE_CLAIM_VAR,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains("must be different claims"),
            "{error}"
        );
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
        assert_eq!(auth.hs256_claims().map(|c| c.user_id), Some("sub"));
        let debug = format!("{auth:?}");
        assert!(
            !debug.contains(GOOD),
            "Debug never shows the secret: {debug}"
        );
    }

    #[cfg(feature = "jwks")]
    #[test]
    fn jwks_claim_settings_name_their_variables() {
        assert!(matches!(
            from(&[
                (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
                (JWKS_USER_ID_CLAIM_VAR, "role")
            ]),
            Err(ConfigError::Invalid {
                var: JWKS_USER_ID_CLAIM_VAR,
                ..
            })
        ));
        assert!(matches!(
            from(&[
                (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
                (JWKS_ROLE_CLAIM_VAR, "sub")
            ]),
            Err(ConfigError::Invalid {
                var: JWKS_ROLE_CLAIM_VAR,
                ..
            })
        ));
    }

    #[cfg(not(feature = "jwks"))]
    #[test]
    fn without_the_jwks_feature_jwks_settings_stop_the_service() {
        for (var, value) in [
            (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
            (JWKS_URL_VAR, "http://localhost:3000/api/auth/jwks"),
        ] {
            let error = from(&[(SECRET_VAR, GOOD), (var, value)]).expect_err(var);
            assert!(
                matches!(error, ConfigError::Invalid { var: named, .. } if named == var),
                "{error}"
            );
            assert!(error.to_string().contains("`jwks` feature"), "{error}");
        }
    }

    #[cfg(feature = "https")]
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
        assert_eq!(auth.hs256_claims(), None, "no HS256 mode");
        assert_eq!(
            auth.jwks_claims().map(|c| (c.user_id, c.role)),
            Some(("sub", "role"))
        );

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
        assert_eq!(auth.hs256_claims().map(|c| c.user_id), Some("uid"));

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

    #[cfg(feature = "jwks")]
    #[test]
    fn a_jwks_url_without_an_origin_pins_nothing_and_is_refused() {
        let url = "http://127.0.0.1:3000/custom/jwks";
        let error = from(&[(JWKS_URL_VAR, url)]).expect_err("no issuer, no audience");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: JWKS_URL_VAR,
                    ..
                }
            ),
            "{error}"
        );
        let text = error.to_string();
        assert!(
            text.contains(BETTER_AUTH_URL_VAR) && text.contains(JWKS_ISSUER_VAR),
            "names the variable to add: {text}"
        );
        let error = from(&[
            (JWKS_URL_VAR, url),
            (JWKS_ISSUER_VAR, "http://127.0.0.1:3000"),
        ])
        .expect_err("no audience");
        assert!(error.to_string().contains(JWKS_AUDIENCE_VAR), "{error}");
        let pinned = [
            (JWKS_URL_VAR, url),
            (JWKS_ISSUER_VAR, "http://127.0.0.1:3000"),
            (JWKS_AUDIENCE_VAR, "http://127.0.0.1:3000"),
        ];
        assert!(from(&pinned).is_ok());
        // Access tokens need their issuer pinned too.
        let mut with_resource = pinned.to_vec();
        with_resource.push((RESOURCE_VAR, "https://api.example.com"));
        let error = from(&with_resource).expect_err("no access-token issuer");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: RESOURCE_VAR,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains(ACCESS_TOKEN_ISSUER_VAR),
            "{error}"
        );
        with_resource.push((ACCESS_TOKEN_ISSUER_VAR, "http://127.0.0.1:3000/api/auth"));
        assert!(from(&with_resource).is_ok());
        // With BETTER_AUTH_URL, both default to its origin.
        assert!(
            from(&[
                (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
                (JWKS_URL_VAR, url)
            ])
            .is_ok()
        );
    }

    #[cfg(feature = "jwks")]
    #[test]
    fn scope_implications_are_read_and_checked() {
        let base = [
            (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
            (RESOURCE_VAR, "https://api.example.com"),
        ];
        let with = |value: &str| {
            let mut vars = base.to_vec();
            vars.push((SCOPE_IMPLICATIONS_VAR, value));
            from(&vars)
        };
        assert!(with("tasks:write>tasks:read tasks:admin>tasks:write,tasks:stats").is_ok());
        for bad in [
            "tasks:write",
            "tasks:write>",
            ">tasks:read",
            "a>b,,c",
            "a>a",
            "a>b\"c",
        ] {
            assert!(
                matches!(
                    with(bad),
                    Err(ConfigError::Invalid {
                        var: SCOPE_IMPLICATIONS_VAR,
                        ..
                    })
                ),
                "{bad}"
            );
        }
        let error = from(&[
            (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
            (SCOPE_IMPLICATIONS_VAR, "a>b"),
        ])
        .expect_err("no resource");
        assert!(error.to_string().contains(RESOURCE_VAR), "{error}");
    }

    #[cfg(feature = "jwks")]
    #[test]
    fn a_resource_path_a_router_cannot_serve_is_refused_at_start_up() {
        for resource in [
            "http://127.0.0.1:8080/{tasks",
            "http://127.0.0.1:8080/tasks}",
            "http://127.0.0.1:8080/:v1",
        ] {
            let error = from(&[
                (BETTER_AUTH_URL_VAR, "http://localhost:3000"),
                (RESOURCE_VAR, resource),
            ])
            .expect_err(resource);
            assert!(
                matches!(
                    error,
                    ConfigError::Invalid {
                        var: RESOURCE_VAR,
                        ..
                    }
                ),
                "{resource}: {error}"
            );
        }
    }

    #[test]
    fn token_cache_max_bytes_is_read_and_validated() {
        let auth = from(&[(SECRET_VAR, GOOD), (TOKEN_CACHE_MAX_BYTES_VAR, "0")]).expect("off");
        assert_eq!(auth.cached_tokens(), 0);
        for bad in ["-1", "many", "1e4", "16MiB"] {
            assert!(
                matches!(
                    from(&[(SECRET_VAR, GOOD), (TOKEN_CACHE_MAX_BYTES_VAR, bad)]),
                    Err(ConfigError::Invalid {
                        var: TOKEN_CACHE_MAX_BYTES_VAR,
                        ..
                    })
                ),
                "{bad}"
            );
        }
        assert!(from(&[(SECRET_VAR, GOOD), (TOKEN_CACHE_MAX_BYTES_VAR, " 500000 ")]).is_ok());
    }

    #[test]
    fn the_entry_count_of_the_cache_is_no_longer_read() {
        let error = from(&[(SECRET_VAR, GOOD), (TOKEN_CACHE_CAPACITY_VAR, "10000")])
            .expect_err("the old setting");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: TOKEN_CACHE_CAPACITY_VAR,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains(TOKEN_CACHE_MAX_BYTES_VAR),
            "{error}"
        );
    }

    #[cfg(feature = "https")]
    #[test]
    fn plain_http_and_ca_file_settings_name_their_variables() {
        let internal = "http://auth.internal:3000";
        assert!(matches!(
            from(&[(BETTER_AUTH_URL_VAR, internal)]),
            Err(ConfigError::Invalid {
                var: BETTER_AUTH_URL_VAR,
                ..
            })
        ));
        assert!(from(&[(BETTER_AUTH_URL_VAR, internal), (JWKS_ALLOW_HTTP_VAR, "1")]).is_ok());
        assert!(matches!(
            from(&[
                (BETTER_AUTH_URL_VAR, internal),
                (JWKS_ALLOW_HTTP_VAR, "yes")
            ]),
            Err(ConfigError::Invalid {
                var: JWKS_ALLOW_HTTP_VAR,
                ..
            })
        ));
        assert_eq!(
            from(&[
                (BETTER_AUTH_URL_VAR, "https://auth.example.com"),
                (JWKS_CA_FILE_VAR, "/nonexistent/ca.pem"),
            ])
            .err(),
            Some(ConfigError::Invalid {
                var: JWKS_CA_FILE_VAR,
                reason: "the file cannot be read"
            })
        );
    }
}
