//! OAuth 2.1 access tokens (RFC 9068) for this API's resource, and its RFC 9728 metadata.
//!
//! Better Auth's `oauth-provider` plugin signs an access token with the same JWKS keys as a
//! session token when the token request names a `resource`. The two are told apart by what the
//! signature covers: the header's `typ` (`at+jwt` for an access token, `JWT` for a session
//! token), then each kind's own issuer (`{origin}/api/auth` vs the origin) and audience (this
//! API's resource vs the origin). See SECURITY.md, "OAuth access tokens".

use std::sync::Arc;

use axum::http::{HeaderValue, header};

use crate::claims::ClaimPolicy;
use crate::settings::{ConfigError, Setting, SourceClaims, non_blank};

/// The well-known path of RFC 9728 §3.
pub(crate) const METADATA_PATH: &str = "/.well-known/oauth-protected-resource";

/// This API as an OAuth 2.1 protected resource: its identifier (RFC 8707), the issuer of the
/// access tokens it accepts, and the scopes its metadata (RFC 9728) lists. Given to
/// [`Jwks::resource`](crate::Jwks::resource): OAuth access tokens from Better Auth's
/// `oauth-provider` plugin (header `typ` `at+jwt`) are then accepted, by
/// `#[authorized(scope = …)]` routes only, when their `aud` holds the identifier and their
/// `iss` is the issuer.
///
/// ```
/// use auth_runtime::{Auth, Jwks, Resource};
///
/// # fn main() -> Result<(), auth_runtime::ConfigError> {
/// let api = Resource::new("https://api.example.com")
///     .scopes(["tasks:read", "tasks:write"])
///     .issuer("https://auth.example.com/api/auth");
/// let auth = Auth::builder()
///     .jwks(Jwks::better_auth("https://auth.example.com").resource(api))
///     .build()?;
/// # let _ = auth; Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct Resource {
    id: Setting<String>,
    issuer: Option<Setting<String>>,
    scopes: Option<Setting<Vec<String>>>,
}

impl Resource {
    /// The identifier clients name in their token requests (`resource=`): this API's absolute
    /// `http(s)` URL, without query or fragment, e.g. `https://api.example.com`.
    pub fn new(id: impl Into<String>) -> Self {
        Self::new_from(Setting::new(id.into(), "Resource::new"))
    }

    pub(crate) fn new_from(id: Setting<String>) -> Self {
        Resource {
            id,
            issuer: None,
            scopes: None,
        }
    }

    /// The `iss` of access tokens (default: `{origin}/api/auth` of the Better Auth URL, the
    /// issuer Better Auth writes with its default `basePath`; required with a bare
    /// [`Jwks::url`](crate::Jwks::url), which has no origin).
    pub fn issuer(self, issuer: impl Into<String>) -> Self {
        self.issuer_from(Setting::new(issuer.into(), "Resource::issuer"))
    }

    pub(crate) fn issuer_from(mut self, issuer: Setting<String>) -> Self {
        self.issuer = Some(issuer);
        self
    }

    /// The scopes this API understands, for the metadata's `scopes_supported`. Each is an
    /// RFC 6749 scope-token (printable ASCII, no space, quote or backslash).
    pub fn scopes<I, S>(self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes = scopes.into_iter().map(Into::into).collect();
        self.scopes_from(Setting::new(scopes, "Resource::scopes"))
    }

    pub(crate) fn scopes_from(mut self, scopes: Setting<Vec<String>>) -> Self {
        self.scopes = Some(scopes);
        self
    }

    /// Whether scopes were given (by the environment or in code).
    pub(crate) fn has_scopes(&self) -> bool {
        self.scopes.is_some()
    }

    /// Validates the settings: what access tokens must satisfy. `default_issuer` stands in for
    /// an issuer not given (the Better Auth URL's); without either, the resource is refused.
    pub(crate) fn build(
        self,
        default_issuer: Option<Setting<String>>,
        leeway: u64,
        claims: &SourceClaims,
    ) -> Result<AccessTokens, ConfigError> {
        let issuer = self.issuer.or(default_issuer).ok_or(ConfigError::Invalid {
            var: self.id.from,
            reason: "no issuer to require of access tokens (there is no Better Auth URL to derive it from): set BETTER_AUTH_URL (Jwks::better_auth), or AUTH_ACCESS_TOKEN_ISSUER (Resource::issuer)",
        })?;
        AccessTokens::new(self.id, issuer, self.scopes, leeway, claims)
    }
}

/// What an access token must satisfy, and what the metadata document says.
#[derive(Debug)]
pub(crate) struct AccessTokens {
    pub(crate) policy: ClaimPolicy,
    pub(crate) resource: Box<str>,
    /// The authorization server (the issuer of the access tokens).
    pub(crate) issuer: Box<str>,
    pub(crate) scopes: Vec<Box<str>>,
    /// Where the metadata is served: the resource's origin, the well-known path, then the
    /// resource's own path (RFC 9728 §3.1).
    pub(crate) metadata_url: Box<str>,
}

impl AccessTokens {
    pub(crate) fn new(
        resource: Setting<String>,
        issuer: Setting<String>,
        scopes: Option<Setting<Vec<String>>>,
        leeway: u64,
        claims: &SourceClaims,
    ) -> Result<Self, ConfigError> {
        let invalid = |var, reason| ConfigError::Invalid { var, reason };
        let value = resource.value.trim();
        let (scheme, rest) = value
            .split_once("://")
            .filter(|(scheme, _)| {
                scheme.eq_ignore_ascii_case("https") || scheme.eq_ignore_ascii_case("http")
            })
            .ok_or(invalid(
                resource.from,
                "expected this API's absolute URL, e.g. https://api.example.com (RFC 8707: the identifier clients ask tokens for)",
            ))?;
        if value
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '\\' | '<' | '>'))
            || !value.is_ascii()
        {
            return Err(invalid(
                resource.from,
                "a resource identifier is an ASCII URL without spaces, quotes or backslashes",
            ));
        }
        if value.contains('#') || value.contains('?') {
            return Err(invalid(
                resource.from,
                "a resource identifier has no query or fragment (RFC 8707 §2)",
            ));
        }
        let (host, path) = match rest.find('/') {
            Some(slash) => (&rest[..slash], rest[slash..].trim_end_matches('/')),
            None => (rest, ""),
        };
        if host.is_empty() || host.contains(char::is_whitespace) {
            return Err(invalid(
                resource.from,
                "the resource identifier has no host",
            ));
        }
        // The path becomes the metadata route's: only RFC 3986 path characters, and no segment
        // that a router reads as a capture or a wildcard.
        if !path.bytes().all(is_path_byte)
            || path
                .split('/')
                .any(|segment| segment.starts_with([':', '*']))
        {
            return Err(invalid(
                resource.from,
                "the resource identifier's path holds characters a URL path cannot (RFC 3986: percent-encode `{`, `}`, `|`, `^`, backquotes) or a segment starting with `:` or `*`",
            ));
        }
        let metadata_url = format!("{scheme}://{host}{METADATA_PATH}{path}").into_boxed_str();

        let scopes = match scopes {
            None => Vec::new(),
            Some(setting) => {
                if setting.value.iter().any(|scope| !is_scope_token(scope)) {
                    return Err(invalid(
                        setting.from,
                        "a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3); separate scopes with spaces",
                    ));
                }
                setting
                    .value
                    .into_iter()
                    .map(String::into_boxed_str)
                    .collect()
            }
        };
        let issuer = non_blank(Some(issuer))?.unwrap_or_default();
        Ok(AccessTokens {
            policy: ClaimPolicy {
                issuer: Some(issuer.clone()),
                audience: Some(value.into()),
                leeway,
                // RFC 9068 §2.2: the user the token acts for, or the client itself.
                user_id_claim: "sub".into(),
                role_claim: claims.role.clone(),
            },
            resource: value.into(),
            issuer,
            scopes,
            metadata_url,
        })
    }

    /// A router serving [`metadata`](Self::metadata) at the path of `metadata_url`.
    pub(crate) fn router<S>(&self) -> axum::Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let path = self
            .metadata_url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|slash| &rest[slash..]))
            .unwrap_or(METADATA_PATH);
        let body: Arc<str> = Arc::from(self.metadata().to_string());
        axum::Router::new().route(
            path,
            axum::routing::get(move || {
                let body = Arc::clone(&body);
                async move {
                    (
                        [(
                            header::CONTENT_TYPE,
                            HeaderValue::from_static("application/json"),
                        )],
                        body.to_string(),
                    )
                }
            }),
        )
    }

    /// The RFC 9728 metadata document.
    pub(crate) fn metadata(&self) -> serde_json::Value {
        let mut metadata = serde_json::json!({
            "resource": &*self.resource,
            "bearer_methods_supported": ["header"],
        });
        metadata["authorization_servers"] = serde_json::json!([&*self.issuer]);
        if !self.scopes.is_empty() {
            metadata["scopes_supported"] = self.scopes.iter().map(|s| &**s).collect();
        }
        metadata
    }
}

/// A byte RFC 3986 allows in a path: `/`, unreserved, sub-delims, `:`, `@`, `%` (of a
/// percent-encoding).
const fn is_path_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(
            b,
            b'/' | b'-'
                | b'.'
                | b'_'
                | b'~'
                | b'!'
                | b'$'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b'+'
                | b','
                | b';'
                | b'='
                | b':'
                | b'@'
                | b'%'
        )
}

/// RFC 6749 §3.3's `scope-token`: `%x21 / %x23-5B / %x5D-7E`, at least one.
pub(crate) const fn is_scope_token(scope: &str) -> bool {
    let bytes = scope.as_bytes();
    if bytes.is_empty() {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !(b == 0x21 || (b >= 0x23 && b <= 0x5B) || (b >= 0x5D && b <= 0x7E)) {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn access(resource: &str, scopes: Option<&str>) -> Result<AccessTokens, ConfigError> {
        let mut api = Resource::new(resource).issuer("https://auth.example.com/api/auth");
        if let Some(scopes) = scopes {
            api = api.scopes(scopes.split(' ').filter(|scope| !scope.is_empty()));
        }
        api.build(
            None,
            5,
            &SourceClaims::new(None, "sub", None).expect("defaults"),
        )
    }

    #[test]
    fn the_metadata_url_follows_rfc_9728() {
        for (resource, url) in [
            (
                "https://api.example.com",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/",
                "https://api.example.com/.well-known/oauth-protected-resource",
            ),
            (
                "https://api.example.com/v1/tasks",
                "https://api.example.com/.well-known/oauth-protected-resource/v1/tasks",
            ),
            (
                "http://127.0.0.1:8080",
                "http://127.0.0.1:8080/.well-known/oauth-protected-resource",
            ),
        ] {
            assert_eq!(&*access(resource, None).expect(resource).metadata_url, url);
        }
        for bad in [
            "api.example.com",
            "ftp://api.example.com",
            "https://",
            "https://api.example.com/#x",
            "https://api.example.com/?a=1",
            "https://api.example.com/v1/{tasks",
            "https://api.example.com/v1/tasks}",
            "https://api.example.com/{id}",
            "https://api.example.com/:v1",
            "https://api.example.com/v1/*rest",
            "https://api.example.com/a|b",
        ] {
            assert!(access(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_are_scope_tokens() {
        let ok = access("https://api.example.com", Some("tasks:read  tasks:write"))
            .expect("valid scopes");
        assert_eq!(
            ok.scopes,
            [Box::from("tasks:read"), Box::from("tasks:write")]
        );
        assert_eq!(
            ok.metadata(),
            serde_json::json!({
                "resource": "https://api.example.com",
                "authorization_servers": ["https://auth.example.com/api/auth"],
                "scopes_supported": ["tasks:read", "tasks:write"],
                "bearer_methods_supported": ["header"],
            })
        );
        for bad in ["tasks\"read", "a\\b", "é"] {
            assert!(
                access("https://api.example.com", Some(bad)).is_err(),
                "{bad}"
            );
        }
        assert!(is_scope_token("tasks:read"));
        assert!(!is_scope_token(""));
    }
}
