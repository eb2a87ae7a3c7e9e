#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;

// The role alone is written role = "admin".
#[authorized(or_role = "admin")]
async fn handler() {}

fn main() {}
