//! Request-time refusals and their HTTP responses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

/// Why a token was refused. Every variant answers `401 invalid_token`.
///
/// The texts are short and never contain a claim value, the token or a key.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    /// The token is longer than [`MAX_TOKEN_LEN`](crate::limits::MAX_TOKEN_LEN) bytes.
    #[error("the token is too long")]
    TooLong,
    /// Not three base64url segments, or a header or payload that is not a JSON object.
    #[error("the token is malformed")]
    Malformed,
    /// The header names an algorithm other than the one configured.
    #[error("the token's algorithm is not accepted")]
    UnsupportedAlgorithm,
    /// The header's `typ` is present and is neither `JWT` nor `application/jwt` (compared
    /// ignoring ASCII case, RFC 7515 §4.1.9).
    #[error("the token's type is not accepted")]
    UnsupportedType,
    /// The header carries `crit` or `b64`, extensions this verifier does not implement
    /// (RFC 7515 §4.1.11 requires refusing them).
    #[error("the token uses a critical header extension")]
    CriticalHeader,
    /// The token names no `kid`, or one the JWKS does not hold (after a rate-limited refetch).
    #[error("the token's signing key is unknown")]
    UnknownKey,
    /// The signature does not verify with any configured key.
    #[error("the token's signature is invalid")]
    BadSignature,
    /// The token has no `exp` claim.
    #[error("the token has no expiry")]
    MissingExpiry,
    /// `exp` is in the past (beyond the configured leeway).
    #[error("the token has expired")]
    Expired,
    /// `nbf` is in the future (beyond the configured leeway).
    #[error("the token is not valid yet")]
    NotYetValid,
    /// A registered claim, the user-id claim or the role claim has the wrong JSON type (for
    /// example a string `exp`), or appears twice.
    #[error("the token's `{0}` claim is invalid")]
    InvalidClaim(&'static str),
    /// Another member of the payload appears twice (escaped spellings included): RFC 7519 §4
    /// lets a parser refuse it, and one that kept either value could be fooled.
    #[error("the token names a claim twice")]
    DuplicateClaim,
    /// An issuer is configured and the token's `iss` is absent or different.
    #[error("the token's issuer is not accepted")]
    WrongIssuer,
    /// An audience is configured and the token's `aud` is absent or does not contain it.
    #[error("the token's audience is not accepted")]
    WrongAudience,
    /// The configured user-id claim (`uid` by default) is absent.
    #[error("the token has no user id claim")]
    MissingUserId,
    /// The user-id claim is not a non-empty string.
    #[error("the token's user id claim is not a non-empty string")]
    InvalidUserId,
    /// The payload does not deserialize into the application's custom claims type.
    #[error("the token lacks claims this application requires")]
    CustomClaims,
    /// The route requires an OAuth access token for this API (`#[authorized(scope = …)]`
    /// without `path_param`) and the token is a session token.
    #[error("the token is not an OAuth access token for this API")]
    NotAccessToken,
    /// The token is an OpenID Connect ID token (it carries `at_hash` or `auth_time`, which
    /// Better Auth's session tokens and access tokens never do): it tells a client who signed
    /// in, and grants nothing at an API, whatever the configuration.
    #[error("the token is an OpenID Connect ID token, not an access token")]
    IdToken,
    /// The token is bound to a key (a `cnf` claim: RFC 9449 DPoP, RFC 8705 mTLS) and was sent
    /// as a plain Bearer token, without a proof of that key: whoever holds a stolen copy could
    /// use it otherwise.
    #[error("the token is bound to a key and cannot be used as a Bearer token")]
    KeyBound,
    /// An OAuth access token without a `client_id` claim (RFC 9068 §2.2 requires it): without
    /// it, a token a client holds for itself cannot be told from one it holds for a user.
    #[error("the access token has no client_id claim")]
    MissingClientId,
    /// The role claim or the `scope` claim holds more than
    /// [`MAX_CLAIM_VALUES`](crate::limits::MAX_CLAIM_VALUES) values.
    #[error("the token's `{0}` claim holds too many values")]
    TooManyValues(&'static str),
}

impl TokenError {
    /// A stable snake-case code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            TokenError::TooLong => "too_long",
            TokenError::Malformed => "malformed",
            TokenError::UnsupportedAlgorithm => "algorithm",
            TokenError::UnsupportedType => "type",
            TokenError::CriticalHeader => "critical_header",
            TokenError::UnknownKey => "unknown_key",
            TokenError::BadSignature => "bad_signature",
            TokenError::MissingExpiry => "missing_exp",
            TokenError::Expired => "expired",
            TokenError::NotYetValid => "not_yet_valid",
            TokenError::InvalidClaim(_) => "invalid_claim",
            TokenError::DuplicateClaim => "duplicate_claim",
            TokenError::WrongIssuer => "issuer",
            TokenError::WrongAudience => "audience",
            TokenError::MissingUserId => "missing_user_id",
            TokenError::InvalidUserId => "invalid_user_id",
            TokenError::CustomClaims => "custom_claims",
            TokenError::NotAccessToken => "not_access_token",
            TokenError::IdToken => "id_token",
            TokenError::KeyBound => "key_bound",
            TokenError::MissingClientId => "missing_client_id",
            TokenError::TooManyValues(_) => "too_many_values",
        }
    }
}

/// A refused request. Implements [`IntoResponse`]; match on it to build your own error format.
///
/// | variant | status | `WWW-Authenticate` |
/// |---|---|---|
/// | [`MissingToken`](AuthError::MissingToken) | 401 | `Bearer` |
/// | [`InvalidToken`](AuthError::InvalidToken) | 401 | `Bearer error="invalid_token", error_description="…"` |
/// | [`Forbidden`](AuthError::Forbidden), [`ClaimMismatch`](AuthError::ClaimMismatch) | 403 | — |
/// | [`MissingRole`](AuthError::MissingRole) | 403 | `Bearer error="insufficient_scope"` |
/// | [`MissingScope`](AuthError::MissingScope) | 403 | `Bearer error="insufficient_scope", scope="…", error_description="…"` |
/// | [`InvalidPath`](AuthError::InvalidPath) | 400 | — |
/// | [`KeysUnavailable`](AuthError::KeysUnavailable) | 503 | — |
/// | [`NotConfigured`](AuthError::NotConfigured), [`RouteMisconfigured`](AuthError::RouteMisconfigured) | 500 | — |
///
/// The body is `{"detail": "…"}`, the shape FastAPI's `HTTPException` produces.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No `Authorization: Bearer` credential was sent (RFC 6750 §3.1: no error code).
    #[error("not authenticated")]
    MissingToken,
    /// A bearer credential was sent and refused.
    #[error("invalid token: {0}")]
    InvalidToken(#[from] TokenError),
    /// The token is valid but belongs to another user than the one in the path (also for an
    /// `or_role` route when the token holds none of the roles, and for an access token a
    /// client holds for itself, which owns no user's path).
    #[error("the token does not grant access to this user's resources")]
    Forbidden,
    /// The token is valid but carries none of the roles the route admits
    /// (`#[authorized(role = "…")]`). Answers 403 with `WWW-Authenticate: Bearer
    /// error="insufficient_scope"` (RFC 6750 §3.1). A path rule with `or_role` refuses with
    /// the path rule's own refusal ([`Forbidden`](AuthError::Forbidden) or
    /// [`ClaimMismatch`](AuthError::ClaimMismatch)): the data is not the token's, and no
    /// role the client could ask for is the reason.
    #[error("the token does not carry a role this route requires")]
    MissingRole,
    /// The token is an OAuth access token that lacks one of the scopes the route requires
    /// (`#[authorized(scope = …)]`, listed here), or one presented to a route that admits no
    /// access token (no `scope`; the list is empty). Answers 403 with `WWW-Authenticate:
    /// Bearer error="insufficient_scope", scope="…", error_description="…"` (RFC 6750 §3.1;
    /// `scope` lists every scope the route requires), and with a resource configured, the
    /// `resource_metadata` to step up with (the MCP authorization spec).
    #[error("the access token does not grant a scope this route requires")]
    MissingScope(&'static [&'static str]),
    /// The token is valid but the claim the route compares with the path
    /// (`#[authorized(claim = "…")]`) does not hold the value the handler reads.
    #[error("the token's claims do not grant access to this resource")]
    ClaimMismatch,
    /// The handler is protected but no [`Auth`](crate::Auth) was installed on the router
    /// (see [`Auth::layer`](crate::Auth::layer)). A server bug, never a pass.
    #[error("authentication is not configured")]
    NotConfigured,
    /// The token needs a key from the JWKS, and the JWKS could not be fetched (no usable key is
    /// cached). Answers 503: a temporary failure of the server, not of the client.
    #[error("the signing keys are unavailable")]
    KeysUnavailable,
    /// The path does not deserialize into the `Path<T>` of an `#[authorized]` handler (a
    /// segment that is not UTF-8, not a number where the handler reads one, …), so it names
    /// no user: 400, the answer the handler's own `Path` extractor would give. Decided after
    /// the token (401) and before any other extractor.
    #[error("the path is invalid")]
    InvalidPath,
    /// The route's captures cannot be read as the `Path<T>` of an `#[authorized]` handler
    /// whatever the request (another number of captures than the handler binds, a type serde
    /// cannot read from a path). A server bug, never a pass.
    #[error("the route does not match the #[authorized] handler")]
    RouteMisconfigured,
}

impl AuthError {
    /// The HTTP status this refusal answers with.
    pub fn status(&self) -> StatusCode {
        match self {
            AuthError::MissingToken | AuthError::InvalidToken(_) => StatusCode::UNAUTHORIZED,
            AuthError::Forbidden
            | AuthError::MissingRole
            | AuthError::MissingScope(_)
            | AuthError::ClaimMismatch => StatusCode::FORBIDDEN,
            AuthError::InvalidPath => StatusCode::BAD_REQUEST,
            AuthError::KeysUnavailable => StatusCode::SERVICE_UNAVAILABLE,
            AuthError::NotConfigured | AuthError::RouteMisconfigured => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    /// A stable snake-case code for logs and metrics.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::MissingToken => "missing_token",
            AuthError::InvalidToken(reason) => reason.code(),
            AuthError::Forbidden => "not_owner",
            AuthError::MissingRole => "missing_role",
            AuthError::MissingScope(_) => "missing_scope",
            AuthError::ClaimMismatch => "claim_mismatch",
            AuthError::InvalidPath => "invalid_path",
            AuthError::KeysUnavailable => "keys_unavailable",
            AuthError::NotConfigured => "not_configured",
            AuthError::RouteMisconfigured => "route_misconfigured",
        }
    }

    /// The `WWW-Authenticate` value (RFC 6750 §3): for 401 answers, and for the 403 of a
    /// missing role (`insufficient_scope`).
    pub fn www_authenticate(&self) -> Option<HeaderValue> {
        match self {
            AuthError::MissingToken => Some(HeaderValue::from_static("Bearer")),
            AuthError::InvalidToken(reason) => {
                // The description is one of our own fixed texts: no quotes, no backslashes,
                // nothing from the request. Claim names are plain identifiers.
                let value =
                    format!(r#"Bearer error="invalid_token", error_description="{reason}""#);
                Some(HeaderValue::from_str(&value).unwrap_or_else(|_| {
                    HeaderValue::from_static(r#"Bearer error="invalid_token""#)
                }))
            }
            AuthError::MissingRole => Some(HeaderValue::from_static(
                r#"Bearer error="insufficient_scope""#,
            )),
            AuthError::MissingScope([]) => Some(HeaderValue::from_static(
                r#"Bearer error="insufficient_scope", error_description="this route admits no OAuth access token""#,
            )),
            AuthError::MissingScope(scopes) => {
                // Scopes are checked at compile time to be RFC 6749 scope-tokens: no quotes,
                // backslashes or spaces. `scope` lists every scope the route requires (the
                // client asks for them all at once), the description what is missing.
                let scopes = scopes.join(" ");
                let value = format!(
                    r#"Bearer error="insufficient_scope", scope="{scopes}", error_description="the access token lacks a scope of {scopes}""#
                );
                Some(HeaderValue::from_str(&value).unwrap_or_else(|_| {
                    HeaderValue::from_static(r#"Bearer error="insufficient_scope""#)
                }))
            }
            _ => None,
        }
    }

    fn detail(&self) -> String {
        match self {
            AuthError::MissingToken => "Not authenticated".to_owned(),
            AuthError::InvalidToken(reason) => {
                let mut text = reason.to_string();
                if let Some(first) = text.get_mut(0..1) {
                    first.make_ascii_uppercase();
                }
                text
            }
            AuthError::Forbidden => "Not allowed to access another user's resources".to_owned(),
            AuthError::MissingRole => "Not allowed without a role this route requires".to_owned(),
            AuthError::MissingScope([]) => {
                "Not allowed with an OAuth access token on this route".to_owned()
            }
            AuthError::MissingScope(scopes) => {
                format!("Not allowed without the scope {}", scopes.join(" "))
            }
            AuthError::ClaimMismatch => "Not allowed to access this resource".to_owned(),
            AuthError::InvalidPath => "Invalid path".to_owned(),
            AuthError::KeysUnavailable => "Authentication is temporarily unavailable".to_owned(),
            AuthError::NotConfigured | AuthError::RouteMisconfigured => {
                "Internal server error".to_owned()
            }
        }
    }
}

/// Set on the 401 answers and the `insufficient_scope` 403s this crate builds, so that the layer
/// ([`AuthLayer`](crate::layer::AuthLayer)) amends only those.
#[derive(Clone, Copy)]
pub(crate) struct Challenged;

/// A refusal and the algorithm the token named, when it was read that far: for the decision's
/// tracing event and the `auth_verify_seconds` histogram.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Refusal {
    pub(crate) error: AuthError,
    pub(crate) alg: Option<&'static str>,
}

impl<E: Into<AuthError>> From<E> for Refusal {
    fn from(error: E) -> Self {
        Refusal {
            error: error.into(),
            alg: None,
        }
    }
}

impl IntoResponse for AuthError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "detail": self.detail() }).to_string();
        let mut response = (
            self.status(),
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            body,
        )
            .into_response();
        if let Some(challenge) = self.www_authenticate() {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        // A challenge to authenticate (401) or to step up (a 403 `insufficient_scope`): the
        // layer points it at the RFC 9728 metadata when a resource is configured.
        if self.status() == StatusCode::UNAUTHORIZED
            || matches!(self, AuthError::MissingScope(_) | AuthError::MissingRole)
        {
            response.extensions_mut().insert(Challenged);
        }
        response
    }
}
