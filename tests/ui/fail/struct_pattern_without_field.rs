#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::authorized;
use axum::extract::Path;
use serde::Deserialize;

#[derive(Deserialize)]
struct TaskPath {
    owner: String,
    id: u64,
}

#[authorized(path_param = "user_id")]
async fn handler(Path(TaskPath { owner, id }): Path<TaskPath>) {}

fn main() {}
