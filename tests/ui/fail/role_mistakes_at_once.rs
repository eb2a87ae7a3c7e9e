#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

// One build reports every mistake.
#[authorized(or_role = "admin,", claim = "", rolse = "admin")]
fn handler(Path(org_id): Path<String>) {}

fn main() {}
