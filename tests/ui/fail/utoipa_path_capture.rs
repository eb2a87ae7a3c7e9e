// utoipa-axum routes by the path of `#[utoipa::path]`: it must capture what the handler binds,
// where the handler binds it. Both mistakes at once, with the one in the rule.
#![allow(dead_code)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(path_param = "user_id")]
#[utoipa::path(get, path = "/api/{owner}/tasks")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

#[authorized(path_param = "user_id")]
#[utoipa::path(get, path = "/api/tasks/{id}/of/{user_id}")]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
    format!("{user_id} {id}")
}

#[authorized(path_param = "user_id", role = "admin")]
#[utoipa::path(get, path = "/api/{user}/notes", security(("bearer" = [])))]
async fn list_notes(Path(user_id): Path<String>) -> String {
    user_id
}

fn main() {}
