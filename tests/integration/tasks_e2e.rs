//! End-to-end tests of the tasks example: the real binary, started on a loopback port, driven
//! over HTTP.

use test_support as common;

use auth_runtime::env::{
    BETTER_AUTH_URL_VAR, JWKS_USER_ID_CLAIM_VAR, ROLE_CLAIM_VAR, SECRET_VAR,
    TOKEN_CACHE_CAPACITY_VAR, TOKEN_CACHE_MAX_BYTES_VAR, USER_ID_CLAIM_VAR,
};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};

use auth_runtime::testing::token_for;
use common::service::{Service, config_vars, mint, refused_at_start_up};
use common::{Response, fetch, request};
use serde_json::Value;

const SECRET: &str = common::service::SECRET;

fn token(user: &str) -> String {
    token_for(user).secret(SECRET).sign()
}

async fn health_ok(addr: SocketAddr) -> bool {
    fetch("/health").send(addr).await.status == 200
}

fn json_of(response: &Response) -> Value {
    response.json()
}

#[tokio::test]
async fn the_owner_uses_every_route() {
    let service = Service::with_secret();
    let addr = service.addr;
    assert!(health_ok(addr).await);
    let alice = token("alice");

    let created = request("POST", "/api/alice/tasks")
        .bearer(&alice)
        .json(r#"{"title": "Write docs", "description": "README first"}"#)
        .send(addr)
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let task = json_of(&created);
    let id = task["id"].as_u64().expect("numeric id");
    assert_eq!(task["title"], "Write docs");
    assert_eq!(task["description"], "README first");
    assert_eq!(task["completed"], false);
    for field in ["created_at", "updated_at"] {
        let stamp = task[field].as_str().expect("timestamp");
        assert!(
            stamp.len() == 20 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T',
            "{stamp}"
        );
    }

    let listed = fetch("/api/alice/tasks").bearer(&alice).send(addr).await;
    assert_eq!(listed.status, 200);
    assert_eq!(json_of(&listed).as_array().map(Vec::len), Some(1));

    let path = format!("/api/alice/tasks/{id}");
    let got = fetch(&path).bearer(&alice).send(addr).await;
    assert_eq!((got.status, json_of(&got)["id"].as_u64()), (200, Some(id)));

    let updated = request("PUT", &path)
        .bearer(&alice)
        .json(r#"{"title": "Write better docs"}"#)
        .send(addr)
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    assert_eq!(json_of(&updated)["title"], "Write better docs");
    assert_eq!(json_of(&updated)["description"], Value::Null);

    let completed = request("PATCH", &format!("{path}/complete"))
        .bearer(&alice)
        .send(addr)
        .await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(json_of(&completed)["completed"], true);

    let deleted = request("DELETE", &path).bearer(&alice).send(addr).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    let gone = fetch(&path).bearer(&alice).send(addr).await;
    assert_eq!(
        (gone.status, gone.detail().as_str()),
        (404, "Task not found")
    );

    let log = service.log();
    assert!(
        log.contains("status=201") && log.contains("path=/api/alice/tasks"),
        "{log}"
    );
    assert!(!log.contains(&alice), "the token never reaches the log");
}

/// Every protected route, with a body where it takes one.
fn routes(user: &str, id: u64) -> Vec<(&'static str, String, Option<&'static str>)> {
    vec![
        ("GET", format!("/api/{user}/tasks"), None),
        (
            "POST",
            format!("/api/{user}/tasks"),
            Some(r#"{"title":"x"}"#),
        ),
        ("GET", format!("/api/{user}/tasks/{id}"), None),
        (
            "PUT",
            format!("/api/{user}/tasks/{id}"),
            Some(r#"{"title":"y"}"#),
        ),
        ("PATCH", format!("/api/{user}/tasks/{id}/complete"), None),
        ("DELETE", format!("/api/{user}/tasks/{id}"), None),
    ]
}

#[tokio::test]
async fn every_route_refuses_other_users_and_bad_tokens() {
    let service = Service::with_secret();
    let addr = service.addr;
    let alice = token("alice");
    let bob = token("bob");
    let created = request("POST", "/api/alice/tasks")
        .bearer(&alice)
        .json(r#"{"title":"mine"}"#)
        .send(addr)
        .await;
    let id = json_of(&created)["id"].as_u64().expect("id");

    let bad_tokens = [
        token_for("alice")
            .secret("another-secret-0123456789-abcdefghijklmnop")
            .sign(),
        token_for("alice").secret(SECRET).expired().sign(),
        format!("{alice}x"),
        "garbage".to_owned(),
    ];
    for (method, path, body) in routes("alice", id) {
        let send = |token: Option<&str>| {
            let mut req = request(method, &path);
            if let Some(token) = token {
                req = req.bearer(token);
            }
            if let Some(body) = body {
                req = req.json(body);
            }
            req.send(addr)
        };
        let other = send(Some(&bob)).await;
        assert_eq!(other.status, 403, "{method} {path}: {}", other.body);
        let none = send(None).await;
        assert_eq!(none.status, 401, "{method} {path}");
        assert_eq!(none.header("www-authenticate"), Some("Bearer"));
        for bad in &bad_tokens {
            let refused = send(Some(bad)).await;
            assert_eq!(refused.status, 401, "{method} {path}");
            assert!(
                refused
                    .header("www-authenticate")
                    .unwrap_or_default()
                    .contains("invalid_token")
            );
            assert!(!refused.body.contains(bad.as_str()));
        }
    }
    // Nothing of alice's changed.
    let mine = fetch(&format!("/api/alice/tasks/{id}"))
        .bearer(&alice)
        .send(addr)
        .await;
    assert_eq!(
        (mine.status, json_of(&mine)["title"].as_str()),
        (200, Some("mine"))
    );
    let log = service.log();
    // One decision event per request, with its outcome, reason, algorithm and the rule.
    let refusal = log
        .lines()
        .find(|line| line.contains("authorization decision") && line.contains("not_owner"))
        .unwrap_or_else(|| panic!("no decision event for bob: {log}"));
    for field in ["outcome=\"forbidden\"", "alg=\"HS256\"", "rule=owner"] {
        assert!(refusal.contains(field), "{field} in {refusal}");
    }
    assert!(
        log.contains("bad_signature") && log.contains("expired"),
        "{log}"
    );
    assert!(!log.contains(&bob) && !log.contains(SECRET));
}

fn token_with_role(user: &str, role: Value) -> String {
    token_for(user).secret(SECRET).claim("role", role).sign()
}

#[tokio::test]
async fn admins_read_every_users_tasks_and_only_owners_write() {
    let service = Service::with_secret();
    let addr = service.addr;
    let mut ids = Vec::new();
    for (user, title) in [("alice", "one"), ("alice", "two"), ("bob", "three")] {
        let created = request("POST", &format!("/api/{user}/tasks"))
            .bearer(&token(user))
            .json(&format!(r#"{{"title":"{title}"}}"#))
            .send(addr)
            .await;
        assert_eq!(created.status, 201, "{}", created.body);
        ids.push(json_of(&created)["id"].as_u64().expect("id"));
    }
    let admin = token_with_role("carol", Value::from("user,admin"));

    // Reads: any user's, for an admin.
    let listed = fetch("/api/alice/tasks").bearer(&admin).send(addr).await;
    assert_eq!(listed.status, 200, "{}", listed.body);
    assert_eq!(json_of(&listed).as_array().map(Vec::len), Some(2));
    let got = fetch(&format!("/api/alice/tasks/{}", ids[0]))
        .bearer(&admin)
        .send(addr)
        .await;
    assert_eq!(
        (got.status, json_of(&got)["title"].as_str()),
        (200, Some("one"))
    );
    let nobody = fetch("/api/nobody/tasks").bearer(&admin).send(addr).await;
    assert_eq!((nobody.status, nobody.body.as_str()), (200, "[]"));

    // Writes: the owner's only, refused before the body is read.
    for (method, path, body) in routes("alice", ids[0]) {
        if method == "GET" {
            continue;
        }
        let mut req = request(method, &path).bearer(&admin);
        if let Some(body) = body {
            req = req.json(body);
        }
        let refused = req.send(addr).await;
        assert_eq!(refused.status, 403, "{method} {path}: {}", refused.body);
    }
    let unchanged = fetch("/api/alice/tasks")
        .bearer(&token("alice"))
        .send(addr)
        .await;
    assert_eq!(
        json_of(&unchanged),
        json_of(&listed),
        "nothing of alice's changed"
    );

    // The users with tasks, for admins only.
    let users = fetch("/api/admin/users").bearer(&admin).send(addr).await;
    assert_eq!(users.status, 200, "{}", users.body);
    assert_eq!(
        json_of(&users),
        serde_json::json!([{"user_id": "alice", "tasks": 2}, {"user_id": "bob", "tasks": 1}])
    );
    let refused = fetch("/api/admin/users")
        .bearer(&token("alice"))
        .send(addr)
        .await;
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.header("www-authenticate"),
        Some(r#"Bearer error="insufficient_scope""#)
    );
    assert!(refused.detail().contains("role"), "{}", refused.body);
    let anonymous = fetch("/api/admin/users").send(addr).await;
    assert_eq!(
        (anonymous.status, anonymous.header("www-authenticate")),
        (401, Some("Bearer"))
    );
}

#[tokio::test]
async fn only_a_role_claim_that_names_admin_makes_an_admin() {
    let service = Service::with_secret();
    let addr = service.addr;
    for (role, admitted) in [
        (serde_json::json!("admin"), true),
        (serde_json::json!("user,admin"), true),
        (serde_json::json!(["user", "admin"]), true),
        (serde_json::json!("Admin"), false),
        (serde_json::json!("admin "), false),
        (serde_json::json!("administrator"), false),
        (serde_json::json!("user, admin"), false),
        (serde_json::json!(1), false),
        (serde_json::json!({"admin": true}), false),
        (serde_json::json!(null), false),
    ] {
        let carol = token_with_role("carol", role.clone());
        let status = if admitted { 200 } else { 403 };
        for path in ["/api/admin/users", "/api/alice/tasks"] {
            let response = fetch(path).bearer(&carol).send(addr).await;
            assert_eq!(
                response.status, status,
                "role {role} on {path}: {}",
                response.body
            );
        }
    }
    let no_role = token("carol");
    for path in ["/api/admin/users", "/api/alice/tasks"] {
        assert_eq!(
            fetch(path).bearer(&no_role).send(addr).await.status,
            403,
            "{path}"
        );
    }
}

/// Runs the mint example with the service's secret.
fn run_mint(args: &[&str]) -> (bool, String, String) {
    let mut command = Command::new(mint());
    for var in config_vars() {
        command.env_remove(var);
    }
    let output = command
        .env(SECRET_VAR, SECRET)
        .args(args)
        .output()
        .expect("mint runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).trim().to_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[tokio::test]
async fn mint_gives_a_token_roles() {
    let service = Service::with_secret();
    let addr = service.addr;
    let (ok, admin, stderr) = run_mint(&["carol", "--role", "user", "--role", "admin"]);
    assert!(ok, "{stderr}");
    let claims = common::jws_segment(&admin, 1);
    assert_eq!(
        claims["role"], "user,admin",
        "Better Auth's comma-separated form"
    );
    let users = fetch("/api/admin/users").bearer(&admin).send(addr).await;
    assert_eq!(users.status, 200, "{}", users.body);
    let (ok, user, _) = run_mint(&["dave", "--role", "user"]);
    assert!(ok);
    assert_eq!(
        fetch("/api/admin/users")
            .bearer(&user)
            .send(addr)
            .await
            .status,
        403
    );
    for bad in ["user,admin", "", " admin"] {
        let (ok, stdout, stderr) = run_mint(&["carol", "--role", bad]);
        assert!(!ok && stdout.is_empty(), "--role {bad:?}");
        assert!(stderr.contains("--role takes one role"), "{stderr}");
    }
}

#[tokio::test]
async fn users_are_isolated_and_errors_are_clear() {
    let service = Service::with_secret();
    let addr = service.addr;
    let alice = token("alice");
    let bob = token("bob");
    let bobs = request("POST", "/api/bob/tasks")
        .bearer(&bob)
        .json(r#"{"title":"bob's"}"#)
        .send(addr)
        .await;
    let bobs_id = json_of(&bobs)["id"].as_u64().expect("id");

    // Another user's task id is simply not found under one's own path.
    for (method, path, body) in routes("alice", bobs_id).into_iter().skip(2) {
        let mut req = request(method, &path).bearer(&alice);
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send(addr).await;
        assert_eq!(response.status, 404, "{method} {path}");
        assert_eq!(response.detail(), "Task not found");
    }
    let listed = fetch("/api/alice/tasks").bearer(&alice).send(addr).await;
    assert_eq!(listed.body, "[]");

    let post = |body: &str| {
        request("POST", "/api/alice/tasks")
            .bearer(&alice)
            .json(body)
    };
    let cases = [
        (post("{not json").send(addr).await, 400),
        (post(r#"{"description":"no title"}"#).send(addr).await, 422),
        (post(r#"{"title":"   "}"#).send(addr).await, 422),
        (post(r#"{"title": 5}"#).send(addr).await, 422),
        (
            post(&format!(r#"{{"title":"{}"}}"#, "t".repeat(201)))
                .send(addr)
                .await,
            422,
        ),
        (
            post(&format!(
                r#"{{"title":"big","description":"{}"}}"#,
                "d".repeat(20_000)
            ))
            .send(addr)
            .await,
            413,
        ),
        (
            request("POST", "/api/alice/tasks")
                .bearer(&alice)
                .body(r#"{"title":"x"}"#)
                .send(addr)
                .await,
            415,
        ),
        (
            fetch("/api/alice/tasks/not-a-number")
                .bearer(&alice)
                .send(addr)
                .await,
            404,
        ),
        (
            fetch("/api/alice/tasks/999999")
                .bearer(&alice)
                .send(addr)
                .await,
            404,
        ),
        (fetch("/nowhere").send(addr).await, 404),
    ];
    for (i, (response, status)) in cases.iter().enumerate() {
        assert_eq!(response.status, *status, "case {i}: {}", response.body);
        assert!(!response.detail().is_empty(), "case {i}: a JSON detail");
    }
}

#[tokio::test]
async fn a_large_body_to_another_users_path_is_refused_unread() {
    let service = Service::with_secret();
    let bob = token("bob");
    // Announce 50 MB and send none of it: the 403 comes without waiting for the body.
    let response = request("POST", "/api/alice/tasks")
        .bearer(&bob)
        .header("Content-Type", "application/json")
        .header("Content-Length", "50000000")
        .send(service.addr)
        .await;
    // No timing involved: the body never comes, so an answer proves it was not awaited.
    assert_eq!(response.status, 403, "{}", response.body);
    let response = request("POST", "/api/alice/tasks")
        .header("Content-Type", "application/json")
        .header("Content-Length", "50000000")
        .send(service.addr)
        .await;
    assert_eq!(response.status, 401);
}

#[tokio::test]
async fn a_burst_of_mixed_requests_is_answered_correctly() {
    let service = Service::with_secret();
    let addr = service.addr;
    let users: Vec<String> = (0..8).map(|i| format!("user-{i}")).collect();
    let expired = token_for("user-0").secret(SECRET).expired().sign();
    let forged = token_for("user-0")
        .secret("forged-secret-0123456789-abcdefghijklmn")
        .sign();

    let mut cases = Vec::new();
    for i in 0..400usize {
        let user = &users[i % users.len()];
        let other = &users[(i + 1) % users.len()];
        let (path, token, expected) = match i % 5 {
            0 => (format!("/api/{user}/tasks"), Some(token(user)), 200),
            1 => (format!("/api/{other}/tasks"), Some(token(user)), 403),
            2 => (format!("/api/{user}/tasks"), Some(expired.clone()), 401),
            3 => (format!("/api/{user}/tasks"), Some(forged.clone()), 401),
            _ => (format!("/api/{user}/tasks"), None, 401),
        };
        cases.push((path, token, expected));
    }
    // 50 requests in flight at a time.
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(50));
    let mut handles = Vec::new();
    for (path, token, expected) in cases {
        let semaphore = semaphore.clone();
        handles.push(tokio::spawn(async move {
            let _permit = semaphore.acquire().await.expect("semaphore open");
            let mut req = fetch(&path);
            if let Some(token) = &token {
                req = req.bearer(token);
            }
            (req.send(addr).await.status, expected)
        }));
    }
    let mut tally = std::collections::BTreeMap::new();
    for handle in handles {
        let (status, expected) = handle.await.expect("task completes");
        assert_eq!(status, expected);
        *tally.entry(status).or_insert(0) += 1;
    }
    assert_eq!(
        tally,
        std::collections::BTreeMap::from([(200, 80), (401, 240), (403, 80)])
    );
    // The service itself logged one line per request: every answer came from it.
    let logged = service
        .log()
        .lines()
        .filter(|line| {
            line.contains(" request ") && line.contains(" path=") && line.contains(" status=")
        })
        .count();
    assert_eq!(logged, 400, "request lines in the service's log");
    assert!(health_ok(addr).await, "still serving");
}

#[test]
fn without_a_usable_secret_it_exits_at_once_naming_the_variable() {
    for secret in [None, Some(""), Some("too-short")] {
        let env: Vec<(&str, &str)> = secret.map(|s| (SECRET_VAR, s)).into_iter().collect();
        let stderr = refused_at_start_up(&env);
        assert!(stderr.contains(SECRET_VAR), "{stderr}");
        assert!(stderr.contains("openssl rand"), "{stderr}");
        if let Some(secret) = secret.filter(|s| !s.is_empty()) {
            assert!(!stderr.contains(secret), "the secret is not echoed");
        }
    }
}

#[test]
fn a_user_id_claim_that_is_the_role_claim_stops_the_service_naming_the_variable() {
    for (env, var) in [
        (
            vec![(SECRET_VAR, SECRET), (USER_ID_CLAIM_VAR, "role")],
            USER_ID_CLAIM_VAR,
        ),
        (
            vec![
                (BETTER_AUTH_URL_VAR, "http://127.0.0.1:1"),
                (JWKS_USER_ID_CLAIM_VAR, "role"),
            ],
            JWKS_USER_ID_CLAIM_VAR,
        ),
        (
            vec![
                (SECRET_VAR, SECRET),
                (USER_ID_CLAIM_VAR, "perms"),
                (ROLE_CLAIM_VAR, "perms"),
            ],
            ROLE_CLAIM_VAR,
        ),
    ] {
        let stderr = refused_at_start_up(&env);
        assert!(stderr.contains(var), "{env:?}: {stderr}");
        assert!(stderr.contains("must be different claims"), "{stderr}");
        assert!(!stderr.contains(SECRET), "the secret is not echoed");
    }
}

#[test]
fn the_old_entry_count_of_the_cache_stops_the_service_pointing_to_the_byte_bound() {
    let stderr = refused_at_start_up(&[(SECRET_VAR, SECRET), (TOKEN_CACHE_CAPACITY_VAR, "10000")]);
    assert!(stderr.contains(TOKEN_CACHE_CAPACITY_VAR), "{stderr}");
    assert!(stderr.contains(TOKEN_CACHE_MAX_BYTES_VAR), "{stderr}");
}

/// `--dev` signs an admin token with a throwaway secret: it refuses every setting it would
/// ignore, and anything that would put it beyond this machine.
#[test]
fn dev_mode_refuses_production_settings_naming_them() {
    for (var, value) in [
        (SECRET_VAR, SECRET),
        ("BETTER_AUTH_URL", "https://auth.example.com"),
        ("AUTH_RESOURCE", "https://api.example.com"),
        ("AUTH_JWKS_ISSUER", "https://auth.example.com"),
        ("BIND_ADDR", "0.0.0.0:0"),
        ("BIND_ADDR", "[::]:0"),
        ("METRICS_ADDR", "0.0.0.0:0"),
        ("DATABASE_URL", "postgres://tasks@db.example.com/tasks"),
        (
            "DATABASE_URL",
            "postgres://tasks@localhost/tasks?host=db.example.com",
        ),
    ] {
        let stderr = common::service::refused_at_start_up_with(&["--dev"], &[(var, value)]);
        assert!(stderr.contains(var), "{var}={value}: {stderr}");
        assert!(stderr.contains("--dev"), "{var}={value}: {stderr}");
        assert!(!stderr.contains(SECRET), "the secret is not echoed");
    }
}

/// Every configuration error comes before the service listens, as one line naming the
/// variable: no panic after "listening" (an `AUTH_RESOURCE` path with a brace used to).
#[test]
fn settings_a_router_or_a_scraper_cannot_use_stop_the_service_before_it_listens() {
    for (var, value) in [
        ("AUTH_RESOURCE", "http://127.0.0.1:8080/{tasks"),
        ("AUTH_RESOURCE", "http://127.0.0.1:8080/tasks}"),
        ("AUTH_RESOURCE", "http://127.0.0.1:8080/:v1"),
        ("METRICS_ADDR", "0.0.0.0:0"),
    ] {
        let stderr = refused_at_start_up(&[
            (SECRET_VAR, SECRET),
            ("BETTER_AUTH_URL", "http://127.0.0.1:9"),
            (var, value),
        ]);
        assert!(stderr.contains(var), "{var}={value}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}

#[tokio::test]
async fn dev_mode_prints_working_demo_commands() {
    let service = Service::start(&["--dev"], &[]);
    let export = |name: &str| {
        service
            .stdout
            .iter()
            .find_map(|line| line.trim().strip_prefix(&format!("export {name}='")))
            .and_then(|rest| rest.strip_suffix('\''))
            .unwrap_or_else(|| panic!("no {name} token in {:?}", service.stdout))
            .to_owned()
    };
    let (alice, bob, admin) = (export("ALICE"), export("BOB"), export("ADMIN"));
    assert!(service.stdout.iter().any(|line| line.contains("curl -i")));
    assert!(
        service
            .stdout
            .iter()
            .any(|line| line.contains("/admin/users")),
        "a curl line for the admin route"
    );
    let addr = service.addr;
    // The admin's rules, as the walkthrough describes them.
    for (method, path, token, status) in [
        ("GET", "/api/alice/tasks", &admin, 200),
        ("POST", "/api/alice/tasks", &admin, 403),
        ("GET", "/api/admin/users", &admin, 200),
        ("GET", "/api/admin/users", &bob, 403),
    ] {
        let response = request(method, path)
            .bearer(token)
            .json(r#"{"title":"Not hers"}"#)
            .send(addr)
            .await;
        assert_eq!(
            response.status, status,
            "{method} {path}: {}",
            response.body
        );
    }
    assert_eq!(
        fetch("/api/alice/tasks")
            .bearer(&alice)
            .send(addr)
            .await
            .status,
        200
    );
    assert_eq!(
        fetch("/api/alice/tasks")
            .bearer(&bob)
            .send(addr)
            .await
            .status,
        403
    );
    // The dev secret is random: a token signed with the e2e secret is refused.
    assert_eq!(
        fetch("/api/alice/tasks")
            .bearer(&token("alice"))
            .send(addr)
            .await
            .status,
        401
    );
}

#[cfg(unix)]
#[tokio::test]
async fn sigterm_shuts_down_gracefully() {
    let mut service = Service::with_secret();
    assert!(health_ok(service.addr).await);
    let pid = service.child.id().to_string();
    let killed = Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = service.child.try_wait().expect("wait") {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    assert!(service.log().contains("shut down"));
}

/// Resident memory of a process, in KiB.
#[cfg(target_os = "linux")]
fn rss_kib(pid: u32) -> u64 {
    common::rss_bytes(pid).expect("VmRSS") / 1024
}

/// A bounded load (loopback only, stops by itself) of mixed tokens: every answer is the
/// expected one, no 5xx, and resident memory does not grow from one round to the next.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn memory_stays_flat_under_mixed_load() {
    let service = Service::with_secret();
    let addr = service.addr;
    let pid = service.child.id();
    let valid = token("load-user");
    let other = token("someone-else");
    let expired = token_for("load-user").secret(SECRET).expired().sign();
    let forged = token_for("load-user")
        .secret("forged-secret-0123456789-abcdefghijklmn")
        .sign();
    let cases = [(valid, 200), (other, 403), (expired, 401), (forged, 401)];

    let round = |requests: usize| {
        let cases = cases.clone();
        async move {
            let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(32));
            let mut handles = Vec::with_capacity(requests);
            for i in 0..requests {
                let (token, expected) = cases[i % cases.len()].clone();
                let semaphore = semaphore.clone();
                handles.push(tokio::spawn(async move {
                    let _permit = semaphore.acquire().await.expect("open");
                    let status = fetch("/api/load-user/tasks")
                        .bearer(&token)
                        .send(addr)
                        .await
                        .status;
                    (status, expected)
                }));
            }
            for handle in handles {
                let (status, expected) = handle.await.expect("task");
                assert_eq!(status, expected);
            }
        }
    };
    round(1_000).await; // warm-up: allocator pools, connection buffers
    let before = rss_kib(pid);
    round(2_000).await;
    let after = rss_kib(pid);
    println!("resident memory: {before} KiB after warm-up, {after} KiB after 2000 more requests");
    assert!(
        after <= before + 8 * 1024,
        "resident memory grew from {before} KiB to {after} KiB over 2000 requests"
    );
    assert!(health_ok(addr).await);
}
