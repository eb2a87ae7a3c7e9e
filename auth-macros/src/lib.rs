//! The `#[authorized]` attribute. Use it through `auth-runtime`, which re-exports it and holds
//! everything the generated code calls: `use auth_runtime::authorized;`.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

use proc_macro::TokenStream;

mod args;
mod errors;
mod expand;
mod handler;
mod utoipa;

#[cfg(test)]
mod snapshots;

/// Protects an axum handler: the token's user id (or a claim) must hold the named path
/// parameter, or the token must carry a role. See `auth_runtime::authorized` for the
/// documentation.
#[proc_macro_attribute]
pub fn authorized(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::authorized(attr.into(), item.into()).into()
}
