//! State, a JSON body, the claims extractor, `?`, `return` and `impl IntoResponse` all keep
//! working; docs and other attributes are kept; debug_handler accepts the result.
#![deny(warnings)] // the expansion must not add warnings
use auth_runtime::{Claims, authorized};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

#[derive(Clone, Default)]
struct AppState {
    prefix: String,
}

#[derive(Deserialize)]
struct NewTask {
    title: String,
}

/// Creates a task.
#[authorized(path_param = "user_id")]
#[axum::debug_handler]
#[allow(clippy::unused_async)]
pub(crate) async fn create_task(
    State(state): State<AppState>,
    Path(user_id): Path<String>,
    claims: Claims,
    Json(task): Json<NewTask>,
) -> Result<impl IntoResponse, StatusCode> {
    if task.title.is_empty() {
        return Err(StatusCode::UNPROCESSABLE_ENTITY);
    }
    let count: u32 = "1".parse().map_err(|_| StatusCode::INTERNAL_SERVER_ERROR)?;
    assert_eq!(claims.user_id(), user_id);
    Ok((StatusCode::CREATED, format!("{}{count}{}", state.prefix, task.title)))
}

fn main() {
    let _app: Router = Router::new()
        .route("/api/{user_id}/tasks", post(create_task))
        .with_state(AppState::default());
}
