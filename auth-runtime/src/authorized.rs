//! The one extractor `#[authorized]` injects, and the trait that carries each handler's rule.
//! Generated code reaches these through `__private`; they are not a public API.

use std::marker::PhantomData;

use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::AuthError;
use crate::request::{self, refused};
use crate::rule::Rule;

/// What `#[authorized(...)]` records about a handler, on a hidden type named like the handler:
/// its [`Rule`], and for a path rule, where in `P` (the `T` of its `Path<T>` extractor) it
/// reads the value the rule compares. A rule that reads no path has `P = ()`.
///
/// `P` is a parameter rather than an associated type so that a public handler can read a
/// private path type: the impl is then as private as the type.
pub trait AuthorizedHandler<P> {
    /// The route's rule.
    const RULE: Rule<'static>;

    /// The value the handler binds as `path_param`, read from the deserialized path. Never
    /// called for a rule that reads no path.
    fn path_value(path: &P) -> &str {
        let _ = path;
        ""
    }
}

/// The extractor `#[authorized]` injects as the handler's first argument, whatever its rule:
/// authentication (401), then for a path rule the handler's own `Path<P>` (400), then the
/// rule's decision (403), before any other extractor and before the body is read.
///
/// The decision is taken on the value the handler reads: the path is deserialized into the
/// handler's own `P` by axum's `Path` extractor, and the binding the handler names is compared
/// with the token. Capture names, serde attributes and route order cannot make the two differ.
pub struct Authorized<H, P = ()>(PhantomData<fn() -> (H, P)>);

impl<S, H, P> FromRequestParts<S> for Authorized<H, P>
where
    S: Send + Sync,
    H: AuthorizedHandler<P>,
    P: DeserializeOwned + Send,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthError> {
        let rule = H::RULE;
        let token = request::authenticate(parts, &rule).await?;
        let alg = Some(token.algorithm());
        let decision = if rule.reads_path() {
            let Path(path) = match Path::<P>::from_request_parts(parts, state).await {
                Ok(path) => path,
                // The route and the handler's `Path` type disagree (the number of captures, a
                // type serde cannot read from a path): a server bug, answered 500 and logged.
                Err(rejection) if rejection.status().is_server_error() => {
                    tracing::error!(
                        reason = "route_misconfigured",
                        handler = std::any::type_name::<H>(),
                        error = %rejection.body_text(),
                        "the route's captures do not deserialize into the #[authorized] handler's Path type: fix the route or the handler"
                    );
                    let error = AuthError::RouteMisconfigured;
                    return Err(refused(parts, &rule, error, alg));
                }
                // The client's path does not deserialize (not UTF-8, not a number, …): the
                // handler's own `Path` would answer 400, and no user id can be read from it.
                Err(_) => {
                    return Err(refused(parts, &rule, AuthError::InvalidPath, alg));
                }
            };
            rule.admit(&token, Some(H::path_value(&path)))
        } else {
            rule.admit(&token, None)
        };
        match decision {
            Ok(reason) => {
                let access = token.is_access_token();
                request::allowed(parts, &rule, reason, alg, access);
                Ok(Authorized(PhantomData))
            }
            Err(error) => Err(refused(parts, &rule, error, alg)),
        }
    }
}
