// `#[utoipa::path]` above `#[authorized]`: utoipa would document the handler before the
// attribute could add its security, so the build fails saying to swap them.
#![allow(dead_code)]
use auth_runtime::authorized;
use axum::extract::Path;

#[utoipa::path(get, path = "/api/{user_id}/tasks")]
#[authorized(path_param = "user_id")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

#[utoipa::path(get, path = "/api/admin/users")]
#[authorized(role = "admin")]
async fn list_users() {}

fn main() {}
