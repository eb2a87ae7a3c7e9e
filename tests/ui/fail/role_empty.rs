#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(role = "")]
async fn empty_role() {}

#[authorized(role = [])]
async fn empty_list() {}

#[authorized(path_param = "user_id", or_role = ["admin", ""])]
async fn empty_or_role(Path(user_id): Path<String>) {}

fn main() {}
