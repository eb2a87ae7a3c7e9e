#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

type OrgUser = (String, u64);

#[authorized(path_param = "user_id")]
async fn handler(Path((org, user_id)): Path<OrgUser>) {}

fn main() {}
