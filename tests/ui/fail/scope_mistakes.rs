// `scope` takes OAuth scope-tokens, all required; every mistake is reported at once.
#![allow(dead_code)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(scope = [])]
async fn empty() {}

#[authorized(scope = ["tasks:read", "tasks:read", "tasks read", "a\"b", ""])]
async fn several() {}

#[authorized(scope = "tasks:read", scope = "tasks:write")]
async fn twice() {}

#[authorized(role = "admin", scope = "tasks:read")]
async fn with_role() {}

#[authorized(path_param = "user_id", scope = 1)]
async fn not_a_string(Path(user_id): Path<String>) -> String {
    user_id
}

fn main() {}
