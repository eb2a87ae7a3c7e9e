//! The axum extractors and the ownership check.

use std::ops::Deref;
use std::sync::Arc;

use axum::extract::{FromRequestParts, OptionalFromRequestParts};
use axum::http::request::Parts;
use serde::de::{DeserializeOwned, IgnoredAny};

use crate::error::{AuthError, Refusal};
use crate::observe;
use crate::request;
use crate::rule::Rule;
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
        let rule = Rule::AUTHENTICATED;
        let token = request::authenticate(parts, &rule).await?;
        Claims::from_token(parts, token, &rule)
    }
}

impl<S, T> OptionalFromRequestParts<S> for Claims<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Option<Self>, AuthError> {
        let rule = Rule::OPTIONAL;
        match request::verify(parts).await {
            Ok(token) => Claims::from_token(parts, token, &rule).map(Some),
            // No bearer credential (no header, or another scheme): anonymous.
            Err(Refusal {
                error: AuthError::MissingToken,
                ..
            }) => {
                request::allowed(parts, &rule, "anonymous", None, false);
                Ok(None)
            }
            Err(refusal) => Err(request::refused(parts, &rule, refusal.error, refusal.alg)),
        }
    }
}

impl<T: DeserializeOwned> Claims<T> {
    fn from_token(
        parts: &mut Parts,
        token: Arc<VerifiedToken>,
        rule: &Rule<'_>,
    ) -> Result<Self, AuthError> {
        let alg = Some(token.algorithm());
        // An access token reaches a handler only through a rule that names its scopes: one
        // that an `#[authorized]` extractor of this request has applied, or the refusal.
        if !request::access_admitted(parts)
            && let Err(error) = rule.admit(&token, None)
        {
            return Err(request::refused(parts, rule, error, alg));
        }
        match token.custom_claims() {
            Ok(custom) => {
                request::allowed(parts, rule, "authenticated", alg, false);
                Ok(Claims { token, custom })
            }
            Err(reason) => Err(request::refused(parts, rule, reason.into(), alg)),
        }
    }
}

/// Verifies the request's bearer token, or returns the result of an earlier verification in
/// the same request. The token may be an OAuth access token
/// ([`VerifiedToken::is_access_token`]) when a resource is configured: check its scopes.
///
/// This is what every extractor of this crate calls first; call it from your own extractors
/// or middleware to share the same once-per-request verification. A refusal is traced and
/// counted as the [`Claims`] extractor's would be.
pub async fn authenticate(parts: &mut Parts) -> Result<Arc<VerifiedToken>, AuthError> {
    request::authenticate(parts, &Rule::AUTHENTICATED).await
}

/// The ownership decision: allows the request when the verified user id equals `path_value`
/// exactly (code point by code point: no case folding, normalisation or trimming), and
/// answers [`AuthError::Forbidden`] otherwise. The decision of
/// `#[authorized(path_param = …)]`, taken by the same function, traced and counted alike.
///
/// `#[authorized(path_param = …)]` takes this decision on the value the handler reads (see
/// [`UserIdParam`]); call it from your own extractors for the same rule.
///
/// An OAuth access token is refused: on another user's path as any token is
/// ([`AuthError::Forbidden`]), on its own user's with [`AuthError::MissingScope`] (only a
/// route that names its scopes, `#[authorized(scope = …)]`, admits one). A token a client holds
/// for itself ([`VerifiedToken::is_client_token`]) owns no user's path.
pub fn authorize_owner(token: &VerifiedToken, path_value: &str) -> Result<(), AuthError> {
    decide(&Rule::owner("path"), token, Some(path_value))
}

/// The role decision: allows the request when the token's roles (see
/// [`VerifiedToken::roles`]) include any of `roles`, compared exactly, and answers
/// [`AuthError::MissingRole`] (403, `insufficient_scope`) otherwise. The decision of
/// `#[authorized(role = …)]`, taken by the same function, traced and counted alike.
///
/// An OAuth access token is refused ([`AuthError::MissingScope`]), as by [`authorize_owner`].
pub fn authorize_role(token: &VerifiedToken, roles: &[&str]) -> Result<(), AuthError> {
    decide(&Rule::any_role(roles), token, None)
}

/// A rule's decision outside an extractor, recorded as an extractor's is.
fn decide(
    rule: &Rule<'_>,
    token: &VerifiedToken,
    path_value: Option<&str>,
) -> Result<(), AuthError> {
    let decision = rule.admit(token, path_value);
    let alg = Some(token.algorithm());
    match &decision {
        Ok(reason) => observe::allowed(rule, reason, alg),
        Err(error) => observe::refused(rule, error, alg),
    }
    decision.map(drop)
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
