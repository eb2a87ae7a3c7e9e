#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::{authorized, route_path};
use axum::extract::Path;
use axum::routing::get;
use axum::Router;

#[authorized(path_param = "user_id")]
async fn list_tasks(Path(user_id): Path<String>) {}

fn main() {
    let _app: Router = Router::new().route(route_path!("/api/{id}/tasks", list_tasks), get(list_tasks));
}
