use auth_runtime::authorized;

/// A role, documented, with no `responses(...)` of its own.
#[authorized(role = ["admin", "support"])]
#[utoipa::path(get, path = "/api/admin/users")]
async fn list_users() -> String {
    "every user".to_owned()
}
