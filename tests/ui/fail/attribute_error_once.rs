#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::{authorized, route_path};
use axum::extract::Path;
use axum::routing::get;
use axum::Router;

// A mistake in the attribute is reported once, not again at every route_path! naming the
// handler.
#[authorized(path_param = "user-id")]
async fn list_tasks(Path(user_id): Path<String>) {}

fn main() {
    let _app: Router = Router::new()
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .route(route_path!("/v2/{user_id}/tasks", list_tasks), get(list_tasks));
}
