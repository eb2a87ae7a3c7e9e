//! The README quick start, HS256 only.

use auth_runtime::{Auth, authorized, route_path};
use axum::{Router, extract::Path, routing::get};

#[authorized(path_param = "user_id")]
async fn list_tasks(Path(user_id): Path<String>) -> String {
    format!("tasks of {user_id}")
}

fn app(auth: Auth) -> Router {
    Router::new()
        .route(route_path!("/api/{user_id}/tasks", list_tasks), get(list_tasks))
        .layer(auth.layer())
}

#[tokio::main]
async fn main() {
    let auth = Auth::from_env().unwrap_or_else(|e| panic!("{e}"));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await.unwrap();
    axum::serve(listener, app(auth)).await.unwrap();
}
