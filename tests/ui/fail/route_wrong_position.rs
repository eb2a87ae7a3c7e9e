#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::{authorized, route_path};
use axum::extract::Path;
use axum::routing::get;
use axum::Router;

#[authorized(path_param = "user_id")]
async fn get_task(Path((user_id, id)): Path<(String, u64)>) {}

fn main() {
    let _app: Router = Router::new().route(route_path!("/tasks/{id}/of/{user_id}", get_task), get(get_task));
}
