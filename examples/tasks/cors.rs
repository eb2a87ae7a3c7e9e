//! CORS for a browser app on another origin, from `CORS_ALLOWED_ORIGINS`: a comma-separated list
//! of exact origins (`scheme://host[:port]`), as a browser sends them: lower-case host, no
//! default port (an entry no browser could send stops the service at start-up). Unset: no CORS
//! headers at all (same-origin only).
//!
//! The layer is tower-http's `CorsLayer`, installed outside everything that may refuse (auth
//! included; only the request log is outside it), so that a preflight is answered before any
//! extractor runs and every response to a listed origin, refusals and errors included, carries
//! `Access-Control-Allow-Origin`.

use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// The variable this module reads.
pub const CORS_ALLOWED_ORIGINS_VAR: &str = "CORS_ALLOWED_ORIGINS";

/// How long a browser may reuse a preflight's answer.
const MAX_AGE: Duration = Duration::from_secs(600);

/// The layer `CORS_ALLOWED_ORIGINS` describes, `None` when it is unset or empty, or the one-line
/// reason it cannot be used.
pub fn from_env() -> Result<Option<CorsLayer>, String> {
    match std::env::var_os(CORS_ALLOWED_ORIGINS_VAR) {
        None => Ok(None),
        Some(value) => {
            let value = value
                .into_string()
                .map_err(|_| format!("{CORS_ALLOWED_ORIGINS_VAR} is not valid UTF-8"))?;
            layer(&value)
        }
    }
}

/// The layer for a comma-separated list of origins (`None` for an empty list).
pub fn layer(list: &str) -> Result<Option<CorsLayer>, String> {
    if list.trim().is_empty() {
        return Ok(None);
    }
    let origins = list
        .split(',')
        .map(|entry| origin(entry.trim()))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
            ])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("www-authenticate")])
            .max_age(MAX_AGE),
    ))
}

/// One exact origin, as a browser sends it in `Origin`: `http` or `https`, a host, an optional
/// port; no path (not even `/`), query, fragment, user info or wildcard.
fn origin(entry: &str) -> Result<HeaderValue, String> {
    let invalid = || {
        format!(
            "{CORS_ALLOWED_ORIGINS_VAR} is invalid: {entry:?} is not an origin such as http://localhost:3000 (scheme://host[:port], no path, no trailing slash, no wildcard)"
        )
    };
    let (scheme, authority) = entry.split_once("://").ok_or_else(invalid)?;
    if scheme != "http" && scheme != "https" {
        return Err(invalid());
    }
    let (host, port) = match authority.rsplit_once(':') {
        // An IPv6 host ([::1]) holds colons of its own.
        Some((host, port)) if !port.contains(']') => (host, Some(port)),
        _ => (authority, None),
    };
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '[' | ']' | ':'));
    let port_ok = port.is_none_or(|port| {
        !port.is_empty()
            && port.chars().all(|c| c.is_ascii_digit())
            && port.parse::<u16>().is_ok_and(|port| port > 0)
    });
    if !host_ok || !port_ok {
        return Err(invalid());
    }
    // What a browser sends is serialised (WHATWG URL): the host in lower case, the scheme's
    // default port left out. An entry written otherwise would never match, silently.
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(format!(
            "{CORS_ALLOWED_ORIGINS_VAR} is invalid: {entry:?} has upper-case letters in its host, and browsers send the host in lower case: write {:?}",
            entry.to_ascii_lowercase()
        ));
    }
    if let Some(port) = port
        && ((scheme == "http" && port == "80") || (scheme == "https" && port == "443"))
    {
        return Err(format!(
            "{CORS_ALLOWED_ORIGINS_VAR} is invalid: {entry:?} writes out the default port, and browsers leave it out: write \"{scheme}://{host}\""
        ));
    }
    if port.is_some_and(|port| port.starts_with('0')) {
        return Err(format!(
            "{CORS_ALLOWED_ORIGINS_VAR} is invalid: {entry:?} has a port with a leading zero, and browsers send it without"
        ));
    }
    HeaderValue::from_str(entry).map_err(|_| invalid())
}
