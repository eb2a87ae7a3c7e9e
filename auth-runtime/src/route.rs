//! What `route_path!` checks at compile time: that a route captures the parameter an
//! `#[authorized]` handler binds, where the handler expects it.
//!
//! The ownership decision itself does not depend on this check: it compares the value the
//! handler reads from its own `Path<T>` (see [`authorized`](crate::authorized)). The check
//! keeps route strings and handlers in step, so that a renamed capture is caught by the
//! compiler rather than answered 400 or 500 at run time.

/// Implemented by `#[authorized]` for the hidden type it defines beside each handler (named
/// like the handler), so that [`route_path!`](crate::route_path) can find what the handler
/// binds. You never implement it yourself.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not an #[authorized] handler",
    label = "route_path! checks handlers annotated with #[authorized(path_param = \"...\")]",
    note = "add `#[auth_runtime::authorized(path_param = \"user_id\")]` to the handler, or leave it out of route_path!"
)]
pub trait AuthorizedRoute {
    /// What the route must capture; `None` when there is nothing to check: a `role` handler
    /// reads no path, and after an error of the attribute one mistake gives one error.
    #[doc(hidden)]
    const ROUTE: Option<RouteCheck>;
}

/// The capture a handler's route must have, and the messages `route_path!` gives.
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct RouteCheck {
    /// The capture, as `path_param` names it.
    pub param: &'static str,
    /// For a tuple binding, `(index, count)`: the position the route must capture it at.
    pub position: Option<(usize, usize)>,
    /// The message when the route lacks the capture.
    pub missing_capture: &'static str,
    /// The message when the capture is at another position than the tuple binds it.
    pub wrong_position: &'static str,
}

/// `route_path!`'s compile-time check of one handler against the route string: the message
/// to fail the build with, if any. `route_path!` panics with it in its own `const`, so that the
/// error names the user's route and nothing of this crate.
#[doc(hidden)]
pub const fn route_error(check: Option<RouteCheck>, route: &str) -> Option<&'static str> {
    let Some(check) = check else {
        return None;
    };
    let (index, count) = find_capture(route.as_bytes(), check.param.as_bytes());
    let Some(index) = index else {
        return Some(check.missing_capture);
    };
    if let Some((expected_index, expected_count)) = check.position
        && (index != expected_index || count != expected_count)
    {
        return Some(check.wrong_position);
    }
    None
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
