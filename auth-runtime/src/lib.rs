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
//! /// Runs only for a valid token whose `uid` equals the `user_id` this handler reads:
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
//! #     let _ = app(Auth::builder().hs256(auth_runtime::Hs256::secret("0123456789abcdefghijklmnopqrstuvwxyz")).build().unwrap());
//! # }
//! ```
//!
//! | outcome | status | `WWW-Authenticate` |
//! |---|---|---|
//! | no bearer token | 401 | `Bearer` |
//! | malformed, expired, wrongly signed, wrong `alg`/`iss`/`aud`, … | 401 | `Bearer error="invalid_token", error_description="…"` |
//! | valid token, another user's path (or a claim that does not hold it) | 403 | |
//! | valid token without a role a `role` route requires, or an access token without a scope | 403 | `Bearer error="insufficient_scope"` |
//! | valid token, a path that does not deserialize into the handler's `Path<T>` | 400 | |
//! | no [`Auth`] installed, or a route whose captures cannot fill the handler's `Path<T>` | 500 (logged as an error) | |
//!
//! Bodies are `{"detail": "…"}`. Refusals are logged with `tracing` at debug level with a
//! reason code; tokens, claim values and secrets are never logged or echoed.
//!
//! # How the crate is built
//!
//! A request passes through six layers, each a module or two, and the imports run one way,
//! from a layer to the ones below it (no two modules import each other):
//!
//! 1. **Request**: [`layer`] installs the configuration on every request, in one extension
//!    (`request.rs`), where the extractors verify the credential once and record their decision
//!    once.
//! 2. **Credential**: `request.rs` reads `Authorization: Bearer` as bytes.
//! 3. **Token**: `auth.rs` looks the bytes up in the cache of verified tokens (`cache.rs`), or
//!    parses the JWS (`jws.rs`, `alg.rs`) and hands it to the one key source its `alg` names;
//!    the claims are read in one pass (`claims.rs`) into a [`VerifiedToken`] (`verified.rs`).
//! 4. **Key source**: `hs256.rs` (the shared secret) or `jwks/` (Better Auth's public keys;
//!    reading a JWK into a key is `jwk.rs`), each with its claim policy; OAuth access tokens
//!    are held to the [`Resource`]'s (`resource.rs`).
//! 5. **Rule**: `rule.rs` holds what a route requires as one value and the one decision,
//!    `Rule::admit`; `authorized.rs` is the extractor `#[authorized]` injects, `extract.rs` has
//!    [`Claims`] and the `authorize_*` helpers, all deciding through it.
//! 6. **Response**: `error.rs` turns a refusal into its status, `WWW-Authenticate` and body;
//!    `observe.rs` traces and counts every decision; `openapi.rs`, [`utoipa`] and [`aide`]
//!    document each rule from the rule itself.
//!
//! The configuration is built beside them: [`AuthBuilder`] (`config.rs`), the key sources'
//! builders, [`env`](mod@env) and `settings.rs`.
//!
//! **Adding a kind of rule** (a permission, a new claim check) touches:
//! - `auth-runtime/src/rule.rs`: a field of `Rule`, its `const` constructor, its arm in
//!   `Rule::admit`, in `Display` (tracing) and in `Rule::refusals` (OpenAPI);
//! - `auth-macros/src/args.rs`: the argument and its mistakes (a case in `tests/ui/fail`);
//! - `auth-macros/src/expand.rs`: the constructor call in the `RULE` constant it writes;
//! - and only when the decision reads a claim no rule read before: `claims.rs` (read it in
//!   the one pass) and `verified.rs` (keep it).
//!
//! # What does `#[authorized]` write for me?
//!
//! See [`authorized`]; to see the expansion of your own handler, run
//! `cargo expand path::to::module` (from `cargo install cargo-expand`).

#![deny(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod alg;
mod auth;
mod authorized;
mod cache;
mod claims;
mod config;
pub mod env;
mod error;
mod extract;
mod hs256;
#[cfg(feature = "jwks")]
mod jwk;
#[cfg(feature = "jwks")]
mod jwks;
mod jws;
pub mod layer;
mod observe;
#[cfg(any(feature = "utoipa", feature = "aide"))]
mod openapi;
mod request;
#[cfg(feature = "jwks")]
mod resource;
pub mod route;
mod rule;
mod settings;
mod verified;

#[cfg(test)]
mod test_util;

#[cfg(feature = "aide")]
#[cfg_attr(docsrs, doc(cfg(feature = "aide")))]
pub mod aide;
#[cfg(feature = "utoipa")]
#[cfg_attr(docsrs, doc(cfg(feature = "utoipa")))]
pub mod utoipa;

#[cfg(any(test, feature = "testing"))]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;

/// What the macros expand to. Not a public API: names here may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use crate::authorized::{Authorized, AuthorizedHandler};
    pub use crate::route::{RouteCheck, route_error};
    pub use crate::rule::Rule;
    #[cfg(feature = "utoipa")]
    pub use crate::utoipa::support::{
        Responses as UtoipaResponses, responses_of as utoipa_responses,
    };
    #[cfg(feature = "utoipa")]
    pub use ::utoipa;
}

pub use auth::{Auth, ClaimNames};
pub use config::AuthBuilder;
pub use error::{AuthError, TokenError};
pub use extract::{Claims, UserIdParam, authenticate, authorize_owner, authorize_role};
pub use hs256::Hs256;
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use jwks::Jwks;
#[cfg(feature = "metrics")]
pub use observe::names as metric_names;
#[cfg(feature = "jwks")]
#[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
pub use resource::Resource;
pub use settings::ConfigError;
pub use verified::VerifiedToken;

/// The defaults and bounds of the configuration, and of what a token may hold.
pub mod limits {
    pub use crate::cache::DEFAULT_TOKEN_CACHE_MAX_BYTES;
    pub use crate::claims::MAX_CLAIM_VALUES;
    #[cfg(feature = "jwks")]
    #[cfg_attr(docsrs, doc(cfg(feature = "jwks")))]
    pub use crate::jwks::{DEFAULT_JWKS_MIN_REFETCH, DEFAULT_JWKS_PATH};
    pub use crate::jws::MAX_TOKEN_LEN;
    pub use crate::settings::{DEFAULT_LEEWAY, DEFAULT_ROLE_CLAIM, MAX_LEEWAY, MIN_SECRET_LEN};
}

/// Protects an axum handler: the token must own the path, hold it in a claim, or carry a role.
///
/// ```
/// use auth_runtime::authorized;
/// use axum::extract::Path;
///
/// /// The owner of the path.
/// #[authorized(path_param = "user_id")]
/// async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
///     format!("task {id} of {user_id}")
/// }
///
/// /// The owner, or an admin.
/// #[authorized(path_param = "user_id", or_role = "admin")]
/// async fn list_tasks(Path(user_id): Path<String>) -> String {
///     format!("tasks of {user_id}")
/// }
///
/// /// A member of the organisation in the path.
/// #[authorized(path_param = "org_id", claim = "activeOrganizationId")]
/// async fn list_invoices(Path(org_id): Path<String>) -> String {
///     format!("invoices of {org_id}")
/// }
///
/// /// Admins or support staff, whatever the path.
/// #[authorized(role = ["admin", "support"])]
/// async fn list_users() -> &'static str {
///     "every user"
/// }
/// ```
///
/// | arguments | the handler runs for | otherwise |
/// |---|---|---|
/// | `path_param = "user_id"` | a token whose user id is the value the handler binds as `user_id` | 403 |
/// | `path_param = "user_id", or_role = "admin"` | that owner, or a token with the role `admin` | 403 (the owner rule's answer) |
/// | `path_param = "org_id", claim = "activeOrganizationId"` | a token whose claim is that value (a string), or contains it (an array of strings) | 403 |
/// | `role = "admin"` | a token with the role `admin`, whatever the path | 403 `insufficient_scope` |
/// | `scope = "tasks:stats"` | an OAuth access token for this API with the scope (a service's `client_credentials` token) | 401 for a session token, 403 `insufficient_scope` |
/// | `path_param = "user_id", scope = "tasks:read"` | the owner; an OAuth access token also needs the scope | 403 |
///
/// `scope` takes one scope or a list (`["tasks:read", "tasks:write"]`): **all** of them, OAuth's
/// meaning, unlike `role`'s any. It concerns OAuth access tokens only (accepted when
/// `Jwks::resource` is configured; see the README's "OAuth clients and MCP"): a rule without
/// `scope` refuses them, so a session token's routes are never opened to delegated tokens by
/// accident.
///
/// `role` and `or_role` take one role or a list (`["admin", "support"]`: any of them); `claim`
/// and `or_role` combine (`path_param = "org_id", claim = "orgIds", or_role = "admin"`). `role`
/// does not combine with `path_param`: it would read as "the owner and an admin" to some and
/// "the owner or an admin" to others, so the attribute asks for `or_role`, which says which.
/// Every misuse (an empty role, a role with a comma or surrounding whitespace, `or_role` or
/// `claim` without `path_param`, a repeated or unknown argument) is a compile error at the
/// offending token, all reported at once:
///
/// ```compile_fail
/// use auth_runtime::authorized;
/// use axum::extract::Path;
///
/// // error: `role` does not combine with `path_param`: the owner *or* an admin is `or_role`
/// #[authorized(path_param = "user_id", role = "admin")]
/// async fn list_tasks(Path(user_id): Path<String>) -> String {
///     user_id
/// }
/// ```
///
/// **Roles** come from the key source's role claim (`role` by default, where Better Auth's
/// `admin` plugin puts them; [`Hs256::role_claim`], [`Jwks::role_claim`]): a string is split
/// on commas (`"user,admin"`), an array of strings is taken as it is, and each role is compared
/// exactly (no case folding or trimming: `"Admin"` and `"admin "` are not `admin`). A missing
/// role claim, or one of another type (a number, an object), grants no role, and an OAuth
/// access token's role claim is never read. A 403 for a missing role on a `role` route carries
/// `WWW-Authenticate: Bearer error="insufficient_scope"` (RFC 6750 §3.1); on a path route with
/// `or_role`, a token that neither owns the path nor holds the role gets the path rule's own
/// 403: the data is not its own.
///
/// **What is compared: the value the handler reads.** The injected check deserializes the
/// path into the handler's own `Path<T>` (through axum's `Path` extractor) and compares the
/// binding that `path_param` names (the whole `T`, the tuple element, or the struct field) with
/// the token's user id (or the `claim`), exactly, as a string ([`UserIdParam`]). Capture names, serde
/// attributes (`rename`, `rename_all`, `alias`, `from`) and route order cannot make the checked
/// value differ from the one the handler uses.
///
/// The attribute adds one extractor in front of the handler's own, so that authentication
/// (401) and the ownership, claim or role check (403) are decided before any other extractor
/// runs and before the request body is read. A path that does not deserialize into `T` (a segment that is not
/// UTF-8, not a number where `T` reads one) names no user and answers 400, the answer of the
/// handler's own `Path`; a route whose captures can never fill `T` (another number of
/// captures) is a server bug and answers 500. The handler's body, return type, visibility and
/// attributes stay as written; it can also take [`Claims`] without a second verification.
///
/// `path_param` names the handler's binding: `Path(user_id)`, `Path((org, user_id))`,
/// `Path(Params { user_id, .. })`, `Path(Params { account: user_id })`, or a whole struct with a
/// `user_id` field (`Path(params): Path<Params>`). Each is checked at compile time, and the bound
/// value must be a string type ([`UserIdParam`]). [`route_path!`] additionally checks that the
/// route captures `{user_id}` where the handler expects it; the decision does not depend on it.
///
/// It applies to free `async fn`s, not to methods or associated functions, and it defines a
/// hidden type with the handler's name (that is how [`route_path!`] finds it).
///
/// **OpenAPI.** With the `utoipa` feature, `#[authorized]` above `#[utoipa::path]` adds the
/// operation's bearer requirement and its refusals to it (the other order is a compile error);
/// with the `aide` feature, the injected extractor documents them itself. See the `utoipa` and
/// `aide` modules.
///
/// The expansion of a handler like `get_task` above:
///
/// ```rust
#[doc = include_str!("../doc/expand/tuple.expanded.rs")]
/// ```
///
/// and of a handler whose path struct serde renames (route `/users/{userId}/tasks`):
///
/// ```rust
#[doc = include_str!("../doc/expand/serde_rename.expanded.rs")]
/// ```
///
/// The expansions of `or_role`:
///
/// ```rust
#[doc = include_str!("../doc/expand/or_role.expanded.rs")]
/// ```
///
/// of `claim`:
///
/// ```rust
#[doc = include_str!("../doc/expand/claim.expanded.rs")]
/// ```
///
/// and of `role`, which reads no path:
///
/// ```rust
#[doc = include_str!("../doc/expand/role.expanded.rs")]
/// ```
pub use auth_macros::authorized;

/// The route string, checked at compile time against `#[authorized]` handlers.
///
/// `route_path!("/api/{user_id}/tasks", list_tasks, create_task)` evaluates to
/// `"/api/{user_id}/tasks"` and fails to compile when the route does not capture `{user_id}`,
/// the name `path_param` gives (or, for a tuple binding, captures it at another position).
///
/// It keeps route strings and handlers in step; the ownership decision does not depend on it
/// (it reads the value the handler reads, see [`authorized`]). Leave out of it a handler whose
/// path struct renames its fields with serde (a route `/users/{userId}` read into a field
/// `user_id`): the names it compares are not the ones serde uses.
///
/// ```compile_fail,E0080
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
        $( const _: () = if let ::core::option::Option::Some(error) =
            $crate::__private::route_error(<$handler as $crate::route::AuthorizedRoute>::ROUTE, $route)
        {
            ::core::panic!("{}", error);
        }; )+
        $route
    }};
}
