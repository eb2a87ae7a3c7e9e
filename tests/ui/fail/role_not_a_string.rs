#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;

const ADMIN: &str = "admin";

#[authorized(role = ADMIN)]
async fn constant() {}

#[authorized(role = ["admin", 1])]
async fn number_in_list() {}

fn main() {}
