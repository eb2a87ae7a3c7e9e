#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

// A token's "user,admin" is split before it is compared: no role contains a comma.
#[authorized(role = "user,admin")]
async fn comma() {}

#[authorized(path_param = "user_id", or_role = ["admin, support"])]
async fn comma_in_list(Path(user_id): Path<String>) {}

fn main() {}
