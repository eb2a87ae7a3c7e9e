use auth_runtime::authorized;
use axum::extract::Path;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserPath {
    user_id: String,
}

// Route: "/users/{userId}/tasks". The check reads `path.user_id`, the field the handler reads.
#[authorized(path_param = "user_id")]
async fn list_tasks(Path(path): Path<UserPath>) -> String {
    format!("tasks of {}", path.user_id)
}
