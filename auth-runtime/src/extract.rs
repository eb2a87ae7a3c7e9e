//! The axum extractors and the ownership check.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::auth::{Auth, unix_now};
use crate::claims::names_something;
use crate::error::{AuthError, Refusal, TokenError};
use crate::observe::{self, Rule};
use crate::verified::VerifiedToken;

/// The verified claims of the request's bearer token.
///
/// As an extractor it answers 401 when the token is missing or invalid. `T` is the
/// application's own claims type, deserialized from the same verified payload; the default
/// ignores everything but the registered claims. Dereferences to [`VerifiedToken`].
///
/// `Option<Claims>` is the variant for routes where authentication is optional: `None` when no
/// bearer credential was sent, 401 when one was sent and is invalid.
///
/// A request verifies its token once: further `Claims` extractors (and the check that
/// `#[authorized]` injects) reuse the result.
///
/// An OAuth access token (with a resource configured) is read only on a handler whose
/// `#[authorized(scope = …)]` admitted it; anywhere else `Claims` answers 403
/// `insufficient_scope`, so a handler written for session tokens never sees a delegated one.
///
/// ```
/// use auth_runtime::Claims;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct Profile {
///     email: String,
/// }
///
/// async fn whoami(claims: Claims<Profile>) -> String {
///     format!("{} <{}>", claims.user_id(), claims.custom.email)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Claims<T = IgnoredAny> {
    token: Arc<VerifiedToken>,
    /// The application's own claims.
    pub custom: T,
}

impl<T> Claims<T> {
    /// The verified token this request carried.
    pub fn token(&self) -> &VerifiedToken {
        &self.token
    }
}

impl<T> Deref for Claims<T> {
    type Target = VerifiedToken;
    fn deref(&self) -> &VerifiedToken {
        &self.token
    }
}

impl<S, T> FromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthError> {
        let token = authenticate_for(parts, Rule::Claims).await?;
        Claims::from_token(parts, token, Rule::Claims)
    }
}

impl<S, T> OptionalFromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, AuthError> {
        let rule = Rule::OptionalClaims;
        match verify_request(parts).await {
            Ok(token) => Claims::from_token(parts, token, rule).map(Some),
            // No bearer credential (no header, or another scheme): anonymous.
            Err(Refusal {
                error: AuthError::MissingToken,
                ..
            }) => {
                observe::allowed(parts, rule, "anonymous", None);
                Ok(None)
            }
            Err(refusal) => Err(observe::refused(parts, rule, refusal.error, refusal.alg)),
        }
    }
}

impl<T: DeserializeOwned> Claims<T> {
    fn from_token(
        parts: &mut Parts,
        token: Arc<VerifiedToken>,
        rule: Rule,
    ) -> Result<Self, AuthError> {
        let alg = Some(token.algorithm());
        // An access token reaches a handler only through a rule that names its scopes.
        if token.is_access_token() && parts.extensions.get::<AccessAdmitted>().is_none() {
            return Err(observe::refused(
                parts,
                rule,
                AuthError::MissingScope(&[]),
                alg,
            ));
        }
        match token.custom_claims() {
            Ok(custom) => {
                observe::allowed(parts, rule, "authenticated", alg);
                Ok(Claims { token, custom })
            }
            Err(reason) => Err(observe::refused(parts, rule, reason.into(), alg)),
        }
    }
}

/// Set on a request whose OAuth access token a `scope` rule admitted: [`Claims`] then reads it.
#[derive(Clone, Copy)]
pub(crate) struct AccessAdmitted;

/// Verifies the request's bearer token, or returns the result of an earlier verification in
/// the same request. The token may be an OAuth access token
/// ([`VerifiedToken::is_access_token`]) when a resource is configured: check its scopes.
///
/// This is what every extractor of this crate calls first; call it from your own extractors
/// or middleware to share the same once-per-request verification.
pub async fn authenticate(parts: &mut Parts) -> Result<Arc<VerifiedToken>, AuthError> {
    verify_request(parts)
        .await
        .map_err(|refusal| refuse(refusal.error))
}

/// [`authenticate`] for an extractor of this crate applying `rule`: a refusal is recorded as
/// that extractor's decision.
pub(crate) async fn authenticate_for(
    parts: &mut Parts,
    rule: Rule,
) -> Result<Arc<VerifiedToken>, AuthError> {
    match verify_request(parts).await {
        Ok(token) => Ok(token),
        Err(refusal) => Err(observe::refused(parts, rule, refusal.error, refusal.alg)),
    }
}

/// [`authenticate`], silent, with the algorithm a refused token named: the extractors record
/// their own decision.
pub(crate) async fn verify_request(parts: &mut Parts) -> Result<Arc<VerifiedToken>, Refusal> {
    if let Some(verified) = parts.extensions.get::<Arc<VerifiedToken>>() {
        return Ok(Arc::clone(verified));
    }
    let Some(auth) = parts.extensions.get::<Auth>() else {
        tracing::error!(
            reason = "not_configured",
            "a protected handler was reached without auth_runtime::Auth installed: add `.layer(auth.layer())` to the router"
        );
        return Err(AuthError::NotConfigured.into());
    };
    let token = bearer_token(parts)?;
    let verified = auth.verify_reporting(token, unix_now()).await?;
    parts.extensions.insert(Arc::clone(&verified));
    Ok(verified)
}

/// Logs a refusal (its reason code only) and passes it on.
pub(crate) fn refuse(error: AuthError) -> AuthError {
    tracing::debug!(
        reason = error.code(),
        status = error.status().as_u16(),
        "request refused"
    );
    error
}

/// The credential of `Authorization: Bearer <token>` (RFC 6750 §2.1).
fn bearer_token(parts: &Parts) -> Result<&str, AuthError> {
    let mut values = parts.headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::MissingToken);
    };
    if values.next().is_some() {
        // Two credentials: which one would a proxy have checked? Refuse both.
        return Err(TokenError::Malformed.into());
    }
    // UTF-8 is enough here (a fast, word-at-a-time check): any byte outside base64url and '.'
    // is refused by the JWS parser.
    let value = std::str::from_utf8(value.as_bytes()).map_err(|_| TokenError::Malformed)?;
    let (scheme, token) = value.split_once(' ').unwrap_or((value, ""));
    // The scheme is case-insensitive (RFC 7235 §2.1); another scheme is no bearer credential.
    if !scheme.eq_ignore_ascii_case("Bearer") {
        return Err(AuthError::MissingToken);
    }
    let token = token.trim_start_matches(' ');
    if token.is_empty() {
        return Err(TokenError::Malformed.into());
    }
    // Anything after the token (a space, a second token) fails the JWS parser's base64url
    // checks: one pass over the bytes instead of two.
    Ok(token)
}

/// The ownership decision: allows the request when the verified user id equals `path_value`
/// exactly (code point by code point: no case folding, normalisation or trimming), and
/// answers [`AuthError::Forbidden`] otherwise.
///
/// `#[authorized(path_param = …)]` takes this decision on the value the handler reads (see
/// [`UserIdParam`]); call it from your own extractors for the same rule.
///
/// An OAuth access token is refused: on another user's path as any token is
/// ([`AuthError::Forbidden`]), on its own user's with [`AuthError::MissingScope`] (only a
/// route that names its scopes, `#[authorized(scope = …)]`, admits one).
pub fn authorize_owner(token: &VerifiedToken, path_value: &str) -> Result<(), AuthError> {
    if !owns(token, path_value) {
        return Err(refuse(AuthError::Forbidden));
    }
    if token.is_access_token() {
        return Err(refuse(AuthError::MissingScope(&[])));
    }
    Ok(())
}

/// Whether the token's user id is `path_value`, exactly. A blank value owns nothing (a user id
/// is never blank either), and neither does a token a client holds for itself
/// ([`VerifiedToken::is_client_token`]): its `sub` is a client id, not a user's.
pub(crate) fn owns(token: &VerifiedToken, path_value: &str) -> bool {
    names_something(path_value) && !token.is_client_token() && token.user_id() == path_value
}

/// The role decision: allows the request when the token's roles (see
/// [`VerifiedToken::roles`]) include any of `roles`, compared exactly, and answers
/// [`AuthError::MissingRole`] (403, `insufficient_scope`) otherwise.
///
/// `#[authorized(role = "admin")]` calls it before any other extractor.
///
/// An OAuth access token is refused ([`AuthError::MissingScope`]), as by [`authorize_owner`].
pub fn authorize_role(token: &VerifiedToken, roles: &[&str]) -> Result<(), AuthError> {
    if token.is_access_token() {
        return Err(refuse(AuthError::MissingScope(&[])));
    }
    if token.has_any_role(roles) {
        Ok(())
    } else {
        Err(refuse(AuthError::MissingRole))
    }
}

/// A type a handler can bind the user id of its path as: `#[authorized]` compares
/// [`as_user_id`](UserIdParam::as_user_id) of the value the handler reads with the token's
/// user id.
///
/// Implemented for the string types. Integers and UUIDs are deliberately left out: their
/// parsers accept several spellings of one value (`042` and `42`), so the comparison would
/// depend on how a client spelled the path. Implement it for your own newtype when the string
/// it returns is exactly the user id it stands for.
///
/// ```
/// use auth_runtime::UserIdParam;
/// use serde::Deserialize;
///
/// #[derive(Deserialize)]
/// struct UserId(String);
///
/// impl UserIdParam for UserId {
///     fn as_user_id(&self) -> &str {
///         &self.0
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "#[authorized] compares the path parameter with the token's user id or claim as a string, and `{Self}` is not a string type",
    label = "bind the path parameter as `String`",
    note = "ids are compared exactly, as strings; integer and UUID parsers accept several spellings of one value"
)]
pub trait UserIdParam {
    /// The user id this value names, compared exactly with the token's.
    fn as_user_id(&self) -> &str;
}

impl UserIdParam for String {
    fn as_user_id(&self) -> &str {
        self
    }
}

impl UserIdParam for str {
    fn as_user_id(&self) -> &str {
        self
    }
}

impl UserIdParam for Box<str> {
    fn as_user_id(&self) -> &str {
        self
    }
}

impl UserIdParam for Arc<str> {
    fn as_user_id(&self) -> &str {
        self
    }
}

impl UserIdParam for std::borrow::Cow<'_, str> {
    fn as_user_id(&self) -> &str {
        self
    }
}

impl<T: UserIdParam + ?Sized> UserIdParam for &T {
    fn as_user_id(&self) -> &str {
        (**self).as_user_id()
    }
}
