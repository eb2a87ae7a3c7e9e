//! What this crate keeps on one request: the configuration the layer installed and what its
//! extractors learned, in one extension the layer inserts once (one allocation per request,
//! not one per fact). Extractors verify the bearer token here, once per request, and record
//! their decision here, once per request.

use std::sync::Arc;

use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

use crate::auth::{Auth, unix_now};
use crate::error::{AuthError, Refusal, TokenError};
use crate::observe;
use crate::rule::Rule;
use crate::verified::VerifiedToken;

/// The extension [`AuthService`](crate::layer::AuthService) inserts on every request.
#[derive(Clone)]
pub(crate) struct RequestState {
    auth: Auth,
    /// The verified token, once an extractor has verified it.
    token: Option<Arc<VerifiedToken>>,
    /// An extractor has recorded its decision: a handler with `#[authorized]` and `Claims` is
    /// one request, one decision.
    decided: bool,
    /// A rule that names scopes admitted the request's OAuth access token: `Claims` reads it.
    access_admitted: bool,
}

impl RequestState {
    pub(crate) fn new(auth: Auth) -> Self {
        RequestState {
            auth,
            token: None,
            decided: false,
            access_admitted: false,
        }
    }
}

/// Verifies the request's bearer token, or returns the result of an earlier verification in
/// the same request; silent, with the algorithm a refused token named: the extractors record
/// their own decision.
pub(crate) async fn verify(parts: &mut Parts) -> Result<Arc<VerifiedToken>, Refusal> {
    let Parts {
        headers,
        extensions,
        ..
    } = parts;
    let Some(state) = extensions.get_mut::<RequestState>() else {
        tracing::error!(
            reason = "not_configured",
            "a protected handler was reached without auth_runtime::Auth installed: add `.layer(auth.layer())` to the router"
        );
        return Err(AuthError::NotConfigured.into());
    };
    if let Some(verified) = &state.token {
        return Ok(Arc::clone(verified));
    }
    let token = bearer_token(headers)?;
    let verified = state.auth.verify_bytes(token, unix_now()).await?;
    state.token = Some(Arc::clone(&verified));
    Ok(verified)
}

/// [`verify`] for an extractor applying `rule`: a refusal is recorded as its decision.
pub(crate) async fn authenticate(
    parts: &mut Parts,
    rule: &Rule<'_>,
) -> Result<Arc<VerifiedToken>, AuthError> {
    match verify(parts).await {
        Ok(token) => Ok(token),
        Err(refusal) => Err(refused(parts, rule, refusal.error, refusal.alg)),
    }
}

/// Records that `rule` admitted the request, for `reason`, unless an earlier extractor of the
/// same request did. `access`: the rule admitted an OAuth access token by the scopes it names,
/// so that `Claims` reads it.
pub(crate) fn allowed(
    parts: &mut Parts,
    rule: &Rule<'_>,
    reason: &'static str,
    alg: Option<&str>,
    access: bool,
) {
    let first = match parts.extensions.get_mut::<RequestState>() {
        Some(state) => {
            state.access_admitted |= access;
            !std::mem::replace(&mut state.decided, true)
        }
        None => true,
    };
    if first {
        observe::allowed(rule, reason, alg);
    }
}

/// Records a refusal and passes it on. Every refusal is recorded: it ends the request.
pub(crate) fn refused(
    parts: &mut Parts,
    rule: &Rule<'_>,
    error: AuthError,
    alg: Option<&str>,
) -> AuthError {
    if let Some(state) = parts.extensions.get_mut::<RequestState>() {
        state.decided = true;
    }
    observe::refused(rule, &error, alg);
    error
}

/// Whether a rule that names scopes admitted the request's OAuth access token.
pub(crate) fn access_admitted(parts: &Parts) -> bool {
    parts
        .extensions
        .get::<RequestState>()
        .is_some_and(|state| state.access_admitted)
}

/// The credential of `Authorization: Bearer <token>` (RFC 6750 §2.1), as bytes: the cache
/// compares them as they are, and anything it does not hold is checked before it is parsed.
fn bearer_token(headers: &HeaderMap) -> Result<&[u8], AuthError> {
    let mut values = headers.get_all(AUTHORIZATION).iter();
    let Some(value) = values.next() else {
        return Err(AuthError::MissingToken);
    };
    if values.next().is_some() {
        // Two credentials: which one would a proxy have checked? Refuse both.
        return Err(TokenError::Malformed.into());
    }
    let value = value.as_bytes();
    let (scheme, token) = match value.iter().position(|&b| b == b' ') {
        Some(space) => (&value[..space], &value[space + 1..]),
        None => (value, &[][..]),
    };
    // The scheme is case-insensitive (RFC 7235 §2.1); another scheme is no bearer credential.
    if !scheme.eq_ignore_ascii_case(b"Bearer") {
        return Err(AuthError::MissingToken);
    }
    let start = token.iter().position(|&b| b != b' ').unwrap_or(token.len());
    let token = &token[start..];
    if token.is_empty() {
        return Err(TokenError::Malformed.into());
    }
    // Anything after the token (a space, a second token) fails the JWS parser's base64url
    // checks: one pass over the bytes instead of two.
    Ok(token)
}
