//! The extractor `#[authorized]` injects, and what the attribute records about each handler.
//! Generated code reaches these through `__private`; they are not a public API.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::{AuthError, TokenError};
use crate::extract::{AccessAdmitted, authenticate_for, owns};
use crate::observe::{self, Rule};
use crate::verified::VerifiedToken;

/// What `#[authorized(path_param = …)]` records about a handler, on a hidden type named like
/// the handler: where in `P`, the `T` of its `Path<T>` extractor, it reads the value to check,
/// and what that value is checked against.
///
/// `P` is a parameter rather than an associated type so that a public handler can read a
/// private path type: the impl is then as private as the type.
pub trait AuthorizedHandler<P> {
    /// `claim = "…"`: the claim that must hold the path value. `None`: the path value must be
    /// the token's user id.
    const CLAIM: Option<&'static str> = None;
    /// `or_role = …`: roles that admit a token whatever the path value.
    const OR_ROLES: &'static [&'static str] = &[];
    /// `scope = …`: an OAuth access token is admitted (for the same path rule) only with all
    /// of these; empty, access tokens are refused.
    const SCOPES: &'static [&'static str] = &[];

    /// The value the handler binds as `path_param`, read from the deserialized path.
    fn path_value(path: &P) -> &str;
}

/// What `#[authorized(role = …)]` records about a handler: the roles it admits.
pub trait RoleHandler {
    /// Any of these roles admits a token.
    const ROLES: &'static [&'static str];
}

/// What `#[authorized(scope = …)]` (without `path_param`) records about a handler: the scopes
/// an access token must all hold.
pub trait ScopeHandler {
    /// Every one of these scopes is required.
    const SCOPES: &'static [&'static str];
}

/// Whether the token's kind may go on: a session token always; an OAuth access token only with
/// every scope of a rule that names some.
fn admit_kind(token: &VerifiedToken, scopes: &'static [&'static str]) -> Result<(), AuthError> {
    if !token.is_access_token() {
        return Ok(());
    }
    if scopes.is_empty() {
        return Err(AuthError::MissingScope(&[]));
    }
    if !token.has_scopes(scopes) {
        return Err(AuthError::MissingScope(scopes));
    }
    Ok(())
}

/// The extractor `#[authorized(scope = …)]` injects as the handler's first argument: an OAuth
/// access token for this API (401 `invalid_token` for any other token) holding every scope
/// (403 `insufficient_scope` with the scopes), before any other extractor and the body.
pub struct ScopeRequired<H>(PhantomData<fn() -> H>);

impl<S, H> FromRequestParts<S> for ScopeRequired<H>
where
    S: Send + Sync,
    H: ScopeHandler,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthError> {
        let rule = Rule::Scopes(H::SCOPES);
        let token = authenticate_for(parts, rule).await?;
        let alg = Some(token.algorithm());
        if !token.is_access_token() {
            let error = AuthError::InvalidToken(TokenError::NotAccessToken);
            return Err(observe::refused(parts, rule, error, alg));
        }
        if let Err(error) = admit_kind(&token, H::SCOPES) {
            return Err(observe::refused(parts, rule, error, alg));
        }
        parts.extensions.insert(AccessAdmitted);
        observe::allowed(parts, rule, "scope", alg);
        Ok(ScopeRequired(PhantomData))
    }
}

/// The extractor `#[authorized(role = …)]` injects as the handler's first argument:
/// authentication (401), then the role decision (403 `insufficient_scope`), before any other
/// extractor and before the body is read.
pub struct RoleRequired<H>(PhantomData<fn() -> H>);

impl<S, H> FromRequestParts<S> for RoleRequired<H>
where
    S: Send + Sync,
    H: RoleHandler,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, AuthError> {
        let rule = Rule::Roles(H::ROLES);
        let token = authenticate_for(parts, rule).await?;
        let alg = Some(token.algorithm());
        if let Err(error) = admit_kind(&token, &[]) {
            return Err(observe::refused(parts, rule, error, alg));
        }
        if !token.has_any_role(H::ROLES) {
            return Err(observe::refused(parts, rule, AuthError::MissingRole, alg));
        }
        observe::allowed(parts, rule, "role", alg);
        Ok(RoleRequired(PhantomData))
    }
}

/// The extractor `#[authorized(path_param = …)]` injects as the handler's first argument:
/// authentication (401), then the decision on the path value (403), before any other
/// extractor and before the body is read.
///
/// The decision is taken on the value the handler reads: the path is deserialized into the
/// handler's own `P` by axum's `Path` extractor, and the binding the handler names is compared
/// with the token's user id. Capture names, serde attributes and route order cannot make the
/// two differ.
pub struct Authorized<H, P>(PhantomData<fn() -> (H, P)>);

impl<S, H, P> FromRequestParts<S> for Authorized<H, P>
where
    S: Send + Sync,
    H: AuthorizedHandler<P>,
    P: DeserializeOwned + Send,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthError> {
        let rule = Rule::Path {
            claim: H::CLAIM,
            or_roles: H::OR_ROLES,
            scopes: H::SCOPES,
        };
        let token = authenticate_for(parts, rule).await?;
        let alg = Some(token.algorithm());
        let Path(path) = match Path::<P>::from_request_parts(parts, state).await {
            Ok(path) => path,
            // The route and the handler's `Path` type disagree (the number of captures, a type
            // serde cannot read from a path): a server bug, answered 500 and logged.
            Err(rejection) if rejection.status().is_server_error() => {
                tracing::error!(
                    reason = "route_misconfigured",
                    handler = std::any::type_name::<H>(),
                    error = %rejection.body_text(),
                    "the route's captures do not deserialize into the #[authorized] handler's Path type: fix the route or the handler"
                );
                return Err(observe::refused(
                    parts,
                    rule,
                    AuthError::RouteMisconfigured,
                    alg,
                ));
            }
            // The client's path does not deserialize (not UTF-8, not a number, …): the
            // handler's own `Path` would answer 400, and no user id can be read from it.
            Err(_) => return Err(observe::refused(parts, rule, AuthError::InvalidPath, alg)),
        };
        // The path first: on another user's path, the true refusal is that the data is not the
        // token's (no scope or role the client could ask for would change it); then the
        // token's kind and scopes.
        let decision = decide(&token, H::path_value(&path), H::CLAIM, H::OR_ROLES)
            .and_then(|reason| admit_kind(&token, H::SCOPES).map(|()| reason));
        match decision {
            Ok(reason) => {
                if token.is_access_token() {
                    parts.extensions.insert(AccessAdmitted);
                }
                observe::allowed(parts, rule, reason, alg);
                Ok(Authorized(PhantomData))
            }
            Err(error) => Err(observe::refused(parts, rule, error, alg)),
        }
    }
}

/// The decision on the value the handler reads: the token's user id (or the claim the route
/// names) must hold it, or the token must carry one of `or_roles` (an access token carries
/// none). Admitted, the reason: `owner`, `claim` or `role`. Refused, the path rule's own
/// refusal, with or without `or_roles`: the value is not the token's.
fn decide(
    token: &VerifiedToken,
    value: &str,
    claim: Option<&str>,
    or_roles: &[&str],
) -> Result<&'static str, AuthError> {
    let holds = match claim {
        None => owns(token, value),
        Some(claim) => token.claim_includes(claim, value),
    };
    if holds {
        return Ok(if claim.is_some() { "claim" } else { "owner" });
    }
    if token.has_any_role(or_roles) {
        return Ok("role");
    }
    Err(if claim.is_some() {
        AuthError::ClaimMismatch
    } else {
        AuthError::Forbidden
    })
}
