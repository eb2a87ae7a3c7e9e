//! Interop with real Better Auth tokens: `tests/better-auth/issue-tokens.mjs` runs better-auth
//! 1.7 (installed by `npm ci` from the lockfile, here) with the stock `jwt` plugin (EdDSA,
//! JWKS served over loopback HTTP) and with the HS256 sign hook, with its admin plugin (roles)
//! in both modes and its organization plugin (`claim`); the tasks example, or a router of
//! `#[authorized]` handlers, verifies its tokens end to end.

use test_support as common;

use auth_runtime::env::{BETTER_AUTH_URL_VAR, JWKS_MIN_REFETCH_VAR, JWKS_URL_VAR, SECRET_VAR};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use common::service::{SECRET, Service};
use common::{Response, fetch};
use serde::Deserialize;

#[derive(Deserialize, Clone)]
struct User {
    id: String,
    token: String,
}

#[derive(Deserialize, Clone)]
struct Fixture {
    origin: String,
    jwks_url: String,
    alice: User,
    bob: User,
    expired: String,
    carol: User,
    /// ES256, ES512, RS256 and PS256 instances of the stock plugin.
    algorithms: std::collections::BTreeMap<String, AlgorithmFixture>,
    /// A token signed before a key rotation and one signed after it.
    rotation: Rotation,
    session_cache: SessionCache,
    /// The admin plugin beside the stock jwt plugin (JWKS).
    roles: RoleFixture,
    /// The admin plugin beside the HS256 sign hook.
    hs256_roles: RoleFixture,
    /// The organization plugin, with activeOrganizationId added by definePayload.
    orgs: OrgFixture,
}

/// Members of a Better Auth instance with the organization plugin: each created an
/// organisation (`org`), which became their session's active one; `loner` has none.
#[derive(Deserialize, Clone)]
struct OrgFixture {
    jwks_url: String,
    members: std::collections::BTreeMap<String, OrgMember>,
}

#[derive(Deserialize, Clone)]
struct OrgMember {
    token: String,
    org: Option<String>,
}

/// Users of a Better Auth instance with the admin plugin, by name, with the role Better Auth
/// stored for them.
#[derive(Deserialize, Clone)]
struct RoleFixture {
    #[serde(default)]
    jwks_url: String,
    users: std::collections::BTreeMap<String, User>,
}

/// The session cookie cache signed with the JWKS keys, beside an access token of its instance.
#[derive(Deserialize, Clone)]
struct SessionCache {
    jwks_url: String,
    user: User,
    session_data: String,
}

#[derive(Deserialize, Clone)]
struct Rotation {
    jwks_url: String,
    before: User,
    after: User,
}

/// Tokens of a Better Auth instance whose jwt plugin signs with another algorithm.
#[derive(Deserialize, Clone)]
struct AlgorithmFixture {
    jwks_url: String,
    alice: User,
    bob: User,
    expired: String,
}

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/better-auth")
}

/// The Node process issuing tokens and serving the JWKS; it exits when this test binary does
/// (its stdin closes).
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<(Fixture, Mutex<Child>)> = OnceLock::new();
    &FIXTURE
        .get_or_init(|| {
            let (line, child) =
                common::node_fixture(&fixture_dir(), "issue-tokens.mjs", &[(SECRET_VAR, SECRET)]);
            let fixture: Fixture = serde_json::from_str(&line).expect("fixture JSON");
            (fixture, Mutex::new(child))
        })
        .0
}

/// How many times the JWKS was fetched with `?client=<client>`.
async fn jwks_fetches(fixture: &Fixture, client: &str) -> u64 {
    let addr: SocketAddr = fixture
        .origin
        .trim_start_matches("http://")
        .parse()
        .expect("loopback origin");
    fetch(&format!("/fixture/jwks-fetches?client={client}"))
        .send(addr)
        .await
        .json()["count"]
        .as_u64()
        .expect("count")
}

async fn tasks(addr: SocketAddr, user: &str, token: &str) -> Response {
    fetch(&format!("/api/{user}/tasks"))
        .bearer(token)
        .send(addr)
        .await
}

fn invalid_description(response: &Response) -> &str {
    response.header("www-authenticate").unwrap_or_default()
}

/// The decoded JOSE header of a token.
fn header_of(token: &str) -> serde_json::Value {
    common::jws_segment(token, 0)
}

/// The token with its header replaced (the signature no longer matches, or names another key).
fn with_header(token: &str, header: &str) -> String {
    let (_, rest) = token.split_once('.').expect("jws");
    format!("{}.{rest}", URL_SAFE_NO_PAD.encode(header))
}

/// The order n of the curve of an ECDSA `alg`, big-endian.
fn curve_order(alg: &str) -> Option<Vec<u8>> {
    let hex = match alg {
        "ES256" => "ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        "ES512" => concat!(
            "01ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
            "fa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409"
        ),
        _ => return None,
    };
    Some(
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).expect("hex"))
            .collect(),
    )
}

/// The token with its ECDSA signature's S replaced by n − S: the other valid signature of the
/// same message (WebCrypto, which Better Auth signs with, writes either).
fn with_other_s(token: &str, n: &[u8]) -> String {
    let (input, signature) = token.rsplit_once('.').expect("jws");
    let mut signature = URL_SAFE_NO_PAD.decode(signature).expect("base64url");
    let s = &mut signature[n.len()..];
    let mut borrow = 0i16;
    for (byte, order) in s.iter_mut().zip(n).rev() {
        let diff = i16::from(*order) - i16::from(*byte) - borrow;
        borrow = i16::from(diff < 0);
        *byte = (diff + 256 * borrow) as u8;
    }
    assert_eq!(borrow, 0, "S < n");
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[tokio::test]
async fn es256_es512_rs256_and_ps256_tokens_from_better_auth() {
    let f = fixture();
    assert_eq!(
        f.algorithms.keys().map(String::as_str).collect::<Vec<_>>(),
        ["ES256", "ES512", "PS256", "RS256"]
    );
    for (alg, a) in &f.algorithms {
        // JWKS mode only, with the instance's own JWKS (its basePath is /<alg>/api/auth).
        let service = Service::start(
            &[],
            &[
                (BETTER_AUTH_URL_VAR, &f.origin),
                (JWKS_URL_VAR, &a.jwks_url),
            ],
        );
        let addr = service.addr;
        assert_eq!(
            tasks(addr, &a.alice.id, &a.alice.token).await.status,
            200,
            "{alg}"
        );
        assert_eq!(
            tasks(addr, &a.bob.id, &a.bob.token).await.status,
            200,
            "{alg}"
        );
        let other = tasks(addr, &a.bob.id, &a.alice.token).await;
        assert_eq!(other.status, 403, "{alg}: {}", other.body);

        let expired = tasks(addr, &a.alice.id, &a.expired).await;
        assert_eq!(expired.status, 401, "{alg}");
        assert!(
            invalid_description(&expired).contains("the token has expired"),
            "{alg}: {:?}",
            expired.headers
        );

        // Better Auth's own signature with the other S (high if it was low, low if it was
        // high): accepted, as WebCrypto's high-S signatures must be.
        if let Some(n) = curve_order(alg) {
            for user in [&a.alice, &a.bob] {
                let twin = with_other_s(&user.token, &n);
                assert_ne!(twin, user.token);
                let response = tasks(addr, &user.id, &twin).await;
                assert_eq!(
                    response.status, 200,
                    "{alg} with the other S: {}",
                    response.body
                );
            }
        }

        // One payload character changed, the signature kept.
        let mut tampered = a.alice.token.clone().into_bytes();
        let middle = a.alice.token.find('.').expect("jws") + 10;
        tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
        let tampered = String::from_utf8(tampered).expect("ascii");
        let response = tasks(addr, &a.alice.id, &tampered).await;
        assert_eq!(response.status, 401, "{alg}");
        assert!(
            invalid_description(&response).contains("signature is invalid"),
            "{alg}: {:?}",
            response.headers
        );

        // The header names another algorithm than the key's: refused before any signature.
        let kid = header_of(&a.alice.token)["kid"]
            .as_str()
            .expect("kid")
            .to_owned();
        for other_alg in [
            "ES256", "ES512", "RS256", "PS256", "EdDSA", "ES384", "RS512",
        ] {
            if other_alg == alg {
                continue;
            }
            let relabelled = with_header(
                &a.alice.token,
                &format!(r#"{{"alg":"{other_alg}","kid":"{kid}"}}"#),
            );
            let response = tasks(addr, &a.alice.id, &relabelled).await;
            assert_eq!(response.status, 401, "{alg} key, {other_alg} header");
            assert!(
                invalid_description(&response).contains("algorithm is not accepted"),
                "{alg} key, {other_alg} header: {:?}",
                response.headers
            );
        }
    }
}

#[tokio::test]
async fn tokens_of_a_rotated_key_in_its_grace_period_and_of_its_successor() {
    let f = fixture();
    let r = &f.rotation;
    assert_ne!(
        header_of(&r.before.token)["kid"],
        header_of(&r.after.token)["kid"],
        "two keys"
    );
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &f.origin),
            (JWKS_URL_VAR, &r.jwks_url),
        ],
    );
    for user in [&r.before, &r.after] {
        assert_eq!(tasks(service.addr, &user.id, &user.token).await.status, 200);
    }
    assert_eq!(
        tasks(service.addr, &r.before.id, &r.after.token)
            .await
            .status,
        403
    );
}

#[tokio::test]
async fn a_session_cookie_cache_jwt_is_not_a_bearer_token() {
    let f = fixture();
    let c = &f.session_cache;
    // The same key signs both: only the type tells them apart.
    assert_eq!(
        header_of(&c.session_data)["kid"],
        header_of(&c.user.token)["kid"]
    );
    assert_eq!(
        header_of(&c.session_data)["typ"],
        "better-auth.session-cache+jwt"
    );
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &f.origin),
            (JWKS_URL_VAR, &c.jwks_url),
        ],
    );
    assert_eq!(
        tasks(service.addr, &c.user.id, &c.user.token).await.status,
        200
    );
    // Pasted into a bearer header, the cookie's JWT is refused by the type rule, before its
    // signature or audience is looked at.
    let response = tasks(service.addr, &c.user.id, &c.session_data).await;
    assert_eq!(response.status, 401);
    assert!(
        invalid_description(&response).contains("the token's type is not accepted"),
        "{:?}",
        response.headers
    );
}

#[tokio::test]
async fn stock_and_hs256_tokens_beside_each_other() {
    let f = fixture();
    // Both modes: JWKS from BETTER_AUTH_URL, HS256 from BETTER_AUTH_SECRET.
    let service = Service::start(
        &[],
        &[(BETTER_AUTH_URL_VAR, &f.origin), (SECRET_VAR, SECRET)],
    );
    let addr = service.addr;

    // Stock EdDSA tokens, user id in `sub`.
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(tasks(addr, &f.bob.id, &f.bob.token).await.status, 200);
    let other = tasks(addr, &f.bob.id, &f.alice.token).await;
    assert_eq!(other.status, 403, "{}", other.body);

    let expired = tasks(addr, &f.alice.id, &f.expired).await;
    assert_eq!(expired.status, 401);
    assert!(
        invalid_description(&expired).contains("the token has expired"),
        "{:?}",
        expired.headers
    );

    // Tampered: one character of the payload changed, the signature kept.
    let mut tampered = f.alice.token.clone().into_bytes();
    let middle = f.alice.token.find('.').expect("jws") + 10;
    tampered[middle] = if tampered[middle] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).expect("ascii");
    let response = tasks(addr, &f.alice.id, &tampered).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("invalid_token"));

    // The HS256 sign hook, user id in `uid`.
    assert_eq!(tasks(addr, &f.carol.id, &f.carol.token).await.status, 200);
    assert_eq!(tasks(addr, &f.alice.id, &f.carol.token).await.status, 403);

    // The user-id claim belongs to the key source: an HS256 token with the user id only in
    // `sub` (as stock tokens carry it) is refused, it is not read through `sub`.
    let sub_only = auth_runtime::testing::token_for("ignored")
        .secret(SECRET)
        .without("uid")
        .claim("sub", f.alice.id.as_str())
        .sign();
    let response = tasks(addr, &f.alice.id, &sub_only).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("no user id claim"));

    // Key confusion: an HS256 token "signed" with the public key bytes, or a stock token whose
    // header claims HS256, never meets the JWKS keys.
    let confused = with_header(&f.alice.token, r#"{"alg":"HS256","typ":"JWT"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &confused).await.status, 401);
    let none = with_header(&f.alice.token, r#"{"alg":"none"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &none).await.status, 401);

    let log = service.log();
    assert!(!log.contains(&f.alice.token) && !log.contains(SECRET));
}

/// A service in JWKS mode alone (no secret) whose JWKS URL is marked with `client`, so that the
/// fixture counts its fetches apart from the other tests'.
fn counted_service(f: &Fixture, client: &str, min_refetch_secs: &str) -> Service {
    Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &f.origin),
            (JWKS_URL_VAR, &format!("{}?client={client}", f.jwks_url)),
            (JWKS_MIN_REFETCH_VAR, min_refetch_secs),
        ],
    )
}

#[tokio::test]
async fn a_flood_of_unknown_kids_fetches_nothing_within_the_interval() {
    let f = fixture();
    // An interval no test run outlasts: the verdict does not depend on the machine's speed.
    let client = "flood-test";
    let service = counted_service(f, client, "3600");
    let addr = service.addr;
    let header = |kid: &str| format!(r#"{{"alg":"EdDSA","kid":"{kid}"}}"#);

    // The first request loads the JWKS.
    let before = jwks_fetches(f, client).await;
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(jwks_fetches(f, client).await, before + 1);

    // Within the interval, a flood of unknown kids fetches nothing more.
    for i in 0..50 {
        let forged = with_header(&f.alice.token, &header(&format!("random-kid-{i}")));
        let response = tasks(addr, &f.alice.id, &forged).await;
        assert_eq!(response.status, 401);
        assert!(invalid_description(&response).contains("signing key is unknown"));
    }
    assert_eq!(jwks_fetches(f, client).await, before + 1, "rate-limited");

    // A token without kid is refused in JWKS mode; HS256 tokens are refused without a secret.
    let no_kid = with_header(&f.alice.token, r#"{"alg":"EdDSA"}"#);
    assert_eq!(tasks(addr, &f.alice.id, &no_kid).await.status, 401);
    let response = tasks(addr, &f.carol.id, &f.carol.token).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("algorithm is not accepted"));
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(jwks_fetches(f, client).await, before + 1);
}

#[tokio::test]
async fn after_the_interval_an_unknown_kid_refetches_once() {
    let f = fixture();
    let client = "interval-test";
    let service = counted_service(f, client, "1");
    let addr = service.addr;
    let forged = with_header(&f.alice.token, r#"{"alg":"EdDSA","kid":"rotated-away"}"#);

    let before = jwks_fetches(f, client).await;
    assert_eq!(tasks(addr, &f.alice.id, &f.alice.token).await.status, 200);
    assert_eq!(jwks_fetches(f, client).await, before + 1);
    // Poll (bounded, not a fixed delay): each request with an unknown kid is refused, and
    // causes at most one refetch, which happens once the 1 s interval has passed.
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let response = tasks(addr, &f.alice.id, &forged).await;
        assert_eq!(response.status, 401);
        let fetches = jwks_fetches(f, client).await;
        if fetches > before + 1 {
            assert_eq!(fetches, before + 2, "one request, one refetch");
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no refetch within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn jwks_down_answers_503_and_hs256_keeps_working() {
    let f = fixture();
    // A loopback port with nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let dead = format!("http://{}", closed.local_addr().expect("addr"));
    drop(closed);
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &f.origin),
            (JWKS_URL_VAR, &format!("{dead}/api/auth/jwks")),
            (SECRET_VAR, SECRET),
        ],
    );
    let addr = service.addr;
    let response = tasks(addr, &f.alice.id, &f.alice.token).await;
    assert_eq!(response.status, 503, "{}", response.body);
    assert_eq!(
        response.detail(),
        "Authentication is temporarily unavailable"
    );
    assert_eq!(tasks(addr, &f.carol.id, &f.carol.token).await.status, 200);
    assert!(
        service.log().contains("cannot fetch the JWKS"),
        "{}",
        service.log()
    );
}

#[tokio::test]
async fn issuer_and_audience_are_the_better_auth_origin() {
    let f = fixture();
    // The same JWKS, but a service that expects another origin: the tokens are refused.
    let port = f.origin.rsplit(':').next().expect("port");
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &format!("http://localhost:{port}")),
            (JWKS_URL_VAR, &f.jwks_url),
        ],
    );
    let response = tasks(service.addr, &f.alice.id, &f.alice.token).await;
    assert_eq!(response.status, 401);
    assert!(invalid_description(&response).contains("issuer is not accepted"));

    // A path or trailing slash in BETTER_AUTH_URL does not change the expected origin.
    let service = Service::start(&[], &[(BETTER_AUTH_URL_VAR, &format!("{}/", f.origin))]);
    assert_eq!(
        tasks(service.addr, &f.alice.id, &f.alice.token)
            .await
            .status,
        200
    );
}

/// Who an admin plugin user is, as the tasks example must see them: `root` (made admin in the
/// database) and `multi` (given ["user", "admin"] through POST /admin/set-role, stored
/// "user,admin") are admins; `list` is an admin through the app's definePayload (an array);
/// every other role (the default "user", a number, none, and the near misses "Admin",
/// "admin " and "administrator") is not.
fn is_admin(name: &str) -> bool {
    matches!(name, "root" | "multi" | "list")
}

/// Every rule of the tasks example's roles, for each user of a fixture: the admin route, an
/// admin reading another user's tasks, and a write to another user's path (owner-only).
async fn check_roles(addr: SocketAddr, roles: &RoleFixture, expected_users: &[&str]) {
    assert_eq!(
        roles.users.keys().map(String::as_str).collect::<Vec<_>>(),
        expected_users
    );
    let plain = &roles.users["plain"];
    for (name, user) in &roles.users {
        // The role claim as Better Auth wrote it: the cases this test is about.
        let claims = common::jws_segment(&user.token, 1);
        let expected_role = match name.as_str() {
            "root" => serde_json::json!("admin"),
            "multi" => serde_json::json!("user,admin"),
            "plain" => serde_json::json!("user"),
            "list" => serde_json::json!(["user", "admin"]),
            "number" => serde_json::json!(1),
            "missing" => serde_json::Value::Null,
            "upper" => serde_json::json!("Admin"),
            "spaced" => serde_json::json!("admin "),
            "longer" => serde_json::json!("administrator"),
            other => panic!("unexpected user {other}"),
        };
        assert_eq!(claims["role"], expected_role, "{name}");
        let admin = is_admin(name);
        let users = fetch("/api/admin/users")
            .bearer(&user.token)
            .send(addr)
            .await;
        assert_eq!(
            users.status,
            if admin { 200 } else { 403 },
            "{name}: {}",
            users.body
        );
        if !admin {
            assert_eq!(
                users.header("www-authenticate"),
                Some(r#"Bearer error="insufficient_scope""#),
                "{name}"
            );
        }
        let read = tasks(addr, &plain.id, &user.token).await;
        let owner = user.id == plain.id;
        assert_eq!(
            read.status,
            if admin || owner { 200 } else { 403 },
            "{name} reads plain's tasks"
        );
        let own = tasks(addr, &user.id, &user.token).await;
        assert_eq!(own.status, 200, "{name} reads their own tasks");
        if !owner {
            let write = common::request("POST", &format!("/api/{}/tasks", plain.id))
                .bearer(&user.token)
                .json(r#"{"title":"not yours"}"#)
                .send(addr)
                .await;
            assert_eq!(write.status, 403, "{name} writes to plain's tasks");
        }
    }
}

#[tokio::test]
async fn admin_plugin_roles_in_jwks_mode() {
    let f = fixture();
    let service = Service::start(
        &[],
        &[
            (BETTER_AUTH_URL_VAR, &f.origin),
            (JWKS_URL_VAR, &f.roles.jwks_url),
        ],
    );
    check_roles(
        service.addr,
        &f.roles,
        &["longer", "multi", "plain", "root", "spaced", "upper"],
    )
    .await;
}

#[tokio::test]
async fn admin_plugin_roles_through_the_hs256_sign_hook() {
    let f = fixture();
    let service = Service::with_secret();
    check_roles(
        service.addr,
        &f.hs256_roles,
        &[
            "list", "longer", "missing", "multi", "number", "plain", "root", "spaced", "upper",
        ],
    )
    .await;
}

/// A member of the organisation in the path, by the token's activeOrganizationId.
#[auth_runtime::authorized(path_param = "org_id", claim = "activeOrganizationId")]
async fn org_invoices(axum::extract::Path(org_id): axum::extract::Path<String>) -> String {
    format!("invoices of {org_id}")
}

#[tokio::test]
async fn organization_plugin_tokens_open_their_active_organization_only() {
    let f = fixture();
    let auth = auth_runtime::Auth::builder()
        .jwks(auth_runtime::Jwks::better_auth(&f.origin).jwks_url(&f.orgs.jwks_url))
        .build()
        .expect("valid configuration");
    let app = axum::Router::new()
        .route(
            auth_runtime::route_path!("/orgs/{org_id}/invoices", org_invoices),
            axum::routing::get(org_invoices),
        )
        .layer(auth.layer());
    let addr = common::serve(app).await;
    let members = &f.orgs.members;
    assert_eq!(
        members.keys().map(String::as_str).collect::<Vec<_>>(),
        ["acme-owner", "globex-owner", "loner"]
    );
    let orgs: Vec<&str> = members.values().filter_map(|m| m.org.as_deref()).collect();
    assert_eq!(orgs.len(), 2, "two organisations");
    for (name, member) in members {
        for org in &orgs {
            let response = fetch(&format!("/orgs/{org}/invoices"))
                .bearer(&member.token)
                .send(addr)
                .await;
            let own = member.org.as_deref() == Some(*org);
            assert_eq!(
                response.status,
                if own { 200 } else { 403 },
                "{name} on {org}: {}",
                response.body
            );
            if own {
                assert_eq!(response.body, format!("invoices of {org}"));
            }
        }
    }
    let response = fetch(&format!("/orgs/{}/invoices", orgs[0]))
        .send(addr)
        .await;
    assert_eq!(response.status, 401);
}
