use auth_runtime::authorized;
use axum::extract::Path;
use serde::Deserialize;

#[derive(Deserialize)]
struct TaskPath {
    user_id: String,
    id: u64,
}

#[authorized(path_param = "user_id")]
async fn get_task(Path(path): Path<TaskPath>) -> String {
    format!("task {} of {}", path.id, path.user_id)
}
