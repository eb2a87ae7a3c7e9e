use auth_runtime::authorized;
use axum::Json;
use axum::extract::Path;

/// The user's tasks.
#[authorized(path_param = "user_id")]
pub async fn list_tasks(Path(user_id): Path<String>) -> Json<Vec<String>> {
    Json(vec![format!("a task of {user_id}")])
}
