use auth_runtime::authorized;
use axum::Json;
use axum::extract::Path;

/// The user's tasks: for their owner, or for an admin.
#[authorized(path_param = "user_id", or_role = "admin")]
pub async fn list_tasks(Path(user_id): Path<String>) -> Json<Vec<String>> {
    Json(vec![format!("a task of {user_id}")])
}
