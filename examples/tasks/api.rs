//! The per-user task API, protected by `#[authorized]`: every write under `/api/{user_id}` runs
//! only for a valid token whose user id is the `{user_id}` of the path; reads also for an
//! admin (a token whose roles include `admin`); `/api/admin/users` only for an admin.

use std::sync::Arc;
use std::time::Instant;

use auth_runtime::utoipa::BearerSecurity;
use auth_runtime::{Auth, authorized};
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use tower_http::cors::CorsLayer;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::store::{Store, StoreError, Task, TaskFields};

/// The OAuth scopes the routes name (`scope = …` below), for the RFC 9728 metadata.
pub const SCOPES: [&str; 3] = ["tasks:read", "tasks:write", "tasks:stats"];

/// The scope hierarchy: writing a user's tasks includes reading them (unless
/// `AUTH_SCOPE_IMPLICATIONS` says otherwise).
pub const SCOPE_IMPLICATIONS: [(&str, &str); 1] = [("tasks:write", "tasks:read")];

/// Request bodies larger than this are refused with 413.
pub const MAX_BODY_BYTES: usize = 16 * 1024;
const MAX_TITLE_CHARS: usize = 200;
const MAX_DESCRIPTION_CHARS: usize = 2000;

/// The API: `cors`, when given, sits outside auth and everything else that may refuse, so that a
/// preflight is answered before any extractor and every answer carries the CORS headers; only
/// the request log is outside it (preflights are logged too).
///
/// The routes and `GET /openapi.json` come from the same handlers: utoipa-axum routes each one by
/// the path of its `#[utoipa::path]`, which `#[authorized]` checks against the handler's
/// `Path` binding at compile time and extends with the bearer requirement and the refusals.
pub fn app(auth: Auth, store: Store, cors: Option<CorsLayer>) -> Router {
    let (api, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task, update_task, delete_task))
        .routes(routes!(complete_task))
        .routes(routes!(list_users))
        .routes(routes!(stats))
        .routes(routes!(health))
        .routes(routes!(openapi_json))
        .split_for_parts();
    let doc = OpenApiJson(Arc::from(doc.to_json().unwrap_or_default()));
    // RFC 9728 metadata, when AUTH_RESOURCE is set (OAuth clients and MCP).
    let api = api
        .merge(auth.protected_resource_router())
        .fallback(not_found)
        .layer(Extension(doc))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(auth.layer());
    let api = match cors {
        Some(cors) => api.layer(cors),
        None => api,
    };
    api.layer(middleware::from_fn(log_request))
        .with_state(store)
}

/// The document's frame: everything else comes from the handlers' attributes.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Tasks",
        description = "A per-user task list. Every route under `/api` needs a bearer token from Better Auth; `#[authorized]` on each handler says whose.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0")
    ),
    modifiers(&BearerSecurity),
    tags(
        (name = "tasks", description = "A user's own tasks (an admin may read them)"),
        (name = "admin", description = "For tokens with the role `admin`"),
        (name = "meta", description = "Health and this document")
    )
)]
struct ApiDoc;

/// The document as served, made once.
#[derive(Clone)]
struct OpenApiJson(Arc<str>);

/// An error answered as `{"detail": "..."}`, like the refusals of auth-runtime.
pub struct ApiError(StatusCode, String);

/// The body of every error, ours and auth-runtime's.
#[derive(Serialize, ToSchema)]
pub struct Detail {
    /// What went wrong.
    detail: String,
}

/// How long a client should wait before trying again after a 503.
const RETRY_AFTER_SECS: &str = "5";

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.0, Json(Detail { detail: self.1 })).into_response();
        if self.0 == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                header::RETRY_AFTER,
                header::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
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
            StoreError::Rejected(what) => ApiError(
                StatusCode::UNPROCESSABLE_ENTITY,
                format!("The request cannot be stored: {what}"),
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
#[derive(Deserialize, ToSchema)]
pub struct TaskInput {
    /// Required: 1 to 200 characters once trimmed.
    title: Option<String>,
    /// At most 2000 characters.
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
        // NUL is valid JSON (`\u0000`) and valid UTF-8, but PostgreSQL's text cannot hold it:
        // refused the same way whatever the database.
        if title.contains('\0') {
            return invalid("title must not contain NUL characters (\\u0000)");
        }
        if self.description.as_ref().is_some_and(|d| d.contains('\0')) {
            return invalid("description must not contain NUL characters (\\u0000)");
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
#[derive(Serialize, ToSchema)]
struct UserSummary {
    user_id: String,
    tasks: i64,
}

/// Every user that has tasks, with their task count: admins only.
#[authorized(role = "admin")]
#[utoipa::path(get, path = "/api/admin/users", tag = "admin", responses(
    (status = 200, description = "Every user that has tasks", body = [UserSummary]),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
async fn list_users(State(store): State<Store>) -> Result<Json<Vec<UserSummary>>, ApiError> {
    let users = store.users().await?;
    Ok(Json(
        users
            .into_iter()
            .map(|(user_id, tasks)| UserSummary { user_id, tasks })
            .collect(),
    ))
}

/// The user's tasks, oldest first. An OAuth access token needs the scope `tasks:read`.
#[authorized(path_param = "user_id", or_role = "admin", scope = "tasks:read")]
#[utoipa::path(get, path = "/api/{user_id}/tasks", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are")), responses(
    (status = 200, description = "The user's tasks", body = [Task]),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
async fn list_tasks(
    State(store): State<Store>,
    Path(user_id): Path<String>,
) -> Result<Json<Vec<Task>>, ApiError> {
    Ok(Json(store.list(&user_id).await?))
}

/// Adds a task. An OAuth access token needs the scope `tasks:write`, as for every write.
#[authorized(path_param = "user_id", scope = "tasks:write")]
#[utoipa::path(post, path = "/api/{user_id}/tasks", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are")), request_body = TaskInput, responses(
    (status = 201, description = "The new task", body = Task),
    (status = 400, description = "The body is not JSON, or the path names nobody", body = Detail),
    (status = 413, description = "The body is larger than 16 KiB", body = Detail),
    (status = 415, description = "The body is not `application/json`", body = Detail),
    (status = 422, description = "The task is not valid (a missing or empty title, a field too long)", body = Detail),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
async fn create_task(
    State(store): State<Store>,
    Path(user_id): Path<String>,
    body: Result<Json<TaskInput>, JsonRejection>,
) -> Result<(StatusCode, Json<Task>), ApiError> {
    let Json(input) = body?;
    let task = store.create(&user_id, input.validate()?).await?;
    Ok((StatusCode::CREATED, Json(task)))
}

/// One task.
#[authorized(path_param = "user_id", or_role = "admin", scope = "tasks:read")]
#[utoipa::path(get, path = "/api/{user_id}/tasks/{id}", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are"), ("id" = i64, Path, description = "The task's id")), responses(
    (status = 200, description = "The task", body = Task),
    (status = 404, description = "The user has no task with this id", body = Detail),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
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

/// Replaces a task's title and description.
#[authorized(path_param = "user_id", scope = "tasks:write")]
#[utoipa::path(put, path = "/api/{user_id}/tasks/{id}", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are"), ("id" = i64, Path, description = "The task's id")), request_body = TaskInput, responses(
    (status = 200, description = "The task as updated", body = Task),
    (status = 400, description = "The body is not JSON, or the path names nobody", body = Detail),
    (status = 404, description = "The user has no task with this id", body = Detail),
    (status = 413, description = "The body is larger than 16 KiB", body = Detail),
    (status = 415, description = "The body is not `application/json`", body = Detail),
    (status = 422, description = "The task is not valid (a missing or empty title, a field too long)", body = Detail),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
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

/// Deletes a task; its id is never used again.
#[authorized(path_param = "user_id", scope = "tasks:write")]
#[utoipa::path(delete, path = "/api/{user_id}/tasks/{id}", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are"), ("id" = i64, Path, description = "The task's id")), responses(
    (status = 204, description = "The task is deleted"),
    (status = 404, description = "The user has no task with this id", body = Detail),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
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

/// Marks a task as completed.
#[authorized(path_param = "user_id", scope = "tasks:write")]
#[utoipa::path(patch, path = "/api/{user_id}/tasks/{id}/complete", tag = "tasks", params(("user_id" = String, Path, description = "The user whose tasks these are"), ("id" = i64, Path, description = "The task's id")), responses(
    (status = 200, description = "The task, completed", body = Task),
    (status = 404, description = "The user has no task with this id", body = Detail),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
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

/// How many users have tasks, and how many tasks there are: for services, with an OAuth access
/// token granting `tasks:stats` (a `client_credentials` token is the usual caller).
#[authorized(scope = "tasks:stats")]
#[utoipa::path(get, path = "/api/stats", tag = "admin", responses(
    (status = 200, description = "The counts", body = Stats),
    (status = 503, description = "The database is unavailable", body = Detail),
))]
async fn stats(State(store): State<Store>) -> Result<Json<Stats>, ApiError> {
    let (users, tasks) = store.stats().await?;
    Ok(Json(Stats { users, tasks }))
}

/// `GET /api/stats`.
#[derive(Serialize, ToSchema)]
struct Stats {
    /// Users with at least one task.
    users: i64,
    /// Tasks of every user.
    tasks: i64,
}

/// Whether the service is up (it does not look at the database).
#[utoipa::path(get, path = "/health", tag = "meta", responses(
    (status = 200, description = "The service is up", body = Object, example = json!({ "status": "ok" })),
))]
async fn health() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// This document (OpenAPI 3.1).
#[utoipa::path(get, path = "/openapi.json", tag = "meta", responses(
    (status = 200, description = "The OpenAPI document of this API", content_type = "application/json", body = Object),
))]
async fn openapi_json(Extension(OpenApiJson(doc)): Extension<OpenApiJson>) -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        doc.to_string(),
    )
        .into_response()
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
