//! OAuth 2.1 access tokens from a real Better Auth authorization server
//! (`tests/oauth-provider/issue-tokens.mjs`: better-auth 1.7.29 with @better-auth/oauth-provider
//! 1.7.29 and the jwt plugin), checked by the tasks example started with `AUTH_RESOURCE` = its own
//! URL: `client_credentials` tokens for a service, authorization-code + PKCE tokens for a signed-in
//! user, and the session JWT and ID token that must not pass for access tokens.

use test_support as common;

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Child;

use common::service::Service;
use common::{Response, fetch, request};
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
struct Fixture {
    origin: String,
    issuer: String,
    users: Users,
    session: Session,
    service: ServiceTokens,
    delegated: Delegated,
}

#[derive(Deserialize)]
struct Users {
    alice: String,
    bob: String,
}

#[derive(Deserialize)]
struct Session {
    alice: String,
}

#[derive(Deserialize)]
struct ServiceTokens {
    stats: String,
    read: String,
    other_resource: String,
}

#[derive(Deserialize)]
struct Delegated {
    alice_read: String,
    alice_write: String,
    alice_write_only: String,
    bob_read: String,
    alice_openid: OpenId,
}

#[derive(Deserialize)]
struct OpenId {
    access_token: String,
    id_token: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oauth-provider")
}

/// The authorization server, issuing its tokens for `resource`; it serves the JWKS until the
/// returned child is dropped (its stdin closes).
fn authorization_server(resource: &str) -> (Fixture, Child) {
    let (line, child) = common::node_fixture(
        &fixture_dir(),
        "issue-tokens.mjs",
        &[("RESOURCE", resource)],
    );
    (serde_json::from_str(&line).expect("fixture JSON"), child)
}

/// A loopback port nobody listens on now, for a service whose resource identifier (its own
/// URL) must be known before it starts.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free loopback port")
        .port()
}

struct Setup {
    fixture: Fixture,
    _server: Child,
    service: Service,
    resource: String,
}

impl Setup {
    fn addr(&self) -> SocketAddr {
        self.service.addr
    }
}

/// The authorization server and the example, `AUTH_RESOURCE` = the example's URL.
fn setup() -> Setup {
    let port = free_port();
    let resource = format!("http://127.0.0.1:{port}");
    let (fixture, server) = authorization_server(&resource);
    let service = Service::start(
        &[],
        &[
            ("BETTER_AUTH_URL", fixture.origin.as_str()),
            ("AUTH_RESOURCE", resource.as_str()),
            ("BIND_ADDR", &format!("127.0.0.1:{port}")),
        ],
    );
    Setup {
        fixture,
        _server: server,
        service,
        resource,
    }
}

/// The `resource_metadata` parameter every challenge of the service carries (RFC 9728 §5.1).
fn metadata_parameter(setup: &Setup) -> String {
    format!(
        r#"resource_metadata="{}/.well-known/oauth-protected-resource""#,
        setup.resource
    )
}

fn challenge(response: &Response) -> &str {
    response.header("www-authenticate").unwrap_or_default()
}

#[tokio::test]
async fn a_service_token_reads_the_stats_with_its_scope() {
    let setup = setup();
    let addr = setup.addr();
    let f = &setup.fixture;
    let alice = &f.users.alice;

    let created = request("POST", &format!("/api/{alice}/tasks"))
        .bearer(&f.session.alice)
        .json(r#"{"title": "one"}"#)
        .send(addr)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);

    let stats = fetch("/api/stats")
        .bearer(&f.service.stats)
        .send(addr)
        .await;
    assert_eq!(stats.status, 200, "{}", stats.body);
    assert_eq!(stats.json(), json!({ "users": 1, "tasks": 1 }));

    // A valid access token without the scope: 403 naming the scope (RFC 6750 §3.1).
    let read_only = fetch("/api/stats").bearer(&f.service.read).send(addr).await;
    assert_eq!(read_only.status, 403, "{}", read_only.body);
    // Every scope the route requires, what is missing, and where to step up (MCP).
    assert_eq!(
        challenge(&read_only),
        format!(
            r#"Bearer error="insufficient_scope", scope="tasks:stats", error_description="the access token lacks a scope of tasks:stats", {}"#,
            metadata_parameter(&setup)
        )
    );
    assert_eq!(
        read_only.detail(),
        "Not allowed without the scope tasks:stats"
    );

    // An access token for another resource, the session JWT and the ID token are no access
    // tokens for this API: 401 invalid_token.
    for (what, token, description) in [
        (
            "another resource's token",
            &f.service.other_resource,
            "the token's audience is not accepted",
        ),
        (
            "the session JWT",
            &f.session.alice,
            "the token is not an OAuth access token for this API",
        ),
        (
            "the ID token",
            &f.delegated.alice_openid.id_token,
            "the token is an OpenID Connect ID token, not an access token",
        ),
    ] {
        let refused = fetch("/api/stats").bearer(token).send(addr).await;
        assert_eq!(refused.status, 401, "{what}: {}", refused.body);
        let header = challenge(&refused);
        assert!(
            header.starts_with(&format!(
                r#"Bearer error="invalid_token", error_description="{description}""#
            )),
            "{what}: {header}"
        );
        assert!(!refused.body.contains(token.as_str()), "{what} echoed");
    }
}

#[tokio::test]
async fn a_user_delegated_token_reaches_only_its_users_data_within_its_scopes() {
    let setup = setup();
    let addr = setup.addr();
    let f = &setup.fixture;
    let (alice, bob) = (&f.users.alice, &f.users.bob);
    let tasks = format!("/api/{alice}/tasks");

    // tasks:read reads; the token whose aud also holds the UserInfo URL (openid) too.
    for token in [
        &f.delegated.alice_read,
        &f.delegated.alice_write,
        &f.delegated.alice_openid.access_token,
    ] {
        let listed = fetch(&tasks).bearer(token).send(addr).await;
        assert_eq!(listed.status, 200, "{}", listed.body);
    }

    // A scope hierarchy (the example declares tasks:write > tasks:read): a token granted only
    // tasks:write reads too; its granted scope is what the plugin wrote.
    assert_eq!(
        common::jws_segment(&f.delegated.alice_write_only, 1)["scope"],
        "tasks:write"
    );
    let implied = fetch(&tasks)
        .bearer(&f.delegated.alice_write_only)
        .send(addr)
        .await;
    assert_eq!(implied.status, 200, "{}", implied.body);

    // Writing needs tasks:write.
    let refused = request("POST", &tasks)
        .bearer(&f.delegated.alice_read)
        .json(r#"{"title": "no"}"#)
        .send(addr)
        .await;
    assert_eq!(refused.status, 403, "{}", refused.body);
    assert_eq!(
        challenge(&refused),
        format!(
            r#"Bearer error="insufficient_scope", scope="tasks:write", error_description="the access token lacks a scope of tasks:write", {}"#,
            metadata_parameter(&setup)
        )
    );
    let created = request("POST", &tasks)
        .bearer(&f.delegated.alice_write)
        .json(r#"{"title": "by the app"}"#)
        .send(addr)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let id = created.json()["id"].as_i64().expect("an id");
    let read = fetch(&format!("{tasks}/{id}"))
        .bearer(&f.delegated.alice_read)
        .send(addr)
        .await;
    assert_eq!(read.json()["title"], "by the app");

    // Another user's token with the right scope, and a service token whose `sub` is its
    // client: 403 as the owner rule answers (the data is not theirs: no scope or role to ask
    // for), not `insufficient_scope`.
    for token in [&f.delegated.bob_read, &f.service.read] {
        let other = fetch(&tasks).bearer(token).send(addr).await;
        assert_eq!(other.status, 403, "{}", other.body);
        assert_eq!(
            other.detail(),
            "Not allowed to access another user's resources"
        );
        assert_eq!(challenge(&other), "", "no challenge to step up");
    }
    // A service token (client_credentials) acts for no user: not even the path named by its
    // own client id, which its `sub` holds.
    let client_id = common::jws_segment(&f.service.read, 1)["client_id"]
        .as_str()
        .expect("client_id")
        .to_owned();
    assert_eq!(
        common::jws_segment(&f.service.read, 1)["sub"].as_str(),
        Some(client_id.as_str())
    );
    let own_client = fetch(&format!("/api/{client_id}/tasks"))
        .bearer(&f.service.read)
        .send(addr)
        .await;
    assert_eq!(own_client.status, 403, "{}", own_client.body);
    assert_eq!(
        own_client.detail(),
        "Not allowed to access another user's resources"
    );
    let other = request("DELETE", &format!("{tasks}/{id}"))
        .bearer(&f.delegated.alice_write)
        .send(addr)
        .await;
    assert_eq!(
        other.status, 204,
        "the owner's write token deletes: {}",
        other.body
    );
    let own = fetch(&format!("/api/{bob}/tasks"))
        .bearer(&f.delegated.bob_read)
        .send(addr)
        .await;
    assert_eq!(own.status, 200, "{}", own.body);

    // A route that names no scope admits no access token, whatever its rule.
    let admin = fetch("/api/admin/users")
        .bearer(&f.delegated.alice_write)
        .send(addr)
        .await;
    assert_eq!(admin.status, 403, "{}", admin.body);
    assert_eq!(
        challenge(&admin),
        format!(
            r#"Bearer error="insufficient_scope", error_description="this route admits no OAuth access token", {}"#,
            metadata_parameter(&setup)
        )
    );

    // The session JWT works on the user routes exactly as before; the ID token does not.
    let session = fetch(&tasks).bearer(&f.session.alice).send(addr).await;
    assert_eq!(session.status, 200, "{}", session.body);
    assert_eq!(
        session.json().as_array().map(Vec::len),
        Some(0),
        "the app's task was deleted with its write token"
    );
    let id_token = fetch(&tasks)
        .bearer(&f.delegated.alice_openid.id_token)
        .send(addr)
        .await;
    assert_eq!(id_token.status, 401, "{}", id_token.body);
}

#[tokio::test]
async fn the_protected_resource_metadata_and_every_401_point_to_each_other() {
    let setup = setup();
    let addr = setup.addr();
    let f = &setup.fixture;
    let metadata_url = format!("{}/.well-known/oauth-protected-resource", setup.resource);

    let metadata = fetch("/.well-known/oauth-protected-resource")
        .send(addr)
        .await;
    assert_eq!(metadata.status, 200, "{}", metadata.body);
    assert_eq!(metadata.header("content-type"), Some("application/json"));
    let document: Value = metadata.json();
    assert_eq!(
        document,
        json!({
            "resource": setup.resource,
            "authorization_servers": [f.issuer],
            "scopes_supported": ["tasks:read", "tasks:write", "tasks:stats"],
            "bearer_methods_supported": ["header"],
        })
    );

    let resource_metadata = format!(r#"resource_metadata="{metadata_url}""#);
    let missing = fetch(&format!("/api/{}/tasks", f.users.alice))
        .send(addr)
        .await;
    assert_eq!(missing.status, 401);
    assert_eq!(challenge(&missing), format!("Bearer {resource_metadata}"));
    let invalid = fetch("/api/stats").bearer("not.a.token").send(addr).await;
    assert_eq!(invalid.status, 401);
    assert!(
        challenge(&invalid).starts_with(r#"Bearer error="invalid_token""#)
            && challenge(&invalid).ends_with(&format!(", {resource_metadata}")),
        "{}",
        challenge(&invalid)
    );
    // A 403 `insufficient_scope` is a challenge to step up: it points at the metadata too
    // (the MCP authorization spec); another user's data is no challenge at all.
    let forbidden = fetch("/api/stats").bearer(&f.service.read).send(addr).await;
    assert!(
        challenge(&forbidden).ends_with(&format!(", {resource_metadata}")),
        "{}",
        challenge(&forbidden)
    );
    let not_theirs = fetch(&format!("/api/{}/tasks", f.users.alice))
        .bearer(&f.delegated.bob_read)
        .send(addr)
        .await;
    assert_eq!((not_theirs.status, challenge(&not_theirs)), (403, ""));
}

/// An OIDC ID token is refused on every route whatever the configuration, even one whose
/// issuer and audience are the ID token's own; and a JWKS URL without an origin to pin tokens
/// to does not start at all (an outside probe found ID tokens accepted as session tokens).
#[tokio::test]
async fn an_id_token_is_refused_whatever_the_configuration() {
    let port = free_port();
    let (f, _server) = authorization_server(&format!("http://127.0.0.1:{port}"));
    let id_token = &f.delegated.alice_openid.id_token;
    let claims = common::jws_segment(id_token, 1);
    assert!(
        claims.get("at_hash").is_some() || claims.get("auth_time").is_some(),
        "Better Auth's ID token carries at_hash or auth_time: {claims}"
    );
    assert_eq!(claims["iss"], f.issuer.as_str());
    let client_id = claims["aud"]
        .as_str()
        .expect("aud is the client id")
        .to_owned();
    let jwks_url = format!("{}/api/auth/jwks", f.origin);

    // The probe's configuration: the JWKS URL alone. Refused before it listens.
    let refused = common::service::refused_at_start_up(&[("BETTER_AUTH_JWKS_URL", &jwks_url)]);
    assert!(
        refused.contains("BETTER_AUTH_JWKS_URL") && refused.contains("BETTER_AUTH_URL"),
        "{refused}"
    );

    // A configuration pinned to exactly the ID token's issuer and audience.
    let tasks = format!("/api/{}/tasks", f.users.alice);
    for env in [
        vec![
            ("BETTER_AUTH_JWKS_URL", jwks_url.as_str()),
            ("AUTH_JWKS_ISSUER", f.issuer.as_str()),
            ("AUTH_JWKS_AUDIENCE", client_id.as_str()),
        ],
        vec![("BETTER_AUTH_URL", f.origin.as_str())],
    ] {
        let service = Service::start(&[], &env);
        for target in [tasks.as_str(), "/api/stats"] {
            let refused = fetch(target).bearer(id_token).send(service.addr).await;
            assert_eq!(refused.status, 401, "{env:?} {target}: {}", refused.body);
            assert_eq!(
                challenge(&refused),
                r#"Bearer error="invalid_token", error_description="the token is an OpenID Connect ID token, not an access token""#,
                "{env:?} {target}"
            );
        }
    }
}

/// Without `AUTH_RESOURCE`, access tokens are refused everywhere (their `typ` is not accepted),
/// and nothing is served at the well-known path.
#[tokio::test]
async fn without_a_resource_access_tokens_are_refused() {
    let port = free_port();
    let (fixture, _server) = authorization_server(&format!("http://127.0.0.1:{port}"));
    let service = Service::start(&[], &[("BETTER_AUTH_URL", fixture.origin.as_str())]);
    let addr = service.addr;
    let tasks = format!("/api/{}/tasks", fixture.users.alice);
    for token in [&fixture.delegated.alice_read, &fixture.service.stats] {
        for target in [tasks.as_str(), "/api/stats"] {
            let refused = fetch(target).bearer(token).send(addr).await;
            assert_eq!(refused.status, 401, "{target}: {}", refused.body);
            assert_eq!(
                challenge(&refused),
                r#"Bearer error="invalid_token", error_description="the token's type is not accepted""#
            );
        }
    }
    let session = fetch(&tasks)
        .bearer(&fixture.session.alice)
        .send(addr)
        .await;
    assert_eq!(session.status, 200, "{}", session.body);
    let missing = fetch(&tasks).send(addr).await;
    assert_eq!(challenge(&missing), "Bearer");
    assert_eq!(
        fetch("/.well-known/oauth-protected-resource")
            .send(addr)
            .await
            .status,
        404
    );
}
