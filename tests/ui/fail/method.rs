#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;

struct Api;

impl Api {
    #[authorized(path_param = "user_id")]
    async fn handler(&self, Path(user_id): Path<String>) {}
}

fn main() {}
