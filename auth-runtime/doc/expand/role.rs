use auth_runtime::authorized;
use axum::Json;

/// Every user's task count: admins only, whatever the path.
#[authorized(role = "admin")]
pub async fn list_users() -> Json<Vec<String>> {
    Json(vec![])
}

/// Any of several roles.
#[authorized(role = ["admin", "support"])]
pub async fn support_queue() -> &'static str {
    "the queue"
}
