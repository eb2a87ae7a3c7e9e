// The attribute writes the operation's security from its rule: a hand-written one would drift.
#![allow(dead_code)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(path_param = "user_id", or_role = "admin")]
#[utoipa::path(get, path = "/api/{user_id}/tasks", security(("bearer" = [])))]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}

fn main() {}
