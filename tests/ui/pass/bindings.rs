//! Every way of binding the path parameter, each wired into a router with route_path!.
#![deny(warnings)] // the expansion must not add warnings
use auth_runtime::{authorized, route_path};
use axum::Router;
use axum::extract::Path;
use axum::routing::get;
use serde::Deserialize;

#[authorized(path_param = "user_id")]
async fn simple(Path(user_id): Path<String>) -> String {
    user_id
}

#[authorized(path_param = "user_id")]
async fn undestructured(user_id: Path<String>) -> String {
    user_id.0
}

#[authorized(path_param = "user_id")]
async fn tuple(Path((org, user_id, id)): Path<(String, Box<str>, u64)>) -> String {
    format!("{org}/{user_id}/{id}")
}

type Pair = (String, String);

#[authorized(path_param = "user_id")]
async fn tuple_alias(Path((user_id, id)): Path<Pair>) -> String {
    format!("{user_id}/{id}")
}

#[derive(Deserialize)]
struct TaskPath {
    user_id: String,
    id: u64,
}

#[authorized(path_param = "user_id")]
async fn struct_pattern(Path(TaskPath { user_id, id }): Path<TaskPath>) -> String {
    format!("{user_id}/{id}")
}

#[authorized(path_param = "user_id")]
async fn struct_binding(Path(path): Path<TaskPath>) -> String {
    format!("{}/{}", path.user_id, path.id)
}

#[authorized(path_param = "owner")]
async fn other_name(Path(owner): Path<std::borrow::Cow<'static, str>>) -> String {
    owner.into()
}

#[authorized(path_param = "user_id")]
async fn full_path(Path(user_id): axum::extract::Path<String>) -> String {
    user_id
}

fn main() {
    let _app: Router = Router::new()
        .route(route_path!("/a/{user_id}", simple, undestructured, full_path), get(simple))
        .route("/b/{user_id}", get(undestructured))
        .route("/c/{user_id}", get(full_path))
        .route(route_path!("/orgs/{org}/{user_id}/{id}", tuple), get(tuple))
        .route(route_path!("/alias/{user_id}/{id}", tuple_alias), get(tuple_alias))
        .route(route_path!("/s/{id}/{user_id}", struct_pattern, struct_binding), get(struct_pattern))
        .route("/t/{user_id}/{id}", get(struct_binding))
        .route(route_path!("/owners/{owner}", other_name), get(other_name));
}
