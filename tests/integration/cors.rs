//! CORS in the tasks example (`CORS_ALLOWED_ORIGINS`), over loopback HTTP: a browser's preflight
//! from a listed origin is answered before any extractor runs; one from another origin is not
//! allowed; every answer to a listed origin, refusals and errors included, carries what a page
//! needs to read it; a malformed list stops the service at start-up.

use test_support as common;

use auth_runtime::env::{BETTER_AUTH_URL_VAR, SECRET_VAR};
use auth_runtime::testing::{Ed25519Key, token_for};
use common::service::{SECRET, Service, refused_at_start_up};
use common::{Response, request};

const ORIGIN: &str = "http://localhost:3000";
const CORS_VAR: &str = "CORS_ALLOWED_ORIGINS";

/// The service with HS256 tokens, and a JWKS mode whose keys cannot be fetched (a closed
/// loopback port), for a 503.
fn service(origins: Option<&str>) -> Service {
    let mut env = vec![
        (SECRET_VAR, SECRET),
        (BETTER_AUTH_URL_VAR, "http://127.0.0.1:1"),
    ];
    env.extend(origins.map(|origins| (CORS_VAR, origins)));
    Service::start(&[], &env)
}

fn token(user: &str) -> String {
    token_for(user).secret(SECRET).sign()
}

/// Every value of a header (a name may be given several times).
fn values(response: &Response, name: &str) -> Vec<String> {
    response
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .flat_map(|(_, v)| v.split(',').map(|item| item.trim().to_ascii_lowercase()))
        .collect()
}

async fn preflight(
    addr: std::net::SocketAddr,
    origin: &str,
    method: &str,
    headers: &str,
) -> Response {
    request("OPTIONS", "/api/alice/tasks")
        .header("Origin", origin)
        .header("Access-Control-Request-Method", method)
        .header("Access-Control-Request-Headers", headers)
        .send(addr)
        .await
}

#[tokio::test]
async fn a_preflight_from_a_listed_origin_is_allowed_before_any_extractor() {
    let service = service(Some(&format!("{ORIGIN}, https://app.example.com")));
    for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
        let response = preflight(service.addr, ORIGIN, method, "authorization,content-type").await;
        assert!(
            (200..300).contains(&response.status),
            "{method}: {} {}",
            response.status,
            response.body
        );
        assert_eq!(response.header("access-control-allow-origin"), Some(ORIGIN));
        let methods = values(&response, "access-control-allow-methods");
        for allowed in ["get", "post", "put", "patch", "delete"] {
            assert!(methods.iter().any(|m| m == allowed), "{methods:?}");
        }
        let headers = values(&response, "access-control-allow-headers");
        for allowed in ["authorization", "content-type"] {
            assert!(headers.iter().any(|h| h == allowed), "{headers:?}");
        }
        assert_eq!(response.header("access-control-max-age"), Some("600"));
        assert_eq!(response.header("www-authenticate"), None, "not a refusal");
    }
    let other = preflight(
        service.addr,
        "https://app.example.com",
        "GET",
        "authorization",
    )
    .await;
    assert_eq!(
        other.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
}

#[tokio::test]
async fn a_preflight_from_another_origin_is_not_allowed() {
    let service = service(Some(ORIGIN));
    for origin in [
        "http://localhost:3001",
        "https://localhost:3000",
        "http://evil.example",
        "null",
    ] {
        let response = preflight(service.addr, origin, "GET", "authorization").await;
        assert_eq!(
            response.header("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn every_answer_to_a_listed_origin_can_be_read_by_the_page() {
    let service = service(Some(ORIGIN));
    let addr = service.addr;
    let alice = token("alice");
    let eddsa = Ed25519Key::rfc8037().sign_raw(
        br#"{"alg":"EdDSA","kid":"k1"}"#,
        br#"{"sub":"alice","exp":4000000000}"#,
    );
    let cases = [
        (fetch_from("GET", "/api/alice/tasks"), 401),
        (
            fetch_from("GET", "/api/alice/tasks").bearer("not-a-token"),
            401,
        ),
        (fetch_from("GET", "/api/bob/tasks").bearer(&alice), 403),
        (fetch_from("GET", "/api/%FF/tasks").bearer(&alice), 400),
        (fetch_from("GET", "/api/alice/tasks/99").bearer(&alice), 404),
        (fetch_from("GET", "/nowhere"), 404),
        (
            fetch_from("POST", "/api/alice/tasks")
                .bearer(&alice)
                .json(&format!(r#"{{"title":"{}"}}"#, "x".repeat(20_000))),
            413,
        ),
        (
            fetch_from("POST", "/api/alice/tasks")
                .bearer(&alice)
                .body(r#"{"title":"x"}"#),
            415,
        ),
        (
            fetch_from("POST", "/api/alice/tasks")
                .bearer(&alice)
                .json(r#"{"description":"no title"}"#),
            422,
        ),
        (fetch_from("GET", "/api/alice/tasks").bearer(&eddsa), 503),
        (fetch_from("GET", "/api/alice/tasks").bearer(&alice), 200),
    ];
    for (request, status) in cases {
        let response = request.send(addr).await;
        assert_eq!(response.status, status, "{}", response.body);
        assert_eq!(
            response.header("access-control-allow-origin"),
            Some(ORIGIN),
            "{status}"
        );
        assert!(
            values(&response, "vary").iter().any(|v| v == "origin"),
            "{status}: {:?}",
            response.headers
        );
        assert!(
            values(&response, "access-control-expose-headers")
                .iter()
                .any(|v| v == "www-authenticate"),
            "{status}: {:?}",
            response.headers
        );
    }
}

fn fetch_from(method: &str, path: &str) -> common::Request {
    request(method, path).header("Origin", ORIGIN)
}

#[tokio::test]
async fn unset_it_adds_no_cors_header() {
    let service = service(None);
    let preflight = preflight(service.addr, ORIGIN, "GET", "authorization").await;
    assert_eq!(preflight.header("access-control-allow-origin"), None);
    let response = fetch_from("GET", "/api/alice/tasks")
        .bearer(&token("alice"))
        .send(service.addr)
        .await;
    assert_eq!(response.status, 200);
    assert!(
        response
            .headers
            .iter()
            .all(|(name, _)| !name.to_ascii_lowercase().starts_with("access-control-")),
        "{:?}",
        response.headers
    );
}

#[test]
fn a_malformed_list_stops_the_service_naming_the_variable() {
    for list in [
        "http://localhost:3000/",
        "http://localhost:3000/app",
        "localhost:3000",
        "*",
        "http://*.example.com",
        "ftp://example.com",
        "http://localhost:3000,",
        "http://localhost:3000, https://ok.example, http://user@example.com",
        "http://example.com:99999",
        "http://example.com?x=1",
        // No browser sends these: a listed origin that never matches.
        "http://LocalHost:3000",
        "https://App.Example.com",
        "http://localhost:80",
        "https://app.example.com:443",
        "http://localhost:03000",
    ] {
        let stderr = refused_at_start_up(&[(SECRET_VAR, SECRET), (CORS_VAR, list)]);
        assert!(stderr.contains(CORS_VAR), "{list}: {stderr}");
        assert!(!stderr.contains(SECRET), "the secret is not echoed");
    }
}
