#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(path_param = "org_id", claim = "activeOrganizationId")]
async fn handler(Path(org_id): Path<u64>) {}

fn main() {}
