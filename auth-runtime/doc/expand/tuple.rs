use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(path_param = "user_id")]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> String {
    format!("task {id} of {user_id}")
}
