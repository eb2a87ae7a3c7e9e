use auth_runtime::authorized;
use axum::Json;
use axum::extract::Path;

/// The owner or an admin, documented: the attribute extends `#[utoipa::path]` below it.
#[authorized(path_param = "user_id", or_role = "admin")]
#[utoipa::path(
    get,
    path = "/api/{user_id}/tasks/{id}",
    responses((status = 200, description = "The task", body = Task)),
)]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) -> Json<Task> {
    load(&user_id, id)
}
