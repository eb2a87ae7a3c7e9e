use auth_runtime::authorized;
use axum::extract::Path;

/// An OAuth access token with the scope (a service's `client_credentials` token).
#[authorized(scope = "tasks:stats")]
pub async fn stats() -> &'static str {
    "counts"
}

/// The owner; a user-delegated access token also needs both scopes.
#[authorized(path_param = "user_id", scope = ["tasks:read", "tasks:write"])]
pub async fn import_tasks(Path(user_id): Path<String>) -> String {
    user_id
}
