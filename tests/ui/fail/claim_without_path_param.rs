#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

#[authorized(claim = "activeOrganizationId")]
async fn handler(Path(org_id): Path<String>) {}

#[authorized(path_param = "org_id", claim = "")]
async fn empty_claim(Path(org_id): Path<String>) {}

#[authorized(path_param = "org_id", claim = activeOrganizationId)]
async fn not_a_literal(Path(org_id): Path<String>) {}

fn main() {}
