#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;

#[authorized(path_param = "user_id")]
async fn handler() -> &'static str {
    "everyone's tasks"
}

fn main() {}
