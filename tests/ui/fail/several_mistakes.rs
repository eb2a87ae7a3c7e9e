#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

// One build reports every mistake.
#[authorized(path_param = "user_id", scopes = "tasks")]
fn handler<T>(Path(id): Path<String>) {}

fn main() {}
