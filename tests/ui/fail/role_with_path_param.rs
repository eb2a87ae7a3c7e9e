#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(path_param = "user_id", role = "admin")]
async fn handler(Path(user_id): Path<String>) {}

fn main() {}
