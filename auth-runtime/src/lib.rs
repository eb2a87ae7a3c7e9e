//! Stateless Bearer-JWT authorization for [axum] handlers, for apps whose users sign in with
//! Better Auth.
//!
//! Every request is decided from its `Authorization: Bearer <jwt>` header alone, with keys from
//! one or both of two sources, each pinned to its own algorithms (never chosen by the token):
//!
//! - **HS256** with the shared `BETTER_AUTH_SECRET` (Better Auth's `jwt` plugin with a custom
//!   signer); the user id is the `uid` claim.
//! - **JWKS**: the public keys Better Auth's `jwt` plugin publishes (EdDSA by default), fetched
//!   from `BETTER_AUTH_URL`, cached and refetched on key rotation; the user id is `sub`, and
//!   `iss`/`aud` must be the Better Auth origin.
//!
//! `exp` is required, `nbf` honoured, and no cookies, sessions or database are involved. See
//! [`Auth`] for the configuration and `SECURITY.md` for the threat model.
//!
//! ```
//! use auth_runtime::{Auth, Claims, authorized};
//! use axum::{Router, extract::Path, routing::get};
//!
//! /// Runs only for a valid token whose `uid` equals the `{user_id}` segment:
//! /// 401 without a valid token, 403 for another user's path.
//! #[authorized(path_param = "user_id")]
//! async fn list_tasks(Path(user_id): Path<String>) -> String {
//!     format!("tasks of {user_id}")
//! }
//!
//! /// Any signed-in user.
//! async fn me(claims: Claims) -> String {
//!     claims.user_id().to_owned()
//! }
//!
//! fn app(auth: Auth) -> Router {
//!     Router::new()
//!         // route_path! checks at compile time that the route captures {user_id}.
//!         .route(auth_runtime::route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
//!         .route("/me", get(me))
//!         .layer(auth.layer())
//! }
//! # fn main() {
//! #     let _ = app(Auth::builder().hs256_secret("0123456789abcdefghijklmnopqrstuvwxyz").build().unwrap());
//! # }
//! ```
//!
//! | outcome | status | `WWW-Authenticate` |
//! |---|---|---|
//! | no bearer token | 401 | `Bearer` |
//! | malformed, expired, wrongly signed, wrong `alg`/`iss`/`aud`, … | 401 | `Bearer error="invalid_token", error_description="…"` |
//! | valid token, another user's path | 403 | |
//! | no [`Auth`] installed, or a route without the capture | 500 (logged as an error) | |
//!
//! Bodies are `{"detail": "…"}`. Refusals are logged with `tracing` at debug level with a
//! reason code; tokens, claim values and secrets are never logged or echoed.
//!
//! # What does `#[authorized]` write for me?
//!
//! See [`authorized`]; to see the expansion of your own handler, run
//! `cargo expand path::to::module` (from `cargo install cargo-expand`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod config;
mod error;
mod extract;
mod jwks;
mod token;

#[cfg(feature = "testing")]
pub mod testing;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use config::{
    AUDIENCE_VAR, Auth, AuthBuilder, BETTER_AUTH_URL_VAR, ConfigError, DEFAULT_JWKS_MIN_REFETCH,
    DEFAULT_JWKS_PATH, DEFAULT_LEEWAY, ISSUER_VAR, JWKS_AUDIENCE_VAR, JWKS_ISSUER_VAR,
    JWKS_MIN_REFETCH_VAR, JWKS_URL_VAR, JWKS_USER_ID_CLAIM_VAR, LEEWAY_VAR, MAX_LEEWAY,
    MIN_SECRET_LEN, PREVIOUS_SECRET_VAR, SECRET_VAR, USER_ID_CLAIM_VAR,
};
pub use error::{AuthError, TokenError};
pub use extract::{Claims, authenticate, authorize_owner};
pub use token::{MAX_TOKEN_LEN, VerifiedToken};

pub use __private::UserIdParam;

/// Protects an axum handler: the token's user id must equal the named path parameter.
///
/// ```
/// use auth_runtime::authorized;
/// use axum::extract::Path;
///
/// #[authorized(path_param = "user_id")]
/// async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
///     format!("task {id} of {user_id}")
/// }
/// ```
///
/// The attribute adds one extractor in front of the handler's own, so that authentication
/// (401) and the ownership check (403) are decided before any other extractor runs and before
/// the request body is read. The handler's body, return type, visibility and attributes stay
/// as written; it can also take [`Claims`] without a second verification.
///
/// At compile time it checks that the handler binds the named parameter through a `Path`
/// extractor (`Path(user_id)`, `Path((org, user_id))`, `Path(Params { user_id, .. })` or a
/// whole struct with a `user_id` field) as a string type ([`UserIdParam`]). The route string
/// is checked by [`route_path!`]; at run time, a route without the capture answers 500.
///
/// It applies to free `async fn`s, not to methods or associated functions, and it defines a
/// hidden type with the handler's name (that is how [`route_path!`] finds it).
///
/// The expansion of this handler:
///
/// ```ignore
#[doc = include_str!("../doc/expand/tuple.expanded.rs")]
/// ```
pub use auth_macros::authorized;

/// The route string, checked at compile time against `#[authorized]` handlers.
///
/// `route_path!("/api/{user_id}/tasks", list_tasks, create_task)` evaluates to
/// `"/api/{user_id}/tasks"` and fails to compile when the route does not capture the parameter
/// that one of the handlers compares with the token (or, for a tuple binding, captures it at
/// another position).
///
/// ```compile_fail
/// use auth_runtime::authorized;
/// use axum::{Router, extract::Path, routing::get};
///
/// #[authorized(path_param = "user_id")]
/// async fn list_tasks(Path(user_id): Path<String>) {}
///
/// // error: the route does not capture `{user_id}`
/// let app: Router = Router::new().route(auth_runtime::route_path!("/api/{id}/tasks", list_tasks), get(list_tasks));
/// ```
#[macro_export]
macro_rules! route_path {
    ($route:literal, $($handler:path),+ $(,)?) => {{
        $( const _: () = $crate::__private::check_route::<$handler>($route); )+
        $route
    }};
}
