//! The task store: one table in SQLite (the default, a file beside the service) or PostgreSQL
//! (`DATABASE_URL=postgres://…`), through sqlx's `Any` driver so that both run the same
//! queries. Every query names the owner in its `WHERE` clause: a handler that asked for the
//! wrong task id still cannot read another user's row.

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions, AnyRow};
use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::{AnyConnection, AnyPool, ConnectOptions, Connection, Executor, Row, SqlSafeStr};
use url::Url;

/// Where the tasks are kept: `sqlite:PATH` or `postgres://USER[:PASSWORD]@HOST[:PORT]/DB`.
pub const DATABASE_URL_VAR: &str = "DATABASE_URL";
/// The most connections the service opens (default 10).
pub const MAX_CONNECTIONS_VAR: &str = "DATABASE_MAX_CONNECTIONS";
/// How long one request may wait for the database, in milliseconds (default 5000): for a
/// connection, and then for a lock or a statement (SQLite's `busy_timeout`, PostgreSQL's
/// `statement_timeout`). Past it the request is answered 503.
pub const TIMEOUT_MS_VAR: &str = "DATABASE_TIMEOUT_MS";

/// The SQLite file used when `DATABASE_URL` is unset, in the working directory.
pub const DEFAULT_SQLITE_FILE: &str = "tasks.db";
const DEFAULT_MAX_CONNECTIONS: u32 = 10;
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);

/// A task as the API returns it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Task {
    pub id: i64,
    pub title: String,
    pub description: Option<String>,
    pub completed: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// A task's editable fields, already validated.
pub struct TaskFields {
    pub title: String,
    pub description: Option<String>,
}

/// Why a query gave no answer.
#[derive(Debug)]
pub enum StoreError {
    /// The database cannot be reached, is shutting down, is locked or did not answer in time:
    /// answered 503, and the next request tries again.
    Unavailable,
    /// The database refused a value of the request (a character its encoding cannot hold, a
    /// number out of range, text too long): answered 422 with what is wrong. The API checks
    /// what it can before the query; this is what the database itself says.
    Rejected(&'static str),
    /// Anything else (a bug, a schema someone changed by hand): answered 500.
    Failed,
}

/// The database configuration read from the environment.
#[derive(Clone)]
pub struct StoreConfig {
    backend: Backend,
    /// The URL handed to sqlx (may hold a password: never printed).
    url: String,
    /// The same place, for people: a SQLite path, or a PostgreSQL URL without its password.
    location: String,
    max_connections: u32,
    timeout: Duration,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Backend {
    Sqlite,
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        })
    }
}

/// A configuration the service refuses to start with: one line, naming the variable.
#[derive(Debug)]
pub struct StartError(String);

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl StoreConfig {
    /// Reads `DATABASE_URL`, `DATABASE_MAX_CONNECTIONS` and `DATABASE_TIMEOUT_MS`.
    pub fn from_env() -> Result<StoreConfig, StartError> {
        let url = match std::env::var(DATABASE_URL_VAR) {
            Ok(url) => Some(url),
            Err(std::env::VarError::NotPresent) => None,
            Err(std::env::VarError::NotUnicode(_)) => {
                return Err(StartError(format!("{DATABASE_URL_VAR} is not UTF-8")));
            }
        };
        let max_connections =
            number_var(MAX_CONNECTIONS_VAR, 1, 1000)?.map_or(DEFAULT_MAX_CONNECTIONS, |n| n as u32);
        let timeout =
            number_var(TIMEOUT_MS_VAR, 10, 600_000)?.map_or(DEFAULT_TIMEOUT, Duration::from_millis);
        let (backend, url, location) = parse_url(url.as_deref())?;
        Ok(StoreConfig {
            backend,
            url,
            location,
            max_connections,
            timeout,
        })
    }

    /// Whether the database is on this machine: a SQLite file, or PostgreSQL on a loopback
    /// address, `localhost` or a Unix socket.
    pub fn is_local(&self) -> bool {
        match self.backend {
            Backend::Sqlite => true,
            Backend::Postgres => Url::parse(&self.url).is_ok_and(|url| {
                let local = |host: &str| {
                    let host = host.trim_start_matches('[').trim_end_matches(']');
                    host.starts_with('/')
                        || host.eq_ignore_ascii_case("localhost")
                        || host
                            .parse::<std::net::IpAddr>()
                            .is_ok_and(|ip| ip.is_loopback())
                };
                // `?host=` and `?hostaddr=` override the URL's host (a socket directory, or
                // another server).
                url.host_str()
                    .is_none_or(|host| host.is_empty() || local(host))
                    && url
                        .query_pairs()
                        .filter(|(key, _)| key == "host" || key == "hostaddr")
                        .all(|(_, host)| local(&host))
            }),
        }
    }

    /// "SQLite at /srv/tasks.db" or "PostgreSQL at postgres://tasks@db:5432/tasks".
    pub fn describe(&self) -> String {
        format!("{} at {}", self.backend, self.location)
    }
}

/// An optional whole number in `min..=max`, named in the error.
fn number_var(name: &str, min: u64, max: u64) -> Result<Option<u64>, StartError> {
    let Ok(value) = std::env::var(name) else {
        return Ok(None);
    };
    match value.trim().parse::<u64>() {
        Ok(n) if (min..=max).contains(&n) => Ok(Some(n)),
        _ => Err(StartError(format!(
            "{name} must be a whole number from {min} to {max}"
        ))),
    }
}

/// The backend, the URL for sqlx, and the place to show people.
fn parse_url(url: Option<&str>) -> Result<(Backend, String, String), StartError> {
    let malformed = |why: &dyn fmt::Display| {
        // The value itself is never repeated: it may hold a password.
        StartError(format!(
            "{DATABASE_URL_VAR} is not a database URL (sqlite:PATH or postgres://USER@HOST/DB): {why}"
        ))
    };
    let Some(url) = url else {
        let path = std::env::current_dir()
            .map(|dir| dir.join(DEFAULT_SQLITE_FILE))
            .unwrap_or_else(|_| PathBuf::from(DEFAULT_SQLITE_FILE));
        return Ok((
            Backend::Sqlite,
            sqlite_url(&path),
            path.display().to_string(),
        ));
    };
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let options =
            sqlx::sqlite::SqliteConnectOptions::from_str(url).map_err(|error| malformed(&error))?;
        if rest.trim_start_matches('/').is_empty() {
            return Err(malformed(&"the path of the SQLite file is missing"));
        }
        let mut url = url.to_owned();
        // A missing file is created (SQLite's `mode=rwc`) unless the URL says otherwise.
        let sets_mode = rest
            .split_once('?')
            .is_some_and(|(_, query)| query.split('&').any(|pair| pair.starts_with("mode=")));
        if !sets_mode {
            url.push_str(if rest.contains('?') { "&" } else { "?" });
            url.push_str("mode=rwc");
        }
        let location = options.get_filename().display().to_string();
        return Ok((Backend::Sqlite, url, location));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let parsed = Url::parse(url).map_err(|error| malformed(&error))?;
        sqlx::postgres::PgConnectOptions::from_url(&parsed).map_err(|error| malformed(&error))?;
        let mut shown = parsed;
        if shown.password().is_some() {
            let _ = shown.set_password(Some("***"));
        }
        // Query parameters can carry a password too (`?password=`): leave them all out.
        shown.set_query(None);
        return Ok((Backend::Postgres, url.to_owned(), shown.to_string()));
    }
    Err(malformed(&"the scheme must be sqlite: or postgres://"))
}

/// `sqlite://PATH?mode=rwc`, the path percent-encoded where sqlx's parser needs it.
fn sqlite_url(path: &Path) -> String {
    let mut encoded = String::new();
    for c in path.display().to_string().chars() {
        match c {
            '%' | '?' | '#' => encoded.push_str(&format!("%{:02X}", c as u32)),
            c => encoded.push(c),
        }
    }
    format!("sqlite://{encoded}?mode=rwc")
}

/// The schema, per backend: the same table, with each database's own auto-increment.
fn migrator(backend: Backend) -> Migrator {
    let sql = match backend {
        Backend::Sqlite => include_str!("migrations/sqlite/0001_tasks.sql"),
        Backend::Postgres => include_str!("migrations/postgres/0001_tasks.sql"),
    };
    Migrator::with_migrations(vec![Migration::new(
        1,
        "tasks".into(),
        MigrationType::Simple,
        sql.into_sql_str(),
        false,
    )])
}

/// The columns of a task, in every query that answers one.
macro_rules! task_columns {
    () => {
        "id, title, description, completed, created_at, updated_at"
    };
}
const LIST: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM tasks WHERE user_id = $1 ORDER BY id"
);
const GET: &str = concat!(
    "SELECT ",
    task_columns!(),
    " FROM tasks WHERE user_id = $1 AND id = $2"
);
const CREATE: &str = concat!(
    "INSERT INTO tasks (user_id, title, description, completed, created_at, updated_at) ",
    "VALUES ($1, $2, $3, 0, $4, $4) RETURNING ",
    task_columns!()
);
const UPDATE: &str = concat!(
    "UPDATE tasks SET title = $3, description = $4, updated_at = $5 ",
    "WHERE user_id = $1 AND id = $2 RETURNING ",
    task_columns!()
);
const COMPLETE: &str = concat!(
    "UPDATE tasks SET completed = 1, updated_at = $3 WHERE user_id = $1 AND id = $2 RETURNING ",
    task_columns!()
);
const DELETE: &str = "DELETE FROM tasks WHERE user_id = $1 AND id = $2";
/// How many users have tasks, and how many tasks there are (`GET /api/stats`).
const STATS: &str = "SELECT COUNT(DISTINCT user_id) AS users, COUNT(*) AS tasks FROM tasks";
const USERS: &str = "SELECT user_id, COUNT(*) AS tasks FROM tasks GROUP BY user_id";

/// The task store: a connection pool; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    timeout: Duration,
    backend: Backend,
}

impl Store {
    /// Connects once to apply the migrations not yet applied (several instances may start at
    /// once: sqlx takes a lock on PostgreSQL while it migrates), then sets up the pool, whose
    /// connections the requests open.
    pub async fn connect(config: &StoreConfig) -> Result<Store, StartError> {
        sqlx::any::install_default_drivers();
        let unreachable = |error: &dyn fmt::Display| {
            StartError(format!(
                "{DATABASE_URL_VAR}: cannot use the database ({}): {error}",
                config.describe()
            ))
        };
        let options = AnyConnectOptions::from_str(&config.url)
            .map_err(|error| unreachable(&error))?
            .disable_statement_logging();
        // Start-up work on one connection of its own, which also says why the database cannot
        // be reached (the pool would only say that it timed out).
        let mut connection =
            match tokio::time::timeout(config.timeout, AnyConnection::connect_with(&options)).await
            {
                Ok(Ok(connection)) => connection,
                Ok(Err(error)) => return Err(unreachable(&error)),
                Err(_) => {
                    let waited = format!("no answer within {} ms", config.timeout.as_millis());
                    return Err(unreachable(&waited));
                }
            };
        let backend = config.backend;
        if backend == Backend::Sqlite {
            // Readers go on while one request writes; kept in the file once set.
            connection
                .execute("PRAGMA journal_mode = WAL")
                .await
                .map_err(|error| unreachable(&error))?;
        }
        let migrator = migrator(backend);
        if let Err(error) = migrator.run(&mut connection).await {
            // PostgreSQL instances starting together wait for each other's migration (sqlx
            // takes an advisory lock); SQLite has no such lock, and the instance that lost
            // the race finds the migration applied when it looks again.
            if backend == Backend::Postgres {
                return Err(unreachable(&error));
            }
            migrator
                .run(&mut connection)
                .await
                .map_err(|error| unreachable(&error))?;
        }
        let _ = connection.close().await;

        let timeout_ms = config.timeout.as_millis();
        let pool = AnyPoolOptions::new()
            .max_connections(config.max_connections)
            .acquire_timeout(config.timeout)
            .after_connect(move |connection, _| {
                Box::pin(async move {
                    // The database gives up on its own within the timeout, so that a request
                    // answered 503 has changed nothing (a write cancelled from this side might
                    // still commit).
                    let bound = match backend {
                        // Waiting for another writer's lock.
                        Backend::Sqlite => format!("PRAGMA busy_timeout = {timeout_ms}"),
                        Backend::Postgres => format!("SET statement_timeout = {timeout_ms}"),
                    };
                    connection.execute(sqlx::AssertSqlSafe(bound)).await?;
                    Ok(())
                })
            })
            // Connections are opened by the requests that need them.
            .connect_lazy_with(options);
        Ok(Store {
            pool,
            timeout: config.timeout,
            backend,
        })
    }

    /// One user's tasks, oldest first.
    pub async fn list(&self, user: &str) -> Result<Vec<Task>, StoreError> {
        let rows = self
            .run(sqlx::query(LIST).bind(user).fetch_all(&self.pool))
            .await?;
        rows.iter().map(task).collect()
    }

    /// Every user that has tasks, with how many, ordered by user id (byte order, whatever the
    /// database's collation).
    pub async fn users(&self) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = self.run(sqlx::query(USERS).fetch_all(&self.pool)).await?;
        let mut users = rows
            .iter()
            .map(|row| Ok((row.try_get("user_id")?, row.try_get("tasks")?)))
            .collect::<Result<Vec<(String, i64)>, sqlx::Error>>()
            .map_err(failed)?;
        users.sort_unstable();
        Ok(users)
    }

    /// `(users with tasks, tasks)`.
    pub async fn stats(&self) -> Result<(i64, i64), StoreError> {
        let row = self.run(sqlx::query(STATS).fetch_one(&self.pool)).await?;
        Ok((
            row.try_get("users").map_err(failed)?,
            row.try_get("tasks").map_err(failed)?,
        ))
    }

    pub async fn get(&self, user: &str, id: i64) -> Result<Option<Task>, StoreError> {
        self.one(sqlx::query(GET).bind(user).bind(id)).await
    }

    pub async fn create(&self, user: &str, fields: TaskFields) -> Result<Task, StoreError> {
        let now = now_rfc3339();
        let query = sqlx::query(CREATE)
            .bind(user)
            .bind(fields.title)
            .bind(fields.description)
            .bind(now);
        self.one(query).await?.ok_or(StoreError::Failed)
    }

    pub async fn update(
        &self,
        user: &str,
        id: i64,
        fields: TaskFields,
    ) -> Result<Option<Task>, StoreError> {
        let query = sqlx::query(UPDATE)
            .bind(user)
            .bind(id)
            .bind(fields.title)
            .bind(fields.description)
            .bind(now_rfc3339());
        self.one(query).await
    }

    pub async fn complete(&self, user: &str, id: i64) -> Result<Option<Task>, StoreError> {
        let query = sqlx::query(COMPLETE)
            .bind(user)
            .bind(id)
            .bind(now_rfc3339());
        self.one(query).await
    }

    /// Whether the task existed (and is now gone).
    pub async fn delete(&self, user: &str, id: i64) -> Result<bool, StoreError> {
        let query = sqlx::query(DELETE).bind(user).bind(id);
        let done = self.run(query.execute(&self.pool)).await?;
        Ok(done.rows_affected() > 0)
    }

    async fn one(
        &self,
        query: sqlx::query::Query<'_, sqlx::Any, sqlx::any::AnyArguments>,
    ) -> Result<Option<Task>, StoreError> {
        let row = self.run(query.fetch_optional(&self.pool)).await?;
        row.as_ref().map(task).transpose()
    }

    /// Runs a query, sorting its errors into 503 and 500. The pool (waiting for a connection)
    /// and the database (waiting for a lock or a statement) each give up within the timeout;
    /// the bound here, three times that, is for a database that stopped answering at all (a
    /// write cut off this way may or may not have been committed).
    async fn run<T>(
        &self,
        query: impl Future<Output = Result<T, sqlx::Error>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.timeout * 3, query).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(classify(self.backend, &error)),
            Err(_) => {
                tracing::warn!(
                    timeout_ms = self.timeout.as_millis() as u64,
                    "database did not answer in time"
                );
                Err(StoreError::Unavailable)
            }
        }
    }
}

fn task(row: &AnyRow) -> Result<Task, StoreError> {
    let read = || -> Result<Task, sqlx::Error> {
        Ok(Task {
            id: row.try_get("id")?,
            title: row.try_get("title")?,
            description: row.try_get("description")?,
            completed: row.try_get::<i64, _>("completed")? != 0,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    };
    read().map_err(failed)
}

fn failed(error: sqlx::Error) -> StoreError {
    tracing::error!(%error, "database answer not understood");
    StoreError::Failed
}

/// What a failed query means for the client: try again later (503), change the request
/// (422), or nothing it can do (500).
#[derive(Debug, PartialEq, Eq)]
enum Class {
    Unavailable,
    Rejected(&'static str),
    Failed,
}

/// Sorts an error by the backend that raised it: the same code means different things to
/// PostgreSQL (SQLSTATE, five characters) and SQLite (a number).
fn classify(backend: Backend, error: &sqlx::Error) -> StoreError {
    let class = match error {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::WorkerCrashed => Class::Unavailable,
        sqlx::Error::Database(db) => match db.code() {
            Some(code) => match backend {
                Backend::Postgres => postgres_class(&code),
                Backend::Sqlite => code.parse::<u32>().map_or(Class::Failed, sqlite_class),
            },
            None => Class::Failed,
        },
        _ => Class::Failed,
    };
    match class {
        Class::Unavailable => {
            tracing::warn!(%error, "database unavailable");
            StoreError::Unavailable
        }
        Class::Rejected(what) => {
            // The client's own data: worth a line, not an alarm.
            tracing::info!(%error, "database refused a value of the request");
            StoreError::Rejected(what)
        }
        Class::Failed => {
            tracing::error!(%error, "database query failed");
            StoreError::Failed
        }
    }
}

/// PostgreSQL's SQLSTATE: connection exceptions (class 08), lack of resources (53), the
/// server's shutdowns (57P01–57P05), a statement or lock timeout (57014 `query_canceled`,
/// 55P03 `lock_not_available`) and transaction conflicts (40001, 40P01) pass; data exceptions
/// (class 22) are the request's.
fn postgres_class(code: &str) -> Class {
    match code {
        _ if code.starts_with("08") || code.starts_with("53") || code.starts_with("57P") => {
            Class::Unavailable
        }
        "57014" | "55P03" | "40001" | "40P01" => Class::Unavailable,
        "22021" | "22P05" => Class::Rejected(
            "a text holds a character the database cannot store (such as NUL, \\u0000)",
        ),
        "22001" => Class::Rejected("a text is too long for the database"),
        "22003" => Class::Rejected("a number is out of range"),
        _ if code.starts_with("22") => Class::Rejected("a value is invalid for the database"),
        _ => Class::Failed,
    }
}

/// SQLite's result codes (the primary code in the low byte of the extended one): busy,
/// locked, I/O error, full and cannot-open pass; too big, range and mismatch are the
/// request's.
fn sqlite_class(code: u32) -> Class {
    match code & 0xff {
        5 | 6 | 10 | 13 | 14 => Class::Unavailable,
        18 => Class::Rejected("a text is too long for the database"),
        20 | 25 => Class::Rejected("a value is invalid for the database"),
        _ => Class::Failed,
    }
}

/// The current UTC time as RFC 3339 (`2026-11-24T02:48:11Z`).
fn now_rfc3339() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_backend_reads_its_own_codes() {
        // A PostgreSQL code that parses as a number is never read as SQLite's.
        assert_eq!(
            postgres_class("22021"),
            Class::Rejected(
                "a text holds a character the database cannot store (such as NUL, \\u0000)"
            )
        );
        assert_eq!(postgres_class("57014"), Class::Unavailable);
        assert_eq!(postgres_class("57P01"), Class::Unavailable);
        assert_eq!(postgres_class("08006"), Class::Unavailable);
        assert_eq!(postgres_class("53300"), Class::Unavailable);
        assert_eq!(postgres_class("42P01"), Class::Failed);
        assert_eq!(sqlite_class(5), Class::Unavailable);
        assert_eq!(
            sqlite_class(517),
            Class::Unavailable,
            "SQLITE_BUSY_SNAPSHOT"
        );
        assert_eq!(sqlite_class(1), Class::Failed);
    }
}
