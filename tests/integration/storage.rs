//! The example keeps its tasks in a database: the same HTTP scenarios against SQLite (a file of
//! the test's own) and against a real PostgreSQL server started by the test (see
//! `common/postgres.rs`; `.ci/run` installs Debian's package). Each scenario is a module with
//! a `sqlite` and a `postgres` test.

use test_support as common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;

use auth_runtime::env::SECRET_VAR;
use auth_runtime::testing::token_for;
use common::postgres::Postgres;
use common::service::{SECRET, Service, TempDir, refused_at_start_up};
use common::{Response, fetch, request};
use serde_json::{Value, json};

/// One database for one scenario.
enum Db {
    Sqlite(TempDir),
    Postgres(Postgres),
}

impl Db {
    fn sqlite() -> Db {
        Db::Sqlite(TempDir::new("storage"))
    }

    /// A fresh server with an empty `tasks` database; `None` when PostgreSQL is missing and
    /// this is not CI (the harness has said so).
    async fn postgres() -> Option<Db> {
        let server = Postgres::start()?;
        server.create_database("tasks").await;
        Some(Db::Postgres(server))
    }

    fn url(&self) -> String {
        match self {
            Db::Sqlite(dir) => dir.sqlite_url("tasks.db"),
            Db::Postgres(server) => server.url("tasks"),
        }
    }

    /// The example on this database; `env` adds to (or overrides) the secret and the URL.
    fn service(&self, env: &[(&str, &str)]) -> Service {
        let url = self.url();
        let mut all = vec![(SECRET_VAR, SECRET), ("DATABASE_URL", url.as_str())];
        all.extend_from_slice(env);
        Service::start(&[], &all)
    }
}

/// Defines `<scenario>::sqlite` and `<scenario>::postgres`.
macro_rules! on_both_databases {
    ($($scenario:ident),* $(,)?) => {$(
        mod $scenario {
            #[tokio::test]
            async fn sqlite() {
                super::$scenario(super::Db::sqlite()).await;
            }

            #[tokio::test]
            async fn postgres() {
                if let Some(db) = super::Db::postgres().await {
                    super::$scenario(db).await;
                }
            }
        }
    )*};
}

on_both_databases!(
    contract,
    survives_a_restart,
    concurrent_creates,
    outage_answers_503_then_recovers,
    several_instances_share_one_database,
    refusals_are_classified_by_the_backend_that_raised_them,
);

fn token(user: &str) -> String {
    token_for(user).secret(SECRET).sign()
}

fn admin() -> String {
    token_for("carol")
        .secret(SECRET)
        .claim(auth_runtime::limits::DEFAULT_ROLE_CLAIM, "admin")
        .sign()
}

async fn create(addr: SocketAddr, user: &str, body: &str) -> Value {
    let response = request("POST", &format!("/api/{user}/tasks"))
        .bearer(&token(user))
        .json(body)
        .send(addr)
        .await;
    assert_eq!(response.status, 201, "{}", response.body);
    response.json()
}

async fn list(addr: SocketAddr, user: &str) -> Vec<Value> {
    let response = fetch(&format!("/api/{user}/tasks"))
        .bearer(&token(user))
        .send(addr)
        .await;
    assert_eq!(response.status, 200, "{}", response.body);
    match response.json() {
        Value::Array(tasks) => tasks,
        other => panic!("not a list: {other}"),
    }
}

async fn users(addr: SocketAddr) -> Value {
    let response = fetch("/api/admin/users").bearer(&admin()).send(addr).await;
    assert_eq!(response.status, 200, "{}", response.body);
    response.json()
}

fn id_of(task: &Value) -> i64 {
    task["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("numeric id in {task}"))
}

/// Another process's write lock on the SQLite file, held until `ROLLBACK` on the connection.
async fn sqlite_write_lock(url: &str) -> sqlx::sqlite::SqliteConnection {
    use sqlx::Connection;
    let mut holder = sqlx::sqlite::SqliteConnection::connect(url)
        .await
        .expect("open the file");
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut holder)
        .await
        .expect("take the write lock");
    holder
}

fn assert_unavailable(response: &Response) {
    assert_eq!(
        (response.status, response.detail().as_str()),
        (503, "Database unavailable"),
        "{}",
        response.body
    );
    assert_eq!(response.header("retry-after"), Some("5"), "a 503 says when");
}

/// The API contract of the README, answered from the database: shapes, limits, 404s, and no
/// task reachable through another owner's path.
async fn contract(db: Db) {
    let service = db.service(&[]);
    let addr = service.addr;
    let alice = token("alice");

    let first = create(
        addr,
        "alice",
        r#"{"title": "Write docs", "description": "README first"}"#,
    )
    .await;
    assert_eq!(first["title"], "Write docs");
    assert_eq!(first["description"], "README first");
    assert_eq!(first["completed"], false);
    assert_eq!(first["created_at"], first["updated_at"]);
    let stamp = first["created_at"].as_str().expect("created_at");
    assert!(stamp.len() == 20 && stamp.ends_with('Z') && stamp.as_bytes()[10] == b'T');
    let bobs = create(addr, "bob", r#"{"title": "Bob's"}"#).await;
    assert_eq!(bobs["description"], Value::Null);

    assert_eq!(list(addr, "alice").await, vec![first.clone()]);
    let path = format!("/api/alice/tasks/{}", id_of(&first));
    let got = fetch(&path).bearer(&alice).send(addr).await;
    assert_eq!((got.status, got.json()), (200, first.clone()));

    // Bob's task id under alice's path names nothing, whatever the method: the owner is part
    // of every query.
    let bobs_under_alice = format!("/api/alice/tasks/{}", id_of(&bobs));
    for (method, target, body) in [
        ("GET", bobs_under_alice.clone(), None),
        (
            "PUT",
            bobs_under_alice.clone(),
            Some(r#"{"title":"taken"}"#),
        ),
        ("PATCH", format!("{bobs_under_alice}/complete"), None),
        ("DELETE", bobs_under_alice.clone(), None),
    ] {
        let mut req = request(method, &target).bearer(&alice);
        if let Some(body) = body {
            req = req.json(body);
        }
        let response = req.send(addr).await;
        assert_eq!(
            (response.status, response.detail().as_str()),
            (404, "Task not found"),
            "{method} {target}"
        );
    }
    assert_eq!(
        list(addr, "bob").await,
        vec![bobs.clone()],
        "bob's task untouched"
    );

    let updated = request("PUT", &path)
        .bearer(&alice)
        .json(r#"{"title": "  Write better docs  "}"#)
        .send(addr)
        .await;
    assert_eq!(updated.status, 200, "{}", updated.body);
    let updated = updated.json();
    assert_eq!(updated["title"], "Write better docs");
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["created_at"], first["created_at"]);
    assert!(updated["updated_at"].as_str() >= first["updated_at"].as_str());

    let completed = request("PATCH", &format!("{path}/complete"))
        .bearer(&alice)
        .send(addr)
        .await;
    assert_eq!(completed.status, 200, "{}", completed.body);
    assert_eq!(completed.json()["completed"], true);

    // The longest title and description, in characters (not bytes), round-trip exactly.
    let title = "✓".repeat(200);
    let description = "ü".repeat(2000);
    let long = create(
        addr,
        "alice",
        &json!({ "title": title, "description": description }).to_string(),
    )
    .await;
    assert_eq!(
        (long["title"].as_str(), long["description"].as_str()),
        (Some(&*title), Some(&*description))
    );
    let too_long = request("POST", "/api/alice/tasks")
        .bearer(&alice)
        .json(&json!({ "title": "x".repeat(201) }).to_string())
        .send(addr)
        .await;
    assert_eq!(too_long.status, 422);

    for id in ["abc", "-1", "0", "99999999999999999999", "1.0"] {
        let response = fetch(&format!("/api/alice/tasks/{id}"))
            .bearer(&alice)
            .send(addr)
            .await;
        assert_eq!(response.status, 404, "id {id}");
    }

    assert_eq!(
        users(addr).await,
        json!([{"user_id": "alice", "tasks": 2}, {"user_id": "bob", "tasks": 1}])
    );

    let deleted = request("DELETE", &path).bearer(&alice).send(addr).await;
    assert_eq!((deleted.status, deleted.body.as_str()), (204, ""));
    assert_eq!(fetch(&path).bearer(&alice).send(addr).await.status, 404);
    assert_eq!(
        request("DELETE", &path)
            .bearer(&alice)
            .send(addr)
            .await
            .status,
        404
    );
    // Ids are the database's and never handed out twice, even after a delete.
    let later = create(addr, "alice", r#"{"title": "later"}"#).await;
    assert!(id_of(&later) > id_of(&long) && id_of(&long) > id_of(&first));
    assert_eq!(
        users(addr).await,
        json!([{"user_id": "alice", "tasks": 2}, {"user_id": "bob", "tasks": 1}])
    );
}

/// Every task answered 201 is there after a restart: a graceful stop (SIGTERM) and a SIGKILL
/// right after a 201.
async fn survives_a_restart(db: Db) {
    let service = db.service(&[]);
    for n in 0..3 {
        create(
            service.addr,
            "alice",
            &format!(r#"{{"title": "alice {n}"}}"#),
        )
        .await;
    }
    for n in 0..2 {
        create(service.addr, "bob", &format!(r#"{{"title": "bob {n}"}}"#)).await;
    }
    let id = id_of(&list(service.addr, "alice").await[1]);
    let completed = request("PATCH", &format!("/api/alice/tasks/{id}/complete"))
        .bearer(&token("alice"))
        .send(service.addr)
        .await;
    assert_eq!(completed.status, 200);
    let alice_before = list(service.addr, "alice").await;
    let bob_before = list(service.addr, "bob").await;
    service.terminate();

    let service = db.service(&[]);
    assert_eq!(list(service.addr, "alice").await, alice_before);
    assert_eq!(list(service.addr, "bob").await, bob_before);
    let last = create(
        service.addr,
        "alice",
        r#"{"title": "answered, then killed"}"#,
    )
    .await;
    drop(service); // SIGKILL, at once

    let service = db.service(&[]);
    let alice_after = list(service.addr, "alice").await;
    assert_eq!(alice_after[..3], alice_before[..]);
    assert_eq!(alice_after[3], last);
    let next = create(service.addr, "bob", r#"{"title": "after"}"#).await;
    assert!(id_of(&next) > id_of(&last));
}

/// 200 creates at once from five users: each stored once, each user sees exactly their own.
async fn concurrent_creates(db: Db) {
    // The bound is generous: this test is about what is stored, not how fast.
    let service = db.service(&[("DATABASE_TIMEOUT_MS", "120000")]);
    let addr = service.addr;
    let users_: Vec<String> = (0..5).map(|n| format!("user-{n}")).collect();
    let mut creates = tokio::task::JoinSet::new();
    for n in 0..200 {
        let user = users_[n % 5].clone();
        creates.spawn(async move {
            let task = create(addr, &user, &format!(r#"{{"title": "task {n}"}}"#)).await;
            (user, n, task)
        });
    }
    let mut created: BTreeMap<String, BTreeMap<i64, String>> = BTreeMap::new();
    while let Some(result) = creates.join_next().await {
        let (user, n, task) = result.expect("a create");
        assert_eq!(task["title"], format!("task {n}"));
        created
            .entry(user)
            .or_default()
            .insert(id_of(&task), format!("task {n}"));
    }
    let ids: BTreeSet<i64> = created
        .values()
        .flat_map(|own| own.keys().copied())
        .collect();
    assert_eq!(ids.len(), 200, "every id handed out once");
    for user in &users_ {
        let listed: BTreeMap<i64, String> = list(addr, user)
            .await
            .iter()
            .map(|task| {
                (
                    id_of(task),
                    task["title"].as_str().unwrap_or_default().to_owned(),
                )
            })
            .collect();
        assert_eq!(listed, created[user], "{user} sees exactly their own 40");
    }
    let expected: Vec<Value> = users_
        .iter()
        .map(|user| json!({"user_id": user, "tasks": 40}))
        .collect();
    assert_eq!(users(addr).await, Value::Array(expected));
}

/// A database that goes away is a 503 with a `{"detail"}` body (never a panic, never someone
/// else's data), and the service answers again once it is back. PostgreSQL: the server is
/// stopped and started. SQLite has no server to stop: another process holds the write lock.
async fn outage_answers_503_then_recovers(mut db: Db) {
    let service = db.service(&[("DATABASE_TIMEOUT_MS", "1000")]);
    let addr = service.addr;
    let kept = create(addr, "alice", r#"{"title": "kept"}"#).await;
    let alice = token("alice");
    let write = || {
        request("POST", "/api/alice/tasks")
            .bearer(&alice)
            .json(r#"{"title": "during the outage"}"#)
            .send(addr)
    };
    let read = || fetch("/api/alice/tasks").bearer(&alice).send(addr);

    match &mut db {
        Db::Postgres(server) => {
            server.stop();
            assert_unavailable(&read().await);
            assert_unavailable(&write().await);
            let admin_list = fetch("/api/admin/users").bearer(&admin()).send(addr).await;
            assert_unavailable(&admin_list);
            // Refusals do not need the database, and still come first.
            let bob = fetch("/api/alice/tasks")
                .bearer(&token("bob"))
                .send(addr)
                .await;
            assert_eq!(bob.status, 403);
            server.restart();
        }
        Db::Sqlite(_) => {
            let mut holder = sqlite_write_lock(&db.url()).await;
            assert_unavailable(&write().await);
            // Write-ahead logging: reads go on while another process writes.
            let during = read().await;
            assert_eq!((during.status, during.json()), (200, json!([kept.clone()])));
            sqlx::query("ROLLBACK")
                .execute(&mut holder)
                .await
                .expect("release the lock");
        }
    }

    let mut service = service;
    assert!(service.is_running(), "{}", service.log());
    let after = read().await;
    assert_eq!((after.status, after.json()), (200, json!([kept])));
    assert_eq!(write().await.status, 201);
    assert_eq!(list(addr, "alice").await.len(), 2);
    let log = service.log();
    assert!(log.contains("status=503"), "{log}");
    assert!(!log.contains("panicked"), "{log}");
}

/// Each class of database error answers as documented, read by the backend that raised it
/// (a PostgreSQL SQLSTATE such as 22021 once read as a SQLite code, and said "unavailable"):
/// data the request carries that no database may hold is 422 before any query; what
/// PostgreSQL itself refuses is 422 too; a lock held past the statement timeout is 503 with
/// `Retry-After`, and the service goes on.
async fn refusals_are_classified_by_the_backend_that_raised_them(db: Db) {
    let service = db.service(&[("DATABASE_TIMEOUT_MS", "1000")]);
    let addr = service.addr;
    let alice = token("alice");
    for (body, detail) in [
        (
            r#"{"title": "a\u0000b"}"#,
            "title must not contain NUL characters (\\u0000)",
        ),
        (
            r#"{"title": "ok", "description": "x\u0000"}"#,
            "description must not contain NUL characters (\\u0000)",
        ),
    ] {
        let refused = request("POST", "/api/alice/tasks")
            .bearer(&alice)
            .json(body)
            .send(addr)
            .await;
        assert_eq!(
            (refused.status, refused.detail().as_str()),
            (422, detail),
            "{body}"
        );
    }
    // A NUL in a path an admin reads reaches the query: SQLite stores and finds nothing,
    // PostgreSQL's text refuses it (SQLSTATE 22021), which is the request's fault, not an
    // outage.
    let odd = fetch("/api/a%00b/tasks").bearer(&admin()).send(addr).await;
    match &db {
        Db::Sqlite(_) => assert_eq!((odd.status, odd.json()), (200, json!([]))),
        Db::Postgres(_) => {
            assert_eq!(odd.status, 422, "{}", odd.body);
            assert!(odd.detail().contains("NUL"), "{}", odd.body);
        }
    }
    let kept = create(addr, "alice", r#"{"title": "kept"}"#).await;

    // A lock held longer than the timeout: the database gives up (PostgreSQL 57014, SQLite
    // busy), answered 503 with Retry-After.
    match &db {
        Db::Postgres(server) => {
            use sqlx::{Connection, Executor};
            let mut holder = sqlx::postgres::PgConnection::connect(&server.url("tasks"))
                .await
                .expect("connect");
            holder.execute("BEGIN").await.expect("BEGIN");
            holder
                .execute("LOCK TABLE tasks IN ACCESS EXCLUSIVE MODE")
                .await
                .expect("lock the table");
            assert_unavailable(&fetch("/api/alice/tasks").bearer(&alice).send(addr).await);
            holder.execute("ROLLBACK").await.expect("ROLLBACK");
        }
        Db::Sqlite(_) => {
            let mut holder = sqlite_write_lock(&db.url()).await;
            let write = request("POST", "/api/alice/tasks")
                .bearer(&alice)
                .json(r#"{"title": "blocked"}"#)
                .send(addr)
                .await;
            assert_unavailable(&write);
            sqlx::query("ROLLBACK")
                .execute(&mut holder)
                .await
                .expect("release the lock");
        }
    }
    assert_eq!(list(addr, "alice").await, vec![kept]);
    let log = service.log();
    assert!(!log.contains("panicked"), "{log}");
    let unavailable = log.matches("database unavailable").count();
    assert_eq!(unavailable, 1, "one outage logged, not the 422s: {log}");
}

/// Two instances started at once on one database (both apply the migrations, one does the
/// work): a task created through one is read, changed and deleted through the other.
async fn several_instances_share_one_database(db: Db) {
    let (first, second) = std::thread::scope(|scope| {
        let first = scope.spawn(|| db.service(&[]));
        let second = scope.spawn(|| db.service(&[]));
        (
            first.join().expect("first instance"),
            second.join().expect("second instance"),
        )
    });
    let task = create(first.addr, "alice", r#"{"title": "shared"}"#).await;
    assert_eq!(list(second.addr, "alice").await, vec![task.clone()]);
    let path = format!("/api/alice/tasks/{}/complete", id_of(&task));
    let completed = request("PATCH", &path)
        .bearer(&token("alice"))
        .send(second.addr)
        .await;
    assert_eq!(completed.status, 200);
    assert_eq!(list(first.addr, "alice").await[0]["completed"], true);
    assert_eq!(
        users(second.addr).await,
        json!([{"user_id": "alice", "tasks": 1}])
    );
}

#[test]
fn without_database_url_the_tasks_live_in_tasks_db_of_the_working_directory() {
    let dir = TempDir::new("cwd");
    let service = Service::start_in(dir.path(), &["--dev"], &[]);
    let file = dir.path().join("tasks.db");
    let said = format!("Tasks are kept in SQLite at {}", file.display());
    assert!(
        service.stdout.iter().any(|line| line.starts_with(&said)),
        "{:#?}",
        service.stdout
    );
    assert!(file.is_file());
}

#[test]
fn a_bad_database_setting_stops_the_service_naming_it() {
    let refused = |vars: &[(&str, &str)]| {
        let mut env = vec![(SECRET_VAR, SECRET)];
        env.extend_from_slice(vars);
        refused_at_start_up(&env)
    };
    for (url, why) in [
        ("mysql://tasks:hunter2pw@127.0.0.1/tasks", "the scheme"),
        ("postgres://tasks:hunter2pw@[::1/tasks", "invalid IPv6"),
        (
            "postgres://tasks:hunter2pw@127.0.0.1:99999/tasks",
            "invalid port",
        ),
        ("sqlite:", "path of the SQLite file is missing"),
        (
            "sqlite://tasks.db?journal=wal",
            "unknown query parameter `journal`",
        ),
        ("tasks.db", "the scheme"),
    ] {
        let stderr = refused(&[("DATABASE_URL", url)]);
        assert!(
            stderr.starts_with("error: DATABASE_URL is not a database URL") && stderr.contains(why),
            "{url}: {stderr}"
        );
        assert!(!stderr.contains("hunter2pw"), "{url}: {stderr}");
    }
    for (var, value) in [
        ("DATABASE_MAX_CONNECTIONS", "0"),
        ("DATABASE_MAX_CONNECTIONS", "ten"),
        ("DATABASE_TIMEOUT_MS", "-1"),
        ("DATABASE_TIMEOUT_MS", "5"),
    ] {
        let stderr = refused(&[(var, value)]);
        assert!(
            stderr.starts_with(&format!("error: {var} must be")),
            "{stderr}"
        );
    }
}

#[test]
fn an_unreachable_database_stops_the_service_without_its_password() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    // Nothing listens there once the listener above is dropped.
    for (url, shown) in [
        (
            format!("postgres://tasks:hunter2pw@127.0.0.1:{port}/tasks"),
            format!("(PostgreSQL at postgres://tasks:***@127.0.0.1:{port}/tasks)"),
        ),
        (
            format!("postgres://tasks@127.0.0.1:{port}/tasks?password=hunter2pw"),
            format!("(PostgreSQL at postgres://tasks@127.0.0.1:{port}/tasks)"),
        ),
    ] {
        let stderr = refused_at_start_up(&[
            (SECRET_VAR, SECRET),
            ("DATABASE_URL", &url),
            ("DATABASE_TIMEOUT_MS", "500"),
        ]);
        assert!(
            stderr.starts_with(&format!(
                "error: DATABASE_URL: cannot use the database {shown}: "
            )),
            "{stderr}"
        );
        assert!(!stderr.contains("hunter2pw"), "{stderr}");
    }
    let dir = TempDir::new("unwritable");
    let missing = format!("sqlite://{}/no/such/dir/tasks.db", dir.path().display());
    let stderr = refused_at_start_up(&[(SECRET_VAR, SECRET), ("DATABASE_URL", &missing)]);
    assert!(
        stderr.starts_with("error: DATABASE_URL: cannot use the database (SQLite at "),
        "{stderr}"
    );
}
