//! What `#[authorized]` and `route_path!` expand to. Not a public API: names here may change
//! in any release.

use std::marker::PhantomData;

use axum::extract::rejection::RawPathParamsRejection;
use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;

use crate::error::AuthError;
use crate::extract::{authenticate, authorize_owner, refuse};

/// What `#[authorized]` records about a handler, on a hidden type named like the handler.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an #[authorized] handler",
    label = "route_path! checks handlers annotated with #[authorized(path_param = \"...\")]",
    note = "add `#[auth_runtime::authorized(path_param = \"user_id\")]` to the handler, or leave it out of route_path!"
)]
pub trait AuthorizedHandler {
    /// The path parameter compared with the token's user id.
    const PATH_PARAM: &'static str;
    /// For a tuple binding, `(index, count)`: the position the route must capture it at.
    const POSITION: Option<(usize, usize)>;
    /// The compile-time message of `route_path!` when the route lacks the capture.
    const MISSING_CAPTURE: &'static str;
    /// The compile-time message of `route_path!` when the capture is at the wrong position.
    const WRONG_POSITION: &'static str;
}

/// The extractor `#[authorized]` injects as the handler's first argument: authentication
/// (401) and ownership (403) run before any other extractor and before the body is read.
pub struct Authorized<H>(PhantomData<fn() -> H>);

impl<S, H> FromRequestParts<S> for Authorized<H>
where
    S: Send + Sync,
    H: AuthorizedHandler,
{
    type Rejection = AuthError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, AuthError> {
        let token = authenticate(parts).await?;
        let params = match RawPathParams::from_request_parts(parts, state).await {
            Ok(params) => params,
            Err(RawPathParamsRejection::InvalidUtf8InPathParam(_)) => {
                // A user id is a string: a path segment that is not UTF-8 names nobody's.
                return Err(refuse(AuthError::Forbidden));
            }
            Err(_) => return Err(misconfigured::<H>("the route captures no path parameters")),
        };
        let mut found = None;
        let mut count = 0;
        for (index, (name, value)) in params.iter().enumerate() {
            if name == H::PATH_PARAM && found.is_none() {
                found = Some((index, value));
            }
            count += 1;
        }
        let Some((index, value)) = found else {
            return Err(misconfigured::<H>(
                "the route does not capture the parameter",
            ));
        };
        if let Some(expected) = H::POSITION
            && expected != (index, count)
        {
            return Err(misconfigured::<H>(
                "the route captures the parameter at another position than the handler's tuple binds it",
            ));
        }
        authorize_owner(&token, value)?;
        Ok(Authorized(PhantomData))
    }
}

fn misconfigured<H: AuthorizedHandler>(what: &'static str) -> AuthError {
    tracing::error!(
        reason = "route_misconfigured",
        path_param = H::PATH_PARAM,
        handler = std::any::type_name::<H>(),
        "{what}: fix the route or the #[authorized] attribute (route_path! checks this at compile time)"
    );
    AuthError::RouteMisconfigured
}

/// A type that can hold the user id of the path, compared as an exact string.
///
/// Implemented for the string types. Integers and UUIDs are deliberately left out: their
/// parsers accept several spellings of one value (`042` and `42`), so a string comparison
/// with the token's user id would not decide what the handler then reads. Implement it for
/// your own newtype when it deserializes from exactly the string in the path.
#[diagnostic::on_unimplemented(
    message = "#[authorized] compares the path parameter with the token's user id as a string, and `{Self}` is not a string type",
    label = "bind the path parameter as `String`",
    note = "user ids are compared exactly, as strings; integer and UUID parsers accept several spellings of one value"
)]
pub trait UserIdParam {}

impl UserIdParam for String {}
impl UserIdParam for str {}
impl UserIdParam for Box<str> {}
impl UserIdParam for std::sync::Arc<str> {}
impl UserIdParam for std::borrow::Cow<'_, str> {}
impl<T: UserIdParam + ?Sized> UserIdParam for &T {}

/// Compile-time check on the type of the bound path parameter.
pub fn require_user_id_param<T: UserIdParam + ?Sized>() {}

/// Compile-time check on a bound path parameter value.
pub fn require_user_id_value<T: UserIdParam + ?Sized>(_value: &T) {}

/// `route_path!`'s compile-time check of one handler against the route string.
pub const fn check_route<H: AuthorizedHandler>(route: &str) {
    let (index, count) = find_capture(route.as_bytes(), H::PATH_PARAM.as_bytes());
    let Some(index) = index else {
        panic!("{}", H::MISSING_CAPTURE);
    };
    if let Some((expected_index, expected_count)) = H::POSITION
        && (index != expected_index || count != expected_count)
    {
        panic!("{}", H::WRONG_POSITION);
    }
}

/// The index of the capture `{name}` (or `{*name}`) among the route's captures, and their
/// count. `{{` and `}}` are escaped braces, not captures.
const fn find_capture(route: &[u8], name: &[u8]) -> (Option<usize>, usize) {
    let mut found = None;
    let mut count = 0;
    let mut i = 0;
    while i < route.len() {
        if route[i] == b'{' && i + 1 < route.len() && route[i + 1] == b'{' {
            i += 2;
            continue;
        }
        if route[i] == b'{' {
            let mut start = i + 1;
            if start < route.len() && route[start] == b'*' {
                start += 1;
            }
            let mut end = start;
            while end < route.len() && route[end] != b'}' {
                end += 1;
            }
            if found.is_none() && bytes_eq(route, start, end, name) {
                found = Some(count);
            }
            count += 1;
            i = end + 1;
            continue;
        }
        i += 1;
    }
    (found, count)
}

const fn bytes_eq(haystack: &[u8], start: usize, end: usize, needle: &[u8]) -> bool {
    if end - start != needle.len() {
        return false;
    }
    let mut i = 0;
    while i < needle.len() {
        if haystack[start + i] != needle[i] {
            return false;
        }
        i += 1;
    }
    true
}

#[cfg(test)]
mod tests {
    use super::find_capture;

    #[test]
    fn finds_captures() {
        assert_eq!(
            find_capture(b"/api/{user_id}/tasks", b"user_id"),
            (Some(0), 1)
        );
        assert_eq!(
            find_capture(b"/api/{org}/{user_id}", b"user_id"),
            (Some(1), 2)
        );
        assert_eq!(find_capture(b"/api/{user}/tasks", b"user_id"), (None, 1));
        assert_eq!(
            find_capture(b"/api/{user_id_x}/tasks", b"user_id"),
            (None, 1)
        );
        assert_eq!(
            find_capture(b"/api/{{user_id}}/tasks", b"user_id"),
            (None, 0)
        );
        assert_eq!(find_capture(b"/files/{*user_id}", b"user_id"), (Some(0), 1));
        assert_eq!(find_capture(b"/api/user_id", b"user_id"), (None, 0));
        assert_eq!(find_capture(b"/api/{user_id", b"user_id"), (Some(0), 1));
    }
}
