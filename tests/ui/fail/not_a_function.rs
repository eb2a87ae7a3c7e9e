#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;

#[authorized(path_param = "user_id")]
struct Handler {
    user_id: String,
}

fn main() {}
