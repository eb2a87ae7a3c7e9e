use auth_runtime::authorized;
use axum::extract::Path;

/// With the `utoipa` feature, a handler without `#[utoipa::path]` below: the check that none
/// stands above.
#[authorized(path_param = "user_id")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    user_id
}
