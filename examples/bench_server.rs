//! The load benchmark's target (`bench/load.sh`): one binary, one handler body, served twice:
//! `/protected/{user_id}/tasks` with `#[authorized]` and `/open/{user_id}/tasks` without, so
//! that the throughput ratio isolates the cost of authorization. Not a template for an app:
//! the open route is unprotected on purpose.
//!
//! `BETTER_AUTH_SECRET=… BIND_ADDR=127.0.0.1:18080 cargo run --release --example bench_server`

use std::process::ExitCode;

use auth_runtime::{Auth, authorized, route_path};
use axum::extract::Path;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

/// The shared handler body: a small JSON list, like the tasks example's GET.
fn tasks_of(user_id: &str) -> Json<Value> {
    Json(json!([{
        "id": 1,
        "title": "Write the benchmark",
        "description": null,
        "completed": false,
        "owner": user_id,
    }]))
}

#[authorized(path_param = "user_id")]
async fn protected(Path(user_id): Path<String>) -> Json<Value> {
    tasks_of(&user_id)
}

async fn open(Path(user_id): Path<String>) -> Json<Value> {
    tasks_of(&user_id)
}

#[tokio::main]
async fn main() -> ExitCode {
    // METRICS=1: every decision, cache lookup and verification recorded into a Prometheus
    // recorder, as an application serving /metrics would (bench/load.sh WITH_METRICS=1).
    let _metrics = if std::env::var("METRICS").is_ok_and(|v| v == "1") {
        match metrics_exporter_prometheus::PrometheusBuilder::new().install_recorder() {
            Ok(handle) => Some(handle),
            Err(error) => {
                eprintln!("error: cannot install the metrics recorder: {error}");
                return ExitCode::FAILURE;
            }
        }
    } else {
        None
    };
    let auth = match Auth::from_env() {
        Ok(auth) => auth,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new()
        .route(
            route_path!("/protected/{user_id}/tasks", protected),
            get(protected),
        )
        .route("/open/{user_id}/tasks", get(open))
        .route("/health", get(|| async { "ok" }))
        .layer(auth.layer());
    let addr = std::env::var("BIND_ADDR").unwrap_or_else(|_| "127.0.0.1:18080".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(error) => {
            eprintln!("error: cannot listen on {addr}: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("bench_server listening on http://{addr}");
    match axum::serve(listener, app).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
