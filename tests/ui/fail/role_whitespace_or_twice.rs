#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;

#[authorized(role = "admin ")]
async fn trailing_space() {}

#[authorized(role = ["admin", "support", "admin"])]
async fn listed_twice() {}

fn main() {}
