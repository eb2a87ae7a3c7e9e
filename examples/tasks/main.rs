//! The tasks service: a per-user task API protected by `#[authorized]`.
//!
//! ```text
//! BETTER_AUTH_SECRET=<the secret of your Better Auth server> cargo run -p tasks
//! BETTER_AUTH_URL=http://localhost:3000 cargo run -p tasks   # stock tokens via JWKS
//! cargo run -p tasks -- --dev     # throwaway secret and demo curl commands
//! ```
//!
//! Environment: `BETTER_AUTH_SECRET` (HS256) and/or `BETTER_AUTH_URL` (JWKS), one of them
//! required unless `--dev`; `BIND_ADDR` (default `127.0.0.1:8080`); `CORS_ALLOWED_ORIGINS`
//! (optional: the browser origins allowed to call the API, e.g. `http://localhost:3000`);
//! `DATABASE_URL` (default: the SQLite file `tasks.db` in the working directory; `sqlite:PATH`
//! or `postgres://USER:PASSWORD@HOST/DB`), `DATABASE_MAX_CONNECTIONS` (default 10),
//! `DATABASE_TIMEOUT_MS` (default 5000: past it a request is answered 503);
//! `METRICS_ADDR` (optional, e.g. `127.0.0.1:9464`: Prometheus text at `/metrics`);
//! `RUST_LOG` (default `info`; `auth_runtime::decision=debug` shows every decision and its
//! reason); `AUTH_RESOURCE` (optional, with `BETTER_AUTH_URL`: this API's URL as OAuth clients
//! name it, which admits access tokens from Better Auth's oauth-provider with the scopes
//! `tasks:read`, `tasks:write`, `tasks:stats` and serves the RFC 9728 metadata); and the
//! optional settings of `auth_runtime::Auth::from_env`.

mod api;
mod cors;
mod metrics;
mod store;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use auth_runtime::{Auth, AuthBuilder, ConfigError, Hs256};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

const DEFAULT_BIND_ADDR: &str = "127.0.0.1:8080";
const USAGE: &str = "usage: tasks [--dev]\n  --dev  generate a throwaway secret and print demo tokens and curl commands";

#[tokio::main]
async fn main() -> ExitCode {
    init_logging();
    let dev = match std::env::args().skip(1).collect::<Vec<_>>().as_slice() {
        [] => false,
        [flag] if flag == "--dev" => true,
        [flag] if flag == "--help" || flag == "-h" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };

    if dev && let Err(error) = dev_settings_are_local() {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    let (auth, dev_secret) = if dev {
        match dev_secret() {
            Ok(secret) => (
                Auth::builder().hs256(Hs256::secret(&secret)).build(),
                Some(secret),
            ),
            Err(error) => {
                eprintln!("error: cannot generate a development secret: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        // The scopes the routes of api.rs name, for the RFC 9728 metadata.
        let auth = AuthBuilder::from_env().and_then(|builder| {
            builder
                .default_resource_scopes(api::SCOPES)
                .default_scope_implications(api::SCOPE_IMPLICATIONS)
                .build()
        });
        (auth, None)
    };
    let auth = match auth {
        Ok(auth) => {
            if let Some(url) = auth.resource_metadata_url() {
                tracing::info!(
                    metadata = url,
                    "OAuth access tokens accepted for AUTH_RESOURCE"
                );
            }
            auth
        }
        Err(error) => {
            // One line: the variable, how to make a good value, and the way to just try it.
            let hint = match error {
                ConfigError::MissingSecret { .. } | ConfigError::WeakSecret { .. } => {
                    " (or try it out with a throwaway secret: cargo run -p tasks -- --dev)"
                }
                _ => "",
            };
            eprintln!("error: {error}{hint}");
            return ExitCode::FAILURE;
        }
    };

    let cors = match cors::from_env() {
        Ok(cors) => cors,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    // Before anything records: a metric recorded before the recorder is installed is lost.
    let exporter = match metrics::from_env().await {
        Ok(exporter) => exporter,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };

    let store_config = match store::StoreConfig::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let bind_addr = match bind_addr() {
        Ok(addr) => addr,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let store = match store::Store::connect(&store_config).await {
        Ok(store) => store,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!(database = %store_config.describe(), "tasks stored");
    // Built before the service binds: whatever the configuration, it has been used once
    // before anyone can connect.
    let app = api::app(auth, store, cors);

    let listener = match tokio::net::TcpListener::bind(bind_addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {bind_addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().unwrap_or(bind_addr);
    if let Some(secret) = dev_secret {
        print_dev_walkthrough(addr, &secret, &store_config.describe());
    }
    if let Some(exporter) = exporter {
        println!("metrics on {}", exporter.url());
        exporter.spawn();
    }
    // Last, so that whoever waits for this line has everything printed before it.
    println!("tasks service listening on http://{addr}");

    if let Err(error) = axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
    {
        eprintln!("error: server failed: {error}");
        return ExitCode::FAILURE;
    }
    tracing::info!("shut down");
    ExitCode::SUCCESS
}

/// `BIND_ADDR`, parsed.
fn bind_addr() -> Result<SocketAddr, String> {
    let value = std::env::var("BIND_ADDR").unwrap_or_else(|_| DEFAULT_BIND_ADDR.to_owned());
    value
        .parse::<SocketAddr>()
        .map_err(|_| "BIND_ADDR is not an address such as 127.0.0.1:8080".to_owned())
}

/// `--dev` signs its own demo tokens (an admin's among them) with a throwaway secret: it must
/// never run where real users' data or a real network is. It refuses the settings it would
/// ignore (every `BETTER_AUTH_*` and `AUTH_*` variable: the real key sources and their rules),
/// a `BIND_ADDR` or `METRICS_ADDR` that is not loopback, and a PostgreSQL `DATABASE_URL` on
/// another host.
fn dev_settings_are_local() -> Result<(), String> {
    if let Some(var) = std::env::vars_os()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| name.starts_with("BETTER_AUTH_") || name.starts_with("AUTH_"))
        .min()
    {
        return Err(format!(
            "--dev uses a throwaway secret and would ignore {var}: unset it, or run without --dev"
        ));
    }
    for var in ["BIND_ADDR", metrics::METRICS_ADDR_VAR] {
        if let Ok(value) = std::env::var(var)
            && value
                .trim()
                .parse::<SocketAddr>()
                .is_ok_and(|addr| !addr.ip().is_loopback())
        {
            return Err(format!(
                "--dev listens on loopback only, and {var} is not a loopback address: use 127.0.0.1, or run without --dev"
            ));
        }
    }
    if store::StoreConfig::from_env().is_ok_and(|config| !config.is_local()) {
        return Err(format!(
            "--dev prints an admin token that reads every task of its database, and {} names a database on another host: use SQLite or a PostgreSQL on loopback, or run without --dev",
            store::DATABASE_URL_VAR
        ));
    }
    Ok(())
}

fn init_logging() {
    let filter = std::env::var("RUST_LOG")
        .ok()
        .and_then(|spec| spec.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_target(false)
                .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
                .with_writer(std::io::stderr),
        )
        .with(filter)
        .init();
}

/// 32 random bytes as 64 hex characters.
fn dev_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes)?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn print_dev_walkthrough(addr: SocketAddr, secret: &str, database: &str) {
    let mint = |user: &str, role: &str| {
        auth_runtime::testing::token_for(user)
            .secret(secret)
            .claim(auth_runtime::limits::DEFAULT_ROLE_CLAIM, role)
            .expires_in(Duration::from_secs(3600))
            .sign()
    };
    let base = format!("http://{addr}/api");
    println!(
        r#"
Development mode: this run uses a throwaway secret, and these demo tokens expire in 1 hour.
Tasks are kept in {database} (DATABASE_URL chooses another SQLite file or PostgreSQL).

  export ALICE='{alice}'
  export BOB='{bob}'
  export ADMIN='{admin}'

  # alice creates a task (201) and lists her tasks (200)
  curl -i -X POST {base}/alice/tasks -H "Authorization: Bearer $ALICE" -H 'Content-Type: application/json' -d '{{"title":"Try auth-runtime"}}'
  curl -i {base}/alice/tasks -H "Authorization: Bearer $ALICE"
  # bob asks for alice's tasks: 403
  curl -i {base}/alice/tasks -H "Authorization: Bearer $BOB"
  # no token: 401
  curl -i {base}/alice/tasks

  # carol is an admin (role "user,admin"): she reads alice's tasks (200)
  curl -i {base}/alice/tasks -H "Authorization: Bearer $ADMIN"
  # but writes stay the owner's: 403
  curl -i -X POST {base}/alice/tasks -H "Authorization: Bearer $ADMIN" -H 'Content-Type: application/json' -d '{{"title":"Not hers"}}'
  # every user with tasks, for admins (200); for bob, 403 insufficient_scope
  curl -i {base}/admin/users -H "Authorization: Bearer $ADMIN"
  curl -i {base}/admin/users -H "Authorization: Bearer $BOB"
"#,
        alice = mint("alice", "user"),
        bob = mint("bob", "user"),
        admin = mint("carol", "user,admin"),
    );
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
