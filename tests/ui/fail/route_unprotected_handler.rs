#![allow(unused_variables, dead_code, non_camel_case_types)]
use auth_runtime::route_path;
use axum::routing::get;
use axum::Router;

async fn list_tasks() {}

struct health {}

fn main() {
    let _app: Router = Router::new()
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .route(route_path!("/health", health), get(|| async {}));
}
