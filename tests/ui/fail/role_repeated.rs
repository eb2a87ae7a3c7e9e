#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(role = "admin", role = "support")]
async fn role_twice() {}

#[authorized(path_param = "user_id", or_role = "admin", claim = "a", claim = "b")]
async fn claim_twice(Path(user_id): Path<String>) {}

fn main() {}
