//! `#[authorized(role = …)]`, `or_role` and `claim` through a real `axum::Router` over loopback
//! HTTP: which tokens each form admits, how every shape of role claim reads (a string, a
//! comma-separated string, an array, missing, a number, near misses), the per-source role
//! claim name, and that 401 comes before 403 and both before any other extractor and the body.

use test_support as common;

use auth_runtime::testing::{self, TEST_SECRET, token_for};
use auth_runtime::{Auth, Hs256, authorized, route_path};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use common::{fetch, request, serve};
use serde_json::{Value, json};

/// Admins only, whatever the path; a body extractor that must never run for a refusal.
#[authorized(role = "admin")]
async fn admin_users() -> &'static str {
    "every user"
}

#[authorized(role = "admin")]
async fn admin_import(Json(body): Json<Value>) -> String {
    format!("imported {}", body["users"])
}

#[authorized(role = ["admin", "support"])]
async fn support_queue() -> &'static str {
    "the queue"
}

/// The owner or an admin may read; only the owner may write.
#[authorized(path_param = "user_id", or_role = "admin")]
async fn read_tasks(Path(user_id): Path<String>) -> String {
    format!("tasks of {user_id}")
}

#[authorized(path_param = "user_id")]
async fn write_task(Path(user_id): Path<String>, Json(task): Json<Value>) -> String {
    format!("{user_id} wrote {}", task["title"])
}

/// A member of the organisation in the path.
#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
async fn invoices(Path((org_id, year)): Path<(String, u16)>) -> String {
    format!("invoices of {org_id} in {year}")
}

/// A member (the claim is a list the app adds), or support staff.
#[authorized(path_param = "org_id", claim = "orgIds", or_role = "support")]
async fn members(Path(org_id): Path<String>) -> String {
    format!("members of {org_id}")
}

fn app(auth: &Auth) -> Router {
    Router::new()
        .route(
            route_path!("/api/admin/users", admin_users),
            get(admin_users).post(admin_import),
        )
        .route("/support", get(support_queue))
        .route(
            route_path!("/api/{user_id}/tasks", read_tasks, write_task),
            get(read_tasks).post(write_task),
        )
        .route(
            route_path!("/orgs/{org_id}/invoices/{year}", invoices),
            get(invoices),
        )
        .route(route_path!("/orgs/{org_id}/members", members), get(members))
        .layer(auth.layer())
}

async fn start() -> std::net::SocketAddr {
    serve(app(&testing::auth())).await
}

/// A token for `user` whose claim `name` is `value` (`None`: no such claim).
fn token_with(user: &str, name: &str, value: Option<Value>) -> String {
    let token = token_for(user);
    match value {
        Some(value) => token.claim(name, value),
        None => token,
    }
    .sign()
}

/// A token for `user` whose role claim is `role` (`None`: no role claim).
fn with_role(user: &str, role: Option<Value>) -> String {
    token_with(user, "role", role)
}

/// 403 for a missing role: `insufficient_scope` (RFC 6750 §3.1) and a `detail`.
fn assert_missing_role(response: &common::Response, case: &str) {
    assert_eq!(response.status, 403, "{case}: {}", response.body);
    assert_eq!(
        response.header("www-authenticate"),
        Some(r#"Bearer error="insufficient_scope""#),
        "{case}"
    );
    assert_eq!(
        response.detail(),
        "Not allowed without a role this route requires",
        "{case}"
    );
}

/// 403 from a path rule whose `or_role` the token does not meet: the path rule's own refusal
/// (`detail`), never `insufficient_scope` — the data is not the token's, and no role the client
/// could ask for is the reason.
fn assert_path_refusal(response: &common::Response, detail: &str, case: &str) {
    assert_eq!(response.status, 403, "{case}: {}", response.body);
    assert_eq!(response.header("www-authenticate"), None, "{case}");
    assert_eq!(response.detail(), detail, "{case}");
}

#[tokio::test]
async fn a_role_claim_that_names_admin_admits() {
    let addr = start().await;
    for (case, role) in [
        ("a string", json!("admin")),
        (
            "comma-separated, Better Auth's admin plugin",
            json!("user,admin"),
        ),
        ("comma-separated, admin first", json!("admin,user")),
        ("an empty role beside it", json!(",admin,")),
        ("an array", json!(["user", "admin"])),
        ("an array of one", json!(["admin"])),
    ] {
        let response = fetch("/api/admin/users")
            .bearer(&with_role("root", Some(role)))
            .send(addr)
            .await;
        assert_eq!(response.status, 200, "{case}: {}", response.body);
        assert_eq!(response.body, "every user");
    }
}

#[tokio::test]
async fn a_role_claim_without_admin_is_refused_with_insufficient_scope() {
    let addr = start().await;
    for (case, role) in [
        ("missing", None),
        ("another role", Some(json!("user"))),
        ("a number", Some(json!(42))),
        ("a boolean", Some(json!(true))),
        ("null", Some(json!(null))),
        ("an object", Some(json!({"admin": true}))),
        ("an array holding a number", Some(json!(["admin", 1]))),
        ("an array of arrays", Some(json!([["admin"]]))),
        ("an empty string", Some(json!(""))),
        ("only commas", Some(json!(",,"))),
        ("another case", Some(json!("Admin"))),
        ("a trailing space", Some(json!("admin "))),
        ("a leading space", Some(json!(" admin"))),
        ("a space after the comma", Some(json!("user, admin"))),
        ("a longer role", Some(json!("administrator"))),
        ("a prefix", Some(json!("admi"))),
        ("split inside the name", Some(json!("adm,in"))),
        ("an array element is not split", Some(json!(["user,admin"]))),
    ] {
        let response = fetch("/api/admin/users")
            .bearer(&with_role("root", role))
            .send(addr)
            .await;
        assert_missing_role(&response, case);
    }
}

/// A token of exactly this payload (with `{exp}` replaced by a valid expiry), for payloads a
/// JSON serializer would not write (a name given twice).
fn sign_payload(payload: &str) -> String {
    let exp = token_for("x").claims()["exp"].to_string();
    testing::sign_hs256_raw(
        br#"{"alg":"HS256","typ":"JWT"}"#,
        payload.replace("{exp}", &exp).as_bytes(),
        TEST_SECRET.as_bytes(),
    )
}

/// A token whose payload names a member twice is invalid (401), whichever member: roles
/// never admit from an ambiguous payload, and no route reads it.
fn assert_claim_given_twice(response: &common::Response, case: &str) {
    assert_eq!(response.status, 401, "{case}: {}", response.body);
    assert!(
        response
            .header("www-authenticate")
            .is_some_and(|v| v.starts_with(r#"Bearer error="invalid_token""#)),
        "{case}"
    );
}

#[tokio::test]
async fn a_role_claim_given_twice_makes_the_token_invalid() {
    let addr = start().await;
    for payload in [
        r#"{"uid":"root","exp":{exp},"role":"user","role":"admin"}"#,
        r#"{"uid":"root","exp":{exp},"role":"admin","r\u006fle":"admin"}"#,
    ] {
        let token = sign_payload(payload);
        for path in ["/api/admin/users", "/api/root/tasks"] {
            let response = fetch(path).bearer(&token).send(addr).await;
            assert_claim_given_twice(&response, payload);
        }
    }
}

#[tokio::test]
async fn a_list_of_roles_admits_any_of_them() {
    let addr = start().await;
    for (role, status) in [
        ("admin", 200),
        ("support", 200),
        ("user,support", 200),
        ("user", 403),
        ("supporter", 403),
    ] {
        let response = fetch("/support")
            .bearer(&with_role("staff", Some(json!(role))))
            .send(addr)
            .await;
        assert_eq!(response.status, status, "role {role}: {}", response.body);
    }
}

#[tokio::test]
async fn no_valid_token_is_401_before_any_role_check() {
    let addr = start().await;
    for target in [
        "/api/admin/users",
        "/support",
        "/api/alice/tasks",
        "/orgs/org_1/invoices/2026",
        "/orgs/org_1/members",
    ] {
        let response = fetch(target).send(addr).await;
        assert_eq!(response.status, 401, "{target}");
        assert_eq!(
            response.header("www-authenticate"),
            Some("Bearer"),
            "{target}"
        );
        let expired = token_for("root")
            .claim("role", "admin")
            .claim("activeOrganizationId", "org_1")
            .expired()
            .sign();
        let response = fetch(target).bearer(&expired).send(addr).await;
        assert_eq!(response.status, 401, "{target}: {}", response.body);
        assert_eq!(response.detail(), "The token has expired", "{target}");
    }
}

#[tokio::test]
async fn a_role_is_decided_before_the_body_is_read() {
    let addr = start().await;
    let not_json = "{ this is not json";
    let user = with_role("bob", Some(json!("user")));
    let response = request("POST", "/api/admin/users")
        .bearer(&user)
        .json(not_json)
        .send(addr)
        .await;
    assert_missing_role(&response, "a malformed body with a user's token");
    let response = request("POST", "/api/admin/users")
        .json(not_json)
        .send(addr)
        .await;
    assert_eq!(response.status, 401, "no token, a malformed body");
    let admin = with_role("root", Some(json!("admin")));
    let response = request("POST", "/api/admin/users")
        .bearer(&admin)
        .json(not_json)
        .send(addr)
        .await;
    assert_eq!(
        response.status, 400,
        "the admin reaches the handler's Json: {}",
        response.body
    );
    let response = request("POST", "/api/admin/users")
        .bearer(&admin)
        .json(r#"{"users": 3}"#)
        .send(addr)
        .await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, "imported 3")
    );
}

#[tokio::test]
async fn or_role_admits_the_owner_or_the_role() {
    let addr = start().await;
    let cases = [
        ("the owner without a role", with_role("alice", None), 200),
        (
            "the owner with another role",
            with_role("alice", Some(json!("user"))),
            200,
        ),
        ("an admin", with_role("root", Some(json!("admin"))), 200),
        (
            "an admin among roles",
            with_role("root", Some(json!(["user", "admin"]))),
            200,
        ),
        ("another user", with_role("bob", Some(json!("user"))), 403),
        (
            "another user, near miss",
            with_role("bob", Some(json!("Admin"))),
            403,
        ),
        ("another user, no role claim", with_role("bob", None), 403),
    ];
    for (case, token, status) in cases {
        let response = fetch("/api/alice/tasks").bearer(&token).send(addr).await;
        assert_eq!(response.status, status, "{case}: {}", response.body);
        if status == 200 {
            assert_eq!(response.body, "tasks of alice");
        } else {
            assert_path_refusal(
                &response,
                "Not allowed to access another user's resources",
                case,
            );
        }
    }
}

#[tokio::test]
async fn writes_stay_owner_only_for_an_admin() {
    let addr = start().await;
    let admin = with_role("root", Some(json!("admin")));
    let response = request("POST", "/api/alice/tasks")
        .bearer(&admin)
        .json("{ not json")
        .send(addr)
        .await;
    assert_eq!(
        response.status, 403,
        "decided before the body: {}",
        response.body
    );
    assert_eq!(
        response.header("www-authenticate"),
        None,
        "an ownership refusal"
    );
    assert_eq!(
        response.detail(),
        "Not allowed to access another user's resources"
    );
    let owner = with_role("alice", None);
    let response = request("POST", "/api/alice/tasks")
        .bearer(&owner)
        .json(r#"{"title": "milk"}"#)
        .send(addr)
        .await;
    assert_eq!(
        (response.status, response.body.as_str()),
        (200, r#"alice wrote "milk""#)
    );
}

#[tokio::test]
async fn claim_admits_a_token_whose_claim_holds_the_path_value() {
    let addr = start().await;
    let member = |claim: Option<Value>| token_with("alice", "activeOrganizationId", claim);
    for (case, claim, status) in [
        ("equal", Some(json!("org_1")), 200),
        ("in an array", Some(json!(["org_2", "org_1"])), 200),
        ("another organisation", Some(json!("org_2")), 403),
        ("a longer id", Some(json!("org_10")), 403),
        ("another case", Some(json!("ORG_1")), 403),
        ("a trailing space", Some(json!("org_1 ")), 403),
        (
            "comma-separated (not split)",
            Some(json!("org_2,org_1")),
            403,
        ),
        ("missing", None, 403),
        ("a number", Some(json!(1)), 403),
        ("an array holding a number", Some(json!(["org_1", 1])), 403),
        ("an object", Some(json!({"id": "org_1"})), 403),
    ] {
        let response = fetch("/orgs/org_1/invoices/2026")
            .bearer(&member(claim))
            .send(addr)
            .await;
        assert_eq!(response.status, status, "{case}: {}", response.body);
        if status == 200 {
            assert_eq!(response.body, "invoices of org_1 in 2026");
        } else {
            assert_eq!(response.header("www-authenticate"), None, "{case}");
            assert_eq!(
                response.detail(),
                "Not allowed to access this resource",
                "{case}"
            );
        }
    }
    // The user id is not what `claim` compares.
    let response = fetch("/orgs/alice/invoices/2026")
        .bearer(&member(None))
        .send(addr)
        .await;
    assert_eq!(response.status, 403);
    // The path must still deserialize into the handler's `Path`.
    let response = fetch("/orgs/org_1/invoices/last")
        .bearer(&member(Some(json!("org_1"))))
        .send(addr)
        .await;
    assert_eq!(response.status, 400, "{}", response.body);
}

#[tokio::test]
async fn a_claim_given_twice_makes_the_token_invalid() {
    let addr = start().await;
    let token = sign_payload(
        r#"{"uid":"alice","exp":{exp},"activeOrganizationId":"org_2","activeOrganizationId":"org_1"}"#,
    );
    let response = fetch("/orgs/org_1/invoices/2026")
        .bearer(&token)
        .send(addr)
        .await;
    assert_claim_given_twice(&response, "activeOrganizationId twice");
}

#[tokio::test]
async fn a_blank_path_value_matches_no_claim() {
    let addr = start().await;
    for (path, claim) in [
        ("/orgs//invoices/2026", json!("")),
        ("/orgs/%20/invoices/2026", json!(" ")),
        ("/orgs/%20%09/invoices/2026", json!(" \t")),
        ("/orgs//invoices/2026", json!(["", "org_1"])),
    ] {
        let token = token_with("alice", "activeOrganizationId", Some(claim.clone()));
        let response = fetch(path).bearer(&token).send(addr).await;
        assert_eq!(
            response.status, 403,
            "{path} with {claim}: {}",
            response.body
        );
        assert_eq!(response.detail(), "Not allowed to access this resource");
    }
    // The same for the owner: a blank path never names a user.
    for (path, uid) in [("/api/%20/tasks", " "), ("/api//tasks", "")] {
        let token = token_for(uid).sign();
        let response = fetch(path).bearer(&token).send(addr).await;
        assert_eq!(
            response.status, 401,
            "{path}: a blank user id is an invalid token"
        );
    }
    let response = fetch("/api/%20/tasks")
        .bearer(&token_for("alice").sign())
        .send(addr)
        .await;
    assert_eq!(response.status, 403, "{}", response.body);
}

#[tokio::test]
async fn claim_and_or_role_combine() {
    let addr = start().await;
    for (case, token, status) in [
        (
            "a member",
            token_for("alice").claim("orgIds", json!(["org_1", "org_2"])),
            200,
        ),
        ("support", token_for("sam").claim("role", "support"), 200),
        (
            "neither",
            token_for("bob")
                .claim("orgIds", json!(["org_3"]))
                .claim("role", "user"),
            403,
        ),
    ] {
        let response = fetch("/orgs/org_2/members")
            .bearer(&token.sign())
            .send(addr)
            .await;
        assert_eq!(response.status, status, "{case}: {}", response.body);
        if status == 403 {
            assert_path_refusal(&response, "Not allowed to access this resource", case);
        }
    }
}

#[tokio::test]
async fn the_role_claim_is_named_per_key_source() {
    let auth = Auth::builder()
        .hs256(Hs256::secret(TEST_SECRET).role_claim("permissions"))
        .build()
        .expect("valid configuration");
    let addr = serve(app(&auth)).await;
    let renamed = token_for("root")
        .claim("permissions", json!(["admin"]))
        .sign();
    let response = fetch("/api/admin/users").bearer(&renamed).send(addr).await;
    assert_eq!(response.status, 200, "{}", response.body);
    let default_name = token_for("root").claim("role", "admin").sign();
    let response = fetch("/api/admin/users")
        .bearer(&default_name)
        .send(addr)
        .await;
    assert_missing_role(
        &response,
        "the default claim is not read once another is named",
    );
}
