//! The per-user task API, protected by `#[authorized]`: every write under `/api/{user_id}` runs
//! only for a valid token whose user id is the `{user_id}` of the path; reads also for an
//! admin (a token whose roles include `admin`); `/api/admin/users` only for an admin.

use std::time::Instant;

use auth_runtime::{Auth, authorized, route_path};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::cors::CorsLayer;

use crate::store::{Store, StoreError, Task, TaskFields};

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_TITLE_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 2000;

/// The API: `cors`, when given, sits outside auth and everything else that may refuse, so that a
/// preflight is answered before any extractor and every answer carries the CORS headers; only
/// the request log is outside it (preflights are logged too).
pub fn app(auth: Auth, store: Store, cors: Option<CorsLayer>) -> Router {
    let api = Router::new()
        .route(
            route_path!("/api/{user_id}/tasks", list_tasks, create_task),
            get(list_tasks).post(create_task),
        )
        .route(
            route_path!(
                "/api/{user_id}/tasks/{id}",
                get_task,
                update_task,
                delete_task
            ),
            get(get_task).put(update_task).delete(delete_task),
        )
        .route(
            route_path!("/api/{user_id}/tasks/{id}/complete", complete_task),
            patch(complete_task),
        )
        .route(route_path!("/api/admin/users", list_users), get(list_users))
        .route("/health", get(health))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(auth.layer());
    let api = match cors {
        Some(cors) => api.layer(cors),
        None => api,
    };
    api.layer(middleware::from_fn(log_request))
        .with_state(store)
}

/// An error answered as `{"detail": "..."}`, like the refusals of auth-runtime.
pub struct ApiError(StatusCode, String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.0, Json(json!({ "detail": self.1 }))).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    // 400 for malformed JSON, 415 without a JSON content type, 413 for an oversized body,
    // 422 for JSON of the wrong shape.
    fn from(rejection: JsonRejection) -> Self {
        ApiError(rejection.status(), rejection.body_text())
    }
}

impl From<StoreError> for ApiError {
    // The cause is logged where it happened (store.rs); the client learns only whether to
    // try again.
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::Unavailable => ApiError(
                StatusCode::SERVICE_UNAVAILABLE,
                "Database unavailable".to_owned(),
            ),
            StoreError::Failed => ApiError(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error".to_owned(),
            ),
        }
    }
}

fn task_not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "Task not found".to_owned())
}

/// The body of POST and PUT.
#[derive(Deserialize)]
pub struct TaskInput {
    title: Option<String>,
    description: Option<String>,
}

impl TaskInput {
    fn validate(self) -> Result<TaskFields, ApiError> {
        let invalid = |detail: &str| {
            Err(ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                detail.to_owned(),
            ))
        };
        let Some(title) = self.title else {
            return invalid("title is required");
        };
        let title = title.trim().to_owned();
        if title.is_empty() {
            return invalid("title must not be empty");
        }
        if title.chars().count() > MAX_TITLE_CHARS {
            return invalid("title must be at most 200 characters");
        }
        if self
            .description
            .as_ref()
            .is_some_and(|d| d.chars().count() > MAX_DESCRIPTION_CHARS)
        {
            return invalid("description must be at most 2000 characters");
        }
        Ok(TaskFields {
            title,
            description: self.description,
        })
    }
}

/// Task ids are numbers; anything else names no task.
fn task_id(id: &str) -> Result<i64, ApiError> {
    id.parse().map_err(|_| task_not_found())
}

/// One user's task count, as `GET /api/admin/users` lists it.
#[derive(Serialize)]
struct UserSummary {
    user_id: String,
    tasks: i64,
}

/// Every user that has tasks: admins only.
#[authorized(role = "admin")]
async fn list_users(State(store): State<Store>) -> Result<Json<Vec<UserSummary>>, ApiError> {
    let users = store.users().await?;
    Ok(Json(
        users
            .into_iter()
            .map(|(user_id, tasks)| UserSummary { user_id, tasks })
            .collect(),
    ))
}

#[authorized(path_param = "user_id", or_role = "admin")]
async fn list_tasks(
    State(store): State<Store>,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(store.list(&user_id).await?))
}

#[authorized(path_param = "user_id")]
async fn create_task(
    State(store): State<Store>,
    Path(user_id): Path<String>,
    body: Result<Json<TaskInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let Json(input) = body?;
    let task = store.create(&user_id, input.validate()?).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

#[authorized(path_param = "user_id", or_role = "admin")]
async fn get_task(
    State(store): State<Store>,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<Json<Task>, ApiError> {
    store
        .get(&user_id, task_id(&id)?)
        .await?
        .map(Json)
        .ok_or_else(task_not_found)
}

#[authorized(path_param = "user_id")]
async fn update_task(
    State(store): State<Store>,
    Path((user_id, id)): Path<(String, String)>,
    body: Result<Json<TaskInput>, JsonRejection>,
) -> Result<Json<Task>, ApiError> {
    let id = task_id(&id)?;
    let Json(input) = body?;
    store
        .update(&user_id, id, input.validate()?)
        .await?
        .map(Json)
        .ok_or_else(task_not_found)
}

#[authorized(path_param = "user_id")]
async fn delete_task(
    State(store): State<Store>,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    if store.delete(&user_id, task_id(&id)?).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(task_not_found())
    }
}

#[authorized(path_param = "user_id")]
async fn complete_task(
    State(store): State<Store>,
    Path((user_id, id)): Path<(String, String)>,
) -> Result<Json<Task>, ApiError> {
    store
        .complete(&user_id, task_id(&id)?)
        .await?
        .map(Json)
        .ok_or_else(task_not_found)
}

async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

async fn not_found() -> ApiError {
    ApiError(StatusCode::NOT_FOUND, "Not found".to_owned())
}

/// One log line per request: method, path (never the query string or a header), status and
/// latency.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let started = Instant::now();
    let response = next.run(request).await;
    tracing::info!(
        %method,
        %path,
        status = response.status().as_u16(),
        latency_us = started.elapsed().as_micros() as u64,
        "request"
    );
    response
}
