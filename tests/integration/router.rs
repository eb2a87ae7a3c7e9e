//! auth-runtime through a real `axum::Router` over loopback HTTP: every refusal reason answers
//! the right status, `WWW-Authenticate` and body, and every allowed case answers 200.

use test_support as common;

use auth_runtime::testing::{self, TEST_SECRET, token_for};
use auth_runtime::{Auth, Claims, Hs256, authorized};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use common::{fetch, serve};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Profile {
    email: String,
}

async fn me(claims: Claims) -> String {
    claims.user_id().to_owned()
}

async fn profile(claims: Claims<Profile>) -> String {
    claims.custom.email.clone()
}

async fn maybe(claims: Option<Claims>) -> String {
    claims.map_or_else(|| "anonymous".to_owned(), |c| c.user_id().to_owned())
}

/// Two extractors in one request share one verification.
async fn twice(first: Claims, second: Claims<serde_json::Value>) -> String {
    assert!(std::ptr::eq(first.token(), second.token()), "verified once");
    second.custom["uid"].as_str().unwrap_or_default().to_owned()
}

#[authorized(path_param = "user_id")]
async fn tasks(Path(user_id): Path<String>, claims: Claims) -> String {
    assert_eq!(claims.user_id(), user_id);
    format!("tasks of {user_id}")
}

fn app(auth: Auth) -> Router {
    Router::new()
        .route("/me", get(me))
        .route("/profile", get(profile))
        .route("/maybe", get(maybe))
        .route("/twice", get(twice))
        .route("/api/{user_id}/tasks", get(tasks))
        .layer(auth.layer())
}

const INVALID: &str = r#"Bearer error="invalid_token""#;

/// 401 with an `invalid_token` challenge (RFC 6750 §3.1).
fn assert_invalid_token(response: &common::Response) {
    assert_eq!(response.status, 401, "{}", response.body);
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(challenge.starts_with(INVALID), "{challenge}");
}

async fn expect_invalid(addr: std::net::SocketAddr, token: &str, description: &str) {
    let response = fetch("/me").bearer(token).send(addr).await;
    assert_eq!(response.status, 401, "{description}: {}", response.body);
    let challenge = response.header("www-authenticate").expect("challenge");
    assert!(challenge.starts_with(INVALID), "{challenge}");
    assert!(
        challenge.contains(&format!(r#"error_description="{description}""#)),
        "{challenge}"
    );
    assert_eq!(response.header("content-type"), Some("application/json"));
    assert!(!response.body.contains(token), "the token is never echoed");
}

#[tokio::test]
async fn allowed_requests_answer_200() {
    let addr = serve(app(testing::auth())).await;
    let token = token_for("alice")
        .claim("email", "alice@example.com")
        .sign();

    for (path, body) in [
        ("/me", "alice"),
        ("/profile", "alice@example.com"),
        ("/maybe", "alice"),
        ("/twice", "alice"),
        ("/api/alice/tasks", "tasks of alice"),
    ] {
        let response = fetch(path).bearer(&token).send(addr).await;
        assert_eq!(
            (response.status, response.body.as_str()),
            (200, body),
            "{path}"
        );
    }
    let response = fetch("/maybe").send(addr).await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "anonymous")
    );
    // The scheme is case-insensitive and may be followed by several spaces (RFC 6750 §2.1).
    for header in [format!("bearer {token}"), format!("BEARER   {token}")] {
        let response = fetch("/me")
            .header("Authorization", header)
            .send(addr)
            .await;
        assert_eq!(response.status, 200);
    }
}

#[tokio::test]
async fn missing_credentials_answer_401_without_error_code() {
    let addr = serve(app(testing::auth())).await;
    // No Authorization header, or another scheme: no bearer credential (RFC 6750 §3.1).
    for header in [
        None,
        Some("Basic YWxpY2U6c2VjcmV0"),
        Some("Token abc"),
        Some("Bearer"),
    ] {
        let mut request = fetch("/me");
        if let Some(value) = header {
            request = request.header("Authorization", value);
        }
        let response = request.send(addr).await;
        if header == Some("Bearer") {
            // The Bearer scheme with no credential is a malformed credential.
            assert_invalid_token(&response);
            continue;
        }
        assert_eq!(response.status, 401, "{header:?}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{header:?}"
        );
        assert_eq!(response.detail(), "Not authenticated");
    }
    // A token in a cookie or the query string is ignored.
    let token = token_for("alice").sign();
    let response = fetch(&format!("/me?access_token={token}"))
        .header("Cookie", format!("token={token}"))
        .send(addr)
        .await;
    assert_eq!(response.status, 401);
    assert_eq!(response.header("www-authenticate"), Some("Bearer"));
    // Optional auth: a bearer credential that is sent must be valid; another scheme is anonymous.
    let response = fetch("/maybe").bearer("garbage").send(addr).await;
    assert_eq!(response.status, 401);
    let response = fetch("/maybe")
        .header("Authorization", "Basic YWxpY2U6c2VjcmV0")
        .send(addr)
        .await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "anonymous")
    );
}

#[tokio::test]
async fn every_refusal_reason_answers_401_invalid_token() {
    let addr = serve(app(testing::auth())).await;
    let valid = token_for("alice").sign();

    let cases = [
        ("not-a-jwt".to_owned(), "the token is malformed"),
        (format!("{valid}.extra"), "the token is malformed"),
        ("a".repeat(9000), "the token is too long"),
        (token_for("alice").expired().sign(), "the token has expired"),
        (
            token_for("alice").not_yet_valid().sign(),
            "the token is not valid yet",
        ),
        (
            token_for("alice").without("exp").sign(),
            "the token has no expiry",
        ),
        (
            token_for("alice").claim("exp", "tomorrow").sign(),
            "the token's `exp` claim is invalid",
        ),
        (
            token_for("alice")
                .secret("some-other-secret-that-is-long-enough")
                .sign(),
            "the token's signature is invalid",
        ),
        (
            token_for("alice")
                .without("uid")
                .claim("sub", "alice")
                .sign(),
            "the token has no user id claim",
        ),
        (
            token_for("alice").claim("uid", 42).sign(),
            "the token's user id claim is not a non-empty string",
        ),
        (
            token_for("alice").claim("uid", "").sign(),
            "the token's user id claim is not a non-empty string",
        ),
    ];
    for (token, description) in &cases {
        expect_invalid(addr, token, description).await;
    }

    // alg: none, with the signature stripped.
    let (header_and_payload, _) = valid.rsplit_once('.').expect("jws");
    let (_, payload) = header_and_payload.split_once('.').expect("jws");
    let none = format!("eyJhbGciOiJub25lIn0.{payload}.");
    expect_invalid(addr, &none, "the token's algorithm is not accepted").await;

    // HS512 with the right secret: the algorithm is pinned.
    let hs512 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS512),
        &json!({"uid": "alice", "exp": 4_000_000_000u64}),
        &jsonwebtoken::EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .expect("sign");
    expect_invalid(addr, &hs512, "the token's algorithm is not accepted").await;

    // Custom claims the application requires are missing.
    let response = fetch("/profile").bearer(&valid).send(addr).await;
    assert_eq!(response.status, 401);
    assert!(
        response
            .header("www-authenticate")
            .unwrap_or_default()
            .contains("the token lacks claims")
    );

    // Two Authorization headers.
    let response = fetch("/me").bearer(&valid).bearer(&valid).send(addr).await;
    assert_invalid_token(&response);

    // Non-ASCII bytes in the header value.
    let response = fetch("/me")
        .header("Authorization", b"Bearer \xff\xfe")
        .send(addr)
        .await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn issuer_and_audience_when_configured() {
    let origin = "http://localhost:3000";
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).issuer(origin).audience(origin))
        .build()
        .expect("valid configuration");
    let addr = serve(app(auth)).await;
    let good = token_for("alice")
        .claim("iss", origin)
        .claim("aud", origin)
        .sign();
    assert_eq!(fetch("/me").bearer(&good).send(addr).await.status, 200);
    // jsonwebtoken alone would let a token without iss/aud pass: here they are required.
    expect_invalid(
        addr,
        &token_for("alice").claim("aud", origin).sign(),
        "the token's issuer is not accepted",
    )
    .await;
    expect_invalid(
        addr,
        &token_for("alice").claim("iss", origin).sign(),
        "the token's audience is not accepted",
    )
    .await;
    expect_invalid(
        addr,
        &token_for("alice")
            .claim("iss", format!("{origin}/api/auth"))
            .claim("aud", origin)
            .sign(),
        "the token's issuer is not accepted",
    )
    .await;
}

#[tokio::test]
async fn user_id_claim_is_configurable() {
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).user_id_claim("sub"))
        .build()
        .expect("valid configuration");
    let addr = serve(app(auth)).await;
    let stock = token_for("ignored")
        .without("uid")
        .claim("sub", "bob")
        .sign();
    let response = fetch("/api/bob/tasks").bearer(&stock).send(addr).await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "tasks of bob")
    );
    // A `uid` claim is not consulted when the claim is `sub`.
    let uid_only = token_for("bob").sign();
    assert_eq!(
        fetch("/api/bob/tasks")
            .bearer(&uid_only)
            .send(addr)
            .await
            .status,
        401
    );
}

#[tokio::test]
async fn previous_secret_is_accepted_during_rotation() {
    let old = "the-previous-secret-still-accepted-for-a-while";
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).previous_secret(old))
        .build()
        .expect("valid configuration");
    let addr = serve(app(auth)).await;
    for secret in [TEST_SECRET, old] {
        let token = token_for("alice").secret(secret).sign();
        assert_eq!(fetch("/me").bearer(&token).send(addr).await.status, 200);
    }
}

#[tokio::test]
async fn ownership_is_exact() {
    let addr = serve(app(testing::auth())).await;
    let token = token_for("alice").sign();
    for path in [
        "/api/bob/tasks",
        "/api/Alice/tasks",
        "/api/ALICE/tasks",
        "/api/alice%20/tasks",
        "/api/%20alice/tasks",
        "/api/alic%C3%A9/tasks",
        "/api/alice%00/tasks",
        "/api/%61lice%2F/tasks",
    ] {
        let response = fetch(path).bearer(&token).send(addr).await;
        assert_eq!(response.status, 403, "{path}: {}", response.body);
        assert_eq!(response.header("www-authenticate"), None);
        assert_eq!(
            response.detail(),
            "Not allowed to access another user's resources"
        );
    }
    // Percent-encoding of the same characters is the same user id (axum decodes the capture,
    // and the handler's Path sees the decoded value too).
    let response = fetch("/api/%61lice/tasks").bearer(&token).send(addr).await;
    assert_eq!(response.status, 200);
    // Unicode: NFC and NFD spellings are different user ids.
    let nfc = token_for("jos\u{e9}").sign();
    assert_eq!(
        fetch("/api/jos%C3%A9/tasks")
            .bearer(&nfc)
            .send(addr)
            .await
            .status,
        200
    );
    assert_eq!(
        fetch("/api/jose%CC%81/tasks")
            .bearer(&nfc)
            .send(addr)
            .await
            .status,
        403
    );
    // A capture that is not UTF-8 names nobody: 400, the answer of the handler's own Path.
    let response = fetch("/api/%FF/tasks").bearer(&token).send(addr).await;
    assert_eq!(response.status, 400, "{}", response.body);
    assert_eq!(response.detail(), "Invalid path");
    // 401 wins over 403: without a valid token the path is never compared.
    assert_eq!(fetch("/api/bob/tasks").send(addr).await.status, 401);
}

#[tokio::test]
async fn missing_configuration_is_500_never_a_pass() {
    let unconfigured = Router::new()
        .route("/me", get(me))
        .route("/api/{user_id}/tasks", get(tasks));
    let addr = serve(unconfigured).await;
    let token = token_for("alice").sign();
    for path in ["/me", "/api/alice/tasks"] {
        let response = fetch(path).bearer(&token).send(addr).await;
        assert_eq!(response.status, 500, "{path}");
        assert_eq!(response.detail(), "Internal server error");
    }
}

mod body_first {
    use super::*;
    use axum::Json;
    use axum::routing::post;

    #[derive(Deserialize)]
    pub struct NewTask {
        title: String,
    }

    #[authorized(path_param = "user_id")]
    pub async fn create(Path(user_id): Path<String>, Json(task): Json<NewTask>) -> String {
        // The body was read: the extractor ran after the decision.
        debug_assert!(task.title.len() < usize::MAX);
        user_id
    }

    #[authorized(path_param = "user_id")]
    pub async fn by_position(Path((user_id, id)): Path<(String, String)>) -> String {
        format!("{user_id}:{id}")
    }

    pub fn app() -> Router {
        Router::new()
            .route("/api/{user_id}/tasks", post(create))
            // The capture names differ from the handler's bindings: the handler still reads its
            // first capture as the user id, and that is what is compared.
            .route("/renamed/{id}/tasks", post(create))
            .route("/swapped/{id}/{user_id}", get(by_position))
            // Misconfigured on purpose: two captures for a handler that binds one.
            .route("/two/{org}/{user_id}", post(create))
            .route("/ordered/{user_id}/{id}", get(by_position))
            .layer(testing::auth().layer())
    }
}

#[tokio::test]
async fn ownership_is_decided_before_the_body_is_parsed() {
    let addr = serve(body_first::app()).await;
    let token = token_for("alice").sign();
    let post = |path: &str| common::request("POST", path);

    // Malformed JSON to another user's path: 403, not 400/422.
    let response = post("/api/bob/tasks")
        .bearer(&token)
        .json("{not json")
        .send(addr)
        .await;
    assert_eq!(response.status, 403, "{}", response.body);
    // The same without a token: 401.
    let response = post("/api/bob/tasks").json("{not json").send(addr).await;
    assert_eq!(response.status, 401);
    // The owner's malformed JSON reaches the Json extractor, which refuses it.
    let response = post("/api/alice/tasks")
        .bearer(&token)
        .json("{not json")
        .send(addr)
        .await;
    assert_eq!(response.status, 400);
    let response = post("/api/alice/tasks")
        .bearer(&token)
        .json(r#"{"title":"x"}"#)
        .send(addr)
        .await;
    assert_eq!((response.status, response.body.as_str()), (200, "alice"));
}

#[tokio::test]
async fn the_decision_follows_the_binding_and_a_mismatched_route_is_500() {
    let addr = serve(body_first::app()).await;
    let token = token_for("alice").sign();
    let post = |path: &str| {
        common::request("POST", path)
            .bearer(&token)
            .json(r#"{"title":"x"}"#)
    };
    // `Path(user_id): Path<String>` reads the single capture, whatever the route calls it.
    let response = post("/renamed/alice/tasks").send(addr).await;
    assert_eq!((response.status, response.body.as_str()), (200, "alice"));
    assert_eq!(post("/renamed/bob/tasks").send(addr).await.status, 403);
    // The tuple binds (user_id, id) and the route names its captures {id}/{user_id}: the
    // handler reads the first capture as the user id, and that is what is compared.
    let response = fetch("/swapped/alice/7").bearer(&token).send(addr).await;
    assert_eq!((response.status, response.body.as_str()), (200, "alice:7"));
    let response = fetch("/swapped/bob/alice").bearer(&token).send(addr).await;
    assert_eq!(response.status, 403);
    let response = fetch("/ordered/alice/7").bearer(&token).send(addr).await;
    assert_eq!((response.status, response.body.as_str()), (200, "alice:7"));
    // Two captures for a handler that binds one: whatever the path, a server bug, never a pass.
    for path in ["/two/acme/alice", "/two/alice/alice"] {
        let response = post(path).send(addr).await;
        assert_eq!(response.status, 500, "{path}: {}", response.body);
        assert_eq!(response.detail(), "Internal server error");
    }
}
