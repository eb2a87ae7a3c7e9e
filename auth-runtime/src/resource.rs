//! OAuth 2.1 access tokens (RFC 9068) for this API's resource, and its RFC 9728 metadata.
//!
//! Better Auth's `oauth-provider` plugin signs an access token with the same JWKS keys as a
//! session token when the token request names a `resource`. The two are told apart by what the
//! signature covers: the header's `typ` (`at+jwt` for an access token, `JWT` for a session
//! token), then each kind's own issuer (`{origin}/api/auth` vs the origin) and audience (this
//! API's resource vs the origin). See SECURITY.md, "OAuth access tokens".

use std::sync::Arc;

use axum::http::{HeaderValue, header};

use crate::claims::{ClaimPolicy, ScopeImplication};
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
    /// `(broader, narrower)`: a token granted the first is granted the second too.
    implications: Option<Setting<Vec<(String, String)>>>,
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
            implications: None,
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

    /// A scope hierarchy (the MCP authorization spec: "a broader scope implies narrower
    /// ones"): an access token granted `broader` is granted every one of `narrower` too, for
    /// every decision (`#[authorized(scope = …)]`, `VerifiedToken::scopes`). Implications
    /// chain: `tasks:admin` implying `tasks:write`, which implies `tasks:read`, grants all
    /// three. Call it once per broader scope.
    pub fn implies<I, S>(mut self, broader: impl Into<String>, narrower: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let broader = broader.into();
        let implications = self
            .implications
            .get_or_insert_with(|| Setting::new(Vec::new(), "Resource::implies"));
        implications.value.extend(
            narrower
                .into_iter()
                .map(|scope| (broader.clone(), scope.into())),
        );
        self
    }

    pub(crate) fn implications_from(mut self, pairs: Setting<Vec<(String, String)>>) -> Self {
        self.implications = Some(pairs);
        self
    }

    /// Whether scope implications were given (by the environment or in code).
    pub(crate) fn has_implications(&self) -> bool {
        self.implications.is_some()
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
        let implications = match self.implications {
            None => Box::default(),
            Some(Setting { value, from }) => closed_implications(value)
                .map_err(|reason| ConfigError::Invalid { var: from, reason })?,
        };
        AccessTokens::new(self.id, issuer, self.scopes, implications, leeway, claims)
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
        scope_implications: Box<[ScopeImplication]>,
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
        // The canonical identifier: scheme and host in lower case, no trailing slash. Tokens
        // are matched against it whatever case or slash their `aud` uses, and the metadata
        // publishes it.
        let scheme = scheme.to_ascii_lowercase();
        let host = host.to_ascii_lowercase();
        let canonical = format!("{scheme}://{host}{path}");
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
                audience: Some(canonical.as_str().into()),
                leeway,
                // RFC 9068 §2.2: the user the token acts for, or the client itself.
                user_id_claim: "sub".into(),
                role_claim: claims.role.clone(),
                scope_implications,
                audience_is_resource: true,
            },
            resource: canonical.into_boxed_str(),
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
        // `offline_access` asks the authorization server for a refresh token: it is no scope
        // of this resource (the MCP authorization spec keeps it out of `scopes_supported`).
        let supported: Vec<&str> = self
            .scopes
            .iter()
            .map(|scope| &**scope)
            .filter(|scope| *scope != OFFLINE_ACCESS)
            .collect();
        if !supported.is_empty() {
            metadata["scopes_supported"] = supported.into();
        }
        metadata
    }
}

/// The scope that asks for a refresh token, never one of a resource's.
const OFFLINE_ACCESS: &str = "offline_access";

/// The implications as each scope's transitive closure: `(scope, every scope it grants)`.
fn closed_implications(
    pairs: Vec<(String, String)>,
) -> Result<Box<[ScopeImplication]>, &'static str> {
    if pairs
        .iter()
        .any(|(broader, narrower)| !is_scope_token(broader) || !is_scope_token(narrower))
    {
        return Err(
            "a scope is printable ASCII without spaces, quotes or backslashes (RFC 6749 §3.3); write each implication as broader>narrower, e.g. tasks:write>tasks:read",
        );
    }
    if pairs.iter().any(|(broader, narrower)| broader == narrower) {
        return Err("a scope cannot imply itself");
    }
    let mut broader: Vec<&str> = pairs.iter().map(|(broader, _)| broader.as_str()).collect();
    broader.sort_unstable();
    broader.dedup();
    let closed = broader
        .into_iter()
        .map(|scope| {
            // Every scope reachable from `scope` (the graph is a few scopes: a plain search).
            let mut reached: Vec<&str> = Vec::new();
            let mut next = vec![scope];
            while let Some(current) = next.pop() {
                for (from, to) in &pairs {
                    if from == current && to != scope && !reached.contains(&to.as_str()) {
                        reached.push(to);
                        next.push(to);
                    }
                }
            }
            let reached: Box<[Box<str>]> = reached.into_iter().map(Box::from).collect();
            (Box::from(scope), reached)
        })
        .collect();
    Ok(closed)
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
    fn implications_close_transitively_and_are_checked() {
        let closed = closed_implications(vec![
            ("tasks:admin".into(), "tasks:write".into()),
            ("tasks:write".into(), "tasks:read".into()),
        ])
        .expect("valid");
        let of = |scope: &str| {
            let mut implied: Vec<&str> = closed
                .iter()
                .find(|(broader, _)| &**broader == scope)
                .map(|(_, narrower)| narrower.iter().map(|s| &**s).collect())
                .unwrap_or_default();
            implied.sort_unstable();
            implied
        };
        assert_eq!(of("tasks:admin"), ["tasks:read", "tasks:write"]);
        assert_eq!(of("tasks:write"), ["tasks:read"]);
        assert!(of("tasks:read").is_empty());
        // A cycle ends; a scope is never listed as implying itself.
        let cycle = closed_implications(vec![("a".into(), "b".into()), ("b".into(), "a".into())])
            .expect("a cycle is two scopes that imply each other");
        assert!(
            cycle
                .iter()
                .all(|(scope, implied)| implied.len() == 1 && !implied.contains(scope))
        );
        for bad in [
            ("a".to_owned(), "a".to_owned()),
            ("a b".to_owned(), "c".to_owned()),
        ] {
            assert!(closed_implications(vec![bad.clone()]).is_err(), "{bad:?}");
        }
        let error = Resource::new("https://api.example.com")
            .issuer("https://auth.example.com/api/auth")
            .implies("tasks:write", ["tasks write"])
            .build(
                None,
                5,
                &SourceClaims::new(None, "sub", None).expect("defaults"),
            )
            .expect_err("not a scope");
        assert!(
            matches!(
                error,
                ConfigError::Invalid {
                    var: "Resource::implies",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn the_identifier_is_kept_in_its_canonical_form() {
        for (given, canonical) in [
            ("https://api.example.com/", "https://api.example.com"),
            ("HTTPS://API.Example.com/v1/", "https://api.example.com/v1"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ] {
            let api = access(given, None).expect(given);
            assert_eq!(&*api.resource, canonical);
            assert_eq!(api.metadata()["resource"], canonical);
            assert_eq!(api.policy.audience.as_deref(), Some(canonical));
        }
    }

    #[test]
    fn offline_access_is_never_a_supported_scope() {
        let api =
            access("https://api.example.com", Some("offline_access tasks:read")).expect("valid");
        assert_eq!(
            api.metadata()["scopes_supported"],
            serde_json::json!(["tasks:read"])
        );
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
